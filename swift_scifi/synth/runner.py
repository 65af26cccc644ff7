"""Run a teacher-made dataset: jobs step through a method's stages, every teacher reply is journaled.

A method (:mod:`.backtrans`, :mod:`.cdpo_teacher`) is a pure state machine: ``advance(job, replies)`` looks
at the teacher replies a job has so far (stage name -> text) and returns the next :class:`Request`, or the
job's end, :class:`Keep` (a row) or :class:`Drop` (a counted reason). Only teacher replies are stored, in
``OUT.journal.jsonl`` (:class:`swift_scifi.eval.journal.Journal`: one flushed line per reply, a torn last line
cut on reopen), so a killed run reruns with the same command and asks the teacher only what it has not
answered yet: no duplicated and no lost rows. Parsing and verification are redone from the journal.

The same requests can go through ``swift sample --sampler_type distill`` instead (:func:`export_prompts`,
:func:`ingest_samples`): replies are matched back to jobs by the hash of their user messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..eval.journal import Journal, read_final
from ..text import strip_think
from .teacher import TeacherPool, TeacherSettings, Usage

PLACEHOLDER = "(teacher reply)"  # the assistant turn of an exported prompt: swift sample replaces it
_ANSWER_RE = re.compile(r"^\s*<answer>(.*)</answer>\s*$", re.DOTALL)


@dataclass(frozen=True)
class Job:
    """One unit of work: a human passage and what to do with it (``task``: a task id or '')."""

    key: str
    lang: str
    passage: str
    task: str = ""
    source: str = ""
    context: str = ""  # the text before the passage (a C-DPO row's prompt)


@dataclass
class Request:
    stage: str
    messages: list[dict[str, str]]


@dataclass
class Keep:
    row: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)  # for the report: task, edit, score, repaired, ...


@dataclass
class Drop:
    reason: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failed:
    """The teacher gave no usable HTTP reply after every retry; the job is retried on the next run."""

    reason: str


@dataclass
class Pending:
    """Offline mode: the job still waits for a teacher reply (``stage``)."""

    stage: str


Outcome = Keep | Drop | Failed | Pending


class Method(Protocol):
    name: str

    def advance(self, job: Job, replies: dict[str, str]) -> Request | Keep | Drop: ...


def record_key(rec: dict[str, Any]) -> str:
    return f"{rec['job']}|{rec['stage']}"


def load_replies(journal: Path) -> tuple[dict[str, dict[str, str]], dict[str, str], Usage]:
    """(job key -> stage -> reply text, job key -> last error, usage summed over every journal line)."""
    replies: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for rec in read_final(journal, record_key).values():
        if rec.get("error"):
            errors[rec["job"]] = str(rec["error"])
        else:
            replies.setdefault(rec["job"], {})[rec["stage"]] = rec["reply"]
    usage = Usage()
    from ..eval.journal import iter_records

    for rec in iter_records(journal):
        usage.add(rec.get("usage"), requests=int(rec.get("attempts", 1)))
    return replies, errors, usage


def journal_path(out: Path) -> Path:
    """``x.jsonl`` -> ``x.journal.jsonl`` (next to the output)."""
    return out.with_name((out.stem if out.suffix == ".jsonl" else out.name) + ".journal.jsonl")


async def _run_job(
    job: Job, method: Method, pool: TeacherPool, replies: dict[str, str], journal: Journal
) -> Outcome:
    while True:
        step = method.advance(job, replies)
        if not isinstance(step, Request):
            return step
        reply = await pool.chat(step.messages)
        rec = {"job": job.key, "stage": step.stage, "attempts": reply.attempts, "usage": reply.usage}
        if not reply.ok:
            journal.append({**rec, "error": reply.error})
            return Failed(_short(reply.error or "error"))
        journal.append({**rec, "reply": reply.text, "endpoint": reply.endpoint})
        replies[step.stage] = reply.text or ""


def _short(error: str) -> str:
    """A failure reason fit for counting: the kind of error, not its variable details."""
    error = re.sub(r"HTTP (\d)\d\d: .*", r"HTTP \g<1>xx", error)
    return error.split(":")[0] if "timeout" not in error else "timeout"


async def run_online(
    jobs: Sequence[Job],
    method: Method,
    settings: TeacherSettings,
    journal: Path,
    progress: bool = True,
) -> tuple[dict[str, Outcome], dict[str, Any]]:
    """Every job to its end (or failure) with the teacher pool; (outcomes by job key, the pool's report)."""
    from tqdm import tqdm

    with Journal(journal, record_key) as jr:
        replies, _errors, _usage = load_replies(journal)
        outcomes: dict[str, Outcome] = {}
        bar = tqdm(total=len(jobs), desc=f"synth {method.name}", unit="job", disable=not progress,
                   file=sys.stderr, mininterval=0.5, dynamic_ncols=True)  # fmt: skip
        queue = iter(jobs)

        async with TeacherPool(settings) as pool:

            async def worker() -> None:
                for job in queue:
                    outcomes[job.key] = await _run_job(job, method, pool, replies.setdefault(job.key, {}), jr)
                    bar.update()
                    kept = sum(isinstance(o, Keep) for o in outcomes.values())
                    bar.set_postfix(kept=kept, refresh=False)

            await asyncio.gather(*(worker() for _ in range(settings.concurrency)))
            report = pool.report()
        bar.close()
    return outcomes, report


def run_offline(jobs: Sequence[Job], method: Method, journal: Path) -> dict[str, Outcome]:
    """Each job's outcome from the journal alone (no teacher): Pending where a reply is still missing."""
    replies, errors, _ = load_replies(journal)
    outcomes: dict[str, Outcome] = {}
    for job in jobs:
        step = method.advance(job, dict(replies.get(job.key, {})))
        if isinstance(step, Request):
            outcomes[job.key] = Failed(_short(errors[job.key])) if job.key in errors else Pending(step.stage)
        else:
            outcomes[job.key] = step
    return outcomes


def _prompt_hash(messages: Iterable[dict[str, Any]]) -> str:
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    return hashlib.sha256(json.dumps(users, ensure_ascii=False).encode()).hexdigest()


def pending_requests(jobs: Sequence[Job], method: Method, journal: Path) -> list[tuple[Job, Request]]:
    """The next teacher request of every unfinished job, given the replies journaled so far."""
    replies, _, _ = load_replies(journal)
    out = []
    for job in jobs:
        step = method.advance(job, dict(replies.get(job.key, {})))
        if isinstance(step, Request):
            out.append((job, step))
    return out


def export_prompts(jobs: Sequence[Job], method: Method, journal: Path, out: Path) -> int:
    """Write the pending requests as an ms-swift dataset (``messages`` ending in a placeholder assistant
    turn, which ``swift sample --sampler_type distill`` replaces with the teacher's reply); returns the count."""
    from ..atomic_write import write_text

    lines = []
    for job, req in pending_requests(jobs, method, journal):
        row = {
            "messages": [*req.messages, {"role": "assistant", "content": PLACEHOLDER}],
            "synth_job": job.key,
            "synth_stage": req.stage,
        }
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, "".join(lines))
    return len(lines)


