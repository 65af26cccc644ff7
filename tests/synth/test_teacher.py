"""The teacher engine against a scripted OpenAI-compatible teacher on 127.0.0.1 (real HTTP): load balancing,
retries, rate limits and usage; `swift-scifi synth scifi-backtrans` end to end with malformed, repairable,
failing and slow replies counted; kill -9 mid-run and rerun gives exactly the uninterrupted rows."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swift_scifi.judge.scripted import ScriptedJudge
from swift_scifi.synth.scripted_teacher import ScriptedTeacher
from swift_scifi.synth.teacher import TeacherPool, TeacherSettings
from tests.conftest import REPO, run_cli, subprocess_env

MSG = [{"role": "user", "content": "hello"}]


def _pool_run(settings: TeacherSettings, n: int):
    async def go():
        async with TeacherPool(settings) as pool:
            replies = await asyncio.gather(
                *(pool.chat([{"role": "user", "content": f"q{i}"}]) for i in range(n))
            )
            return replies, pool.report()

    return asyncio.run(go())


def test_pool_spreads_load_and_moves_retries_off_a_failing_endpoint():
    with ScriptedTeacher(latency_s=0.02) as a, ScriptedTeacher(latency_s=0.02) as b, \
            ScriptedJudge(every={"500": 1}) as down:  # fmt: skip
        s = TeacherSettings((a.base_url, b.base_url), "t", concurrency=8, backoff_s=0.01, backoff_max_s=0.02)
        replies, report = _pool_run(s, 40)
        assert all(r.ok for r in replies) and a.requests >= 10 and b.requests >= 10
        assert (
            report["replies"] == report["attempts"] == 40
            and report["prompt_tokens"] > 0
            and report["completion_tokens"] > 0
        )
        s = TeacherSettings(
            (down.base_url, a.base_url), "t", concurrency=4, backoff_s=0.01, backoff_max_s=0.02
        )
        before = a.requests
        replies, report = _pool_run(s, 20)
        assert all(r.ok for r in replies) and a.requests - before == 20
        assert report["endpoints"][0]["failed_attempts"] == down.requests >= 1
        assert all(r.endpoint == a.base_url.rstrip("/") for r in replies)


def test_pool_gives_up_with_a_counted_error_and_honours_the_rate_limit():
    with ScriptedJudge(every={"503": 1}) as down, ScriptedTeacher() as ok:
        s = TeacherSettings(
            (down.base_url,), "t", retries=2, backoff_s=0.01, backoff_max_s=0.01, cooldown_s=0
        )
        (reply,), _ = _pool_run(s, 1)
        assert not reply.ok and "HTTP 503" in reply.error and reply.attempts == 3 == down.requests
        s = TeacherSettings(("http://127.0.0.1:9/v1",), "t", retries=0)  # nothing listens on port 9
        (reply,), _ = _pool_run(s, 1)
        assert not reply.ok and reply.error.startswith("retries exhausted")
        start = time.perf_counter()
        replies, _ = _pool_run(TeacherSettings((ok.base_url,), "t", concurrency=8, rate_limit=20), 9)
        assert all(r.ok for r in replies) and time.perf_counter() - start >= 8 / 20 - 0.02


def _synth_args(url: str, out: Path, limit: int, concurrency: int = 8, *extra: str) -> list[str]:
    return ["synth", "scifi-backtrans", "--teacher-url", url, "--model", "scripted", "--out", str(out),
            "--limit", str(limit), "--concurrency", str(concurrency), "--no-progress", *extra]  # fmt: skip


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_backtrans_counts_every_fault_and_writes_the_quality_report(tmp_path):
    faults = dict(malformed_every=6, fenced_every=4, fail_first_every=5, slow_every=9, slow_s=0.3,
                  low_score_every=4)  # fmt: skip
    with ScriptedTeacher(latency_s=0.01, **faults) as teacher:
        out = tmp_path / "bt.jsonl"
        proc = run_cli(_synth_args(teacher.base_url, out, 50, 8, "--price-prompt", "0.5"))
        assert teacher.faults["503 first attempt"] and teacher.faults["slow"] and teacher.faults["fenced"]
    assert "kept" in proc.stdout and "cost" in proc.stdout
    report = json.loads((tmp_path / "bt.report.json").read_text())
    rows = _rows(out)
    assert report["jobs"] == 50 == report["kept"] + report["dropped"] and report["failed"] == 0
    assert report["kept"] == len(rows) > 0
    drops = report["dropped_by_reason"]
    assert drops["malformed reply: no JSON object"] >= 1 and drops["rated below 4"] >= 1
    assert sum(drops.values()) == report["dropped"]
    assert report["replies_repaired"] >= 1 and report["usage_all_runs"]["cost"] > 0
    assert set(report["kept_by_lang"]) == {"zh", "en"} and len(report["jobs_by_task"]) == 10
    assert sum(report["ratings"].values()) >= report["kept"] and set(report["ratings"]) <= {"2", "5"}
    for r in rows:
        assert [m["role"] for m in r["messages"]] == ["user", "assistant"] and r["score"] >= 4
        assert r["task"] in report["kept_by_task"] and r["lang"] in ("zh", "en") and r["source"]
    expand = [r for r in rows if r["task"] == "expand"]
    assert all(r["messages"][1]["content"] not in r["messages"][0]["content"] for r in expand)
    html = (tmp_path / "bt.report.html").read_text()
    assert html.count("<img") >= 3 and "rated below 4" in html


def test_kill_and_resume_gives_the_uninterrupted_rows(tmp_path):
    with ScriptedTeacher(latency_s=0.15, malformed_every=6, low_score_every=4) as teacher:
        ref = tmp_path / "ref.jsonl"
        run_cli(_synth_args(teacher.base_url, ref, 40, 16))
        out = tmp_path / "run.jsonl"
        journal = tmp_path / "run.journal.jsonl"
        args = [sys.executable, "-m", "swift_scifi.cli", *_synth_args(teacher.base_url, out, 40, 4)]
        proc = subprocess.Popen(args, cwd=REPO, env=subprocess_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline and (not journal.exists() or journal.read_text().count("\n") < 12):
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert not out.exists(), "killed before the end: the dataset is written only at the end"
        done_before = journal.read_text().count("\n")
        assert 12 <= done_before < 75
        requests_before = teacher.requests
        run_cli(_synth_args(teacher.base_url, out, 40, 4))
        asked_again = teacher.requests - requests_before
    recs = [json.loads(x) for x in journal.read_text().splitlines()]
    keys = [(r["job"], r["stage"]) for r in recs]
    assert len(keys) == len(set(keys)), "a teacher reply was journaled twice"
    assert asked_again == len(recs) - done_before  # only what the journal lacked was asked again
    got, want = _rows(out), _rows(ref)
    assert [r["source"] for r in got] == [r["source"] for r in want] and got == want
    report = json.loads((tmp_path / "run.report.json").read_text())
    assert report["kept"] == len(want) and report["failed"] == report["pending"] == 0


def test_unreachable_teacher_fails_the_run_and_a_rerun_completes_it(tmp_path):
    out = tmp_path / "bt.jsonl"
    proc = run_cli(_synth_args("http://127.0.0.1:9/v1", out, 6, 4, "--retries", "0"), check=False)
    assert proc.returncode == 3 and "rerun the same command" in proc.stderr
    report = json.loads((tmp_path / "bt.report.json").read_text())
    assert report["failed"] == 6 and report["kept"] == 0
    with ScriptedTeacher() as teacher:
        run_cli(_synth_args(teacher.base_url, out, 6, 4))
    report = json.loads((tmp_path / "bt.report.json").read_text())
    assert report["failed"] == 0 and report["kept"] + report["dropped"] == 6


@pytest.mark.parametrize("method", ["scifi-backtrans"])
def test_bad_arguments_exit_2(tmp_path, method):
    proc = run_cli(["synth", method, "--out", str(tmp_path / "x.jsonl")], check=False)
    assert proc.returncode == 2 and "--teacher-url" in proc.stderr
    proc = run_cli(
        ["synth", method, "--teacher-url", "http://127.0.0.1:9/v1", "--out", "x.jsonl"], check=False
    )
    assert proc.returncode == 2 and "--model" in proc.stderr


@pytest.mark.swift
def test_offline_path_through_real_swift_sample_distill(tmp_path):
    """--export-prompts → `swift sample --sampler_type distill --sampler_engine client --data_range 0 2` (one
    shard of two) → --from-samples leaves exactly the other shard pending; the online teacher finishes it
    through the same journal, and the rows equal an all-online run's."""
    from tests.conftest import run_swift

    with ScriptedTeacher(malformed_every=5) as teacher:
        ref = tmp_path / "online.jsonl"
        run_cli(_synth_args(teacher.base_url, ref, 4, 4, "--min-score", "0"))
        out, prompts = tmp_path / "offline.jsonl", tmp_path / "prompts.jsonl"
        base = ["synth", "scifi-backtrans", "--out", str(out), "--limit", "4", "--min-score", "0"]
        proc = run_cli([*base, "--export-prompts", str(prompts)])
        assert "wrote 4 pending teacher requests" in proc.stdout and "4 pending" in proc.stdout
        kwargs = json.dumps({"base_url": teacher.base_url, "api_key": "none"})
        run_swift(["sample", "--sampler_type", "distill", "--sampler_engine", "client", "--model", "scripted",
                   "--dataset", str(prompts), "--num_return_sequences", "1", "--temperature", "0",
                   "--engine_kwargs", kwargs, "--output_dir", str(tmp_path / "samples"),
                   "--output_file", "part0.jsonl", "--data_range", "0", "2"], cwd=tmp_path)  # fmt: skip
        proc = run_cli([*base, "--from-samples", str(tmp_path / "samples" / "part0.jsonl")])
        assert "ingested 2, unmatched 0, duplicate 0" in proc.stdout and "2 pending of 4" in proc.stdout
        before = teacher.requests
        run_cli(_synth_args(teacher.base_url, out, 4, 4, "--min-score", "0"))
        assert teacher.requests - before == 2  # only the shard swift sample did not answer
    assert _rows(out) == _rows(ref)
