"""scifi-backtrans: Weaver's instruction backtranslation with Humpback-style self-curation.

Per job (a human passage and one of 10 task types, :data:`TASKS_FILE`): step ``generate``, the teacher sees
the task definition, a worked example and the passage, and writes the fields the task needs (instruction,
the imagined input draft, or the answer); step ``rate``, the teacher rates the (request, answer) pair 1-5
with a reason. Pairs rated below ``min_score`` are dropped and counted, as are unusable replies (no JSON,
missing fields, an input as long as the passage for 扩写, ...). Rows are ms-swift SFT rows (``messages``)
with columns ``task``, ``lang``, ``score``, ``reason``, ``source``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..judge.prompts import load_prompt
from .passages import Passage
from .replies import parse_object, score_field, text_field
from .runner import Drop, Job, Keep, Request

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "synth"
TASKS_FILE = DATA_DIR / "backtrans_tasks.yaml"


@dataclass(frozen=True)
class Task:
    id: str
    name: dict[str, str]
    human: str  # output | input | source
    teacher_writes: tuple[str, ...]
    definition: dict[str, str]
    example: dict[str, dict[str, str]]
    input_ratio: tuple[float, float] | None = None


@cache
def load_tasks(path: str | None = None) -> dict[str, Task]:
    """Task types by id, from the data file (``version`` in :func:`tasks_version`)."""
    data = yaml.safe_load(Path(path or TASKS_FILE).read_text(encoding="utf-8"))
    tasks = {}
    for t in data["tasks"]:
        if t["human"] not in ("output", "input", "source"):
            raise ValueError(f"task {t['id']}: human must be output, input or source, got {t['human']!r}")
        ratio = t.get("input_ratio")
        tasks[t["id"]] = Task(t["id"], t["name"], t["human"], tuple(t["teacher_writes"]), t["definition"],
                              t["example"], tuple(ratio) if ratio else None)  # fmt: skip
    return tasks


def tasks_version(path: str | None = None) -> int:
    return int(yaml.safe_load(Path(path or TASKS_FILE).read_text(encoding="utf-8"))["version"])


def _prompt(name: str):
    return load_prompt(name, str(DATA_DIR / "prompts" / f"{name}.yaml"))


def generate_messages(task: Task, job: Job) -> list[dict[str, str]]:
    lang = job.lang if job.lang in task.definition else "en"
    ex = task.example[lang]
    reply = {k: ex[k] for k in task.teacher_writes}
    skeleton = "{" + ", ".join(f'"{k}": "..."' for k in task.teacher_writes) + "}"
    return _prompt("backtrans_generate").messages(
        lang,
        task_name=task.name[lang],
        definition=task.definition[lang],
        example_passage=ex["passage"],
        example_reply=json.dumps(reply, ensure_ascii=False),
        passage=job.passage,
        skeleton=skeleton,
    )


def user_text(instruction: str, input_text: str | None) -> str:
    return f"{instruction}\n\n{input_text}" if input_text else instruction


class Backtrans:
    """The scifi-backtrans method (see the module docstring). ``min_score`` 0 skips the rating step."""

    name = "scifi-backtrans"

    def __init__(self, tasks: list[str] | None = None, min_score: int = 4, tasks_file: str | None = None):
        all_tasks = load_tasks(tasks_file)
        unknown = [t for t in tasks or [] if t not in all_tasks]
        if unknown:
            raise ValueError(f"unknown task {', '.join(unknown)}; known: {', '.join(all_tasks)}")
        self.tasks = {k: v for k, v in all_tasks.items() if not tasks or k in tasks}
        self.min_score = min_score
        self.version = tasks_version(tasks_file)

    def jobs(self, passages: list[Passage]) -> list[Job]:
        """One job per passage, task types taking turns."""
        ids = list(self.tasks)
        return [
            Job(f"{p.key}:{ids[i % len(ids)]}", p.lang, p.text, ids[i % len(ids)], p.key)
            for i, p in enumerate(passages)
        ]

    def fields(self, task: Task, job: Job, obj: dict[str, Any]) -> tuple[str, str | None, str] | str:
        """(instruction, input, output) from the teacher's object, or the reason the pair is dropped."""
        instruction = text_field(obj, "instruction")
        if instruction is None:
            return "missing instruction"
        if task.human == "output":
            output, input_text = job.passage, None
            if "input" in task.teacher_writes:
                input_text = text_field(obj, "input")
                if input_text is None:
                    return "missing input"
                if input_text == output:
                    return "input equals the passage"
                lo, hi = task.input_ratio or (0.0, float("inf"))
                if not lo <= len(input_text) / max(len(output), 1) <= hi:
                    return "input length ratio out of bounds"
            if len(output) >= 40 and output[:40] in instruction:
                return "instruction copies the passage"
            return instruction, input_text, output
        output = text_field(obj, "output")
        if output is None:
            return "missing output"
        return instruction, (job.passage if task.human == "input" else None), output

    def advance(self, job: Job, replies: dict[str, str]) -> Request | Keep | Drop:
        task = self.tasks[job.task]
        info: dict[str, Any] = {"task": task.id, "lang": job.lang}
        if "generate" not in replies:
            return Request("generate", generate_messages(task, job))
        obj, how = parse_object(replies["generate"])
        if obj is None:
            return Drop(how, info)
        info["repaired"] = how == "repaired"
        got = self.fields(task, job, obj)
        if isinstance(got, str):
            return Drop(got, info)
        instruction, input_text, output = got
        user = user_text(instruction, input_text)
        score, reason = None, ""
        if self.min_score > 0:
            if "rate" not in replies:
                return Request(
                    "rate", _prompt("backtrans_rate").messages(job.lang, request=user, answer=output)
                )
            rating, how = parse_object(replies["rate"])
            if rating is None:
                return Drop(f"rating: {how}", info)
            info["repaired"] = info["repaired"] or how == "repaired"
            score = score_field(rating)
            if score is None:
                return Drop("rating: no 1-5 score", info)
            info["score"] = score
            reason = text_field(rating, "reason") or ""
            if score < self.min_score:
                return Drop(f"rated below {self.min_score}", {**info, "example": user[:200]})
        row = {
            "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": output}],
            "task": task.id,
            "lang": job.lang,
            "score": score,
            "reason": reason,
            "source": job.source,
        }
        return Keep(row, info)