def _sample_text(text: str) -> str:
    """The teacher's answer from a swift sample choice (``<think>..</think><answer>..</answer>`` unwrapped)."""
    text = strip_think(text)
    m = _ANSWER_RE.match(text)
    return m.group(1) if m else text


def ingest_samples(
    jobs: Sequence[Job], method: Method, journal: Path, samples: Sequence[Path]
) -> dict[str, int]:
    """Journal the replies in ``swift sample`` output files (rows whose last message is the teacher's reply)
    for the pending requests they answer; returns counts (ingested, unmatched, duplicate, unreadable)."""
    from ..eval.journal import iter_records

    wanted = {_prompt_hash(req.messages): (job, req) for job, req in pending_requests(jobs, method, journal)}
    counts = {"ingested": 0, "unmatched": 0, "duplicate": 0, "unreadable": 0}
    with Journal(journal, record_key) as jr:
        for path in samples:
            for row in iter_records(Path(path)):
                msgs = row.get("messages")
                if not isinstance(msgs, list) or not msgs or msgs[-1].get("role") != "assistant":
                    counts["unreadable"] += 1
                    continue
                hit = wanted.get(_prompt_hash(msgs[:-1]))
                if hit is None:
                    counts["unmatched"] += 1
                    continue
                job, req = hit
                if f"{job.key}|{req.stage}" in jr.done:
                    counts["duplicate"] += 1
                    continue
                text = _sample_text(str(msgs[-1].get("content", "")))
                jr.append({"job": job.key, "stage": req.stage, "attempts": 1, "usage": {}, "reply": text,
                           "endpoint": "swift sample"})  # fmt: skip
                counts["ingested"] += 1
    return counts


def ordered_rows(jobs: Sequence[Job], outcomes: dict[str, Outcome]) -> list[dict[str, Any]]:
    """Kept rows in job order."""
    return [o.row for j in jobs if isinstance(o := outcomes.get(j.key), Keep)]


WriteRows = Callable[[Path, list[dict[str, Any]]], None]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as JSON lines, atomically."""
    from ..atomic_write import write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
