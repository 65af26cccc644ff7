"""Eval under hostile conditions: a judge that sends invalid UTF-8, a worker that raises, nothing scored
(strict JSON), a write killed half-way (atomic files) and Ctrl-C (a resumable stop with a hint)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from swift_scifi import atomic_write
from swift_scifi.eval.journal import Journal, read_final
from swift_scifi.eval.pool import drain
from swift_scifi.eval.runner import run_eval
from swift_scifi.eval.scoring import score_key
from swift_scifi.judge.scripted import ScriptedJudge
from tests.conftest import REPO, subprocess_env
from tests.eval.fixtures import judge, settings, write_responses, writingbench_sample  # noqa: F401
from tests.eval.test_eval_runner import _cfg, _eval_args


def _strict_loads(text: str):
    def refuse(name: str):
        raise ValueError(f"bare {name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_invalid_utf8_from_the_judge_never_aborts_the_run(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 6)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    judge.every = {"bad_bytes": 2}  # every 2nd reply carries a raw 0xFF byte
    summary = run_eval(_cfg(tmp_path, judge, queries, responses, judge={"retries": 0}))
    records = read_final(tmp_path / "out" / "scores.jsonl", score_key)
    assert len(records) == 30 and judge.counts["bad_bytes"] >= 14
    assert summary["criteria_scored"] + summary["criteria_failed"] == 30
    # the byte is replaced (U+FFFD), the judgement itself stays good
    assert any("\ufffd" in (r.get("reason") or "") for r in records.values())


def test_one_failing_item_is_recorded_and_the_pool_goes_on(tmp_path):
    async def work(i: int) -> dict:
        await asyncio.sleep(0)
        if i % 3 == 0:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return {"k": i}

    seen: list[dict] = []
    with Journal(tmp_path / "j.jsonl", lambda r: r["k"]) as journal:
        written = asyncio.run(
            drain(range(12), work, journal, 3, seen.append, lambda i, e: {"k": i, "error": e})
        )
    assert written == 12 and len(seen) == 12
    failed = sorted(r["k"] for r in seen if r.get("error"))
    assert failed == [0, 3, 6, 9]
    assert all("UnicodeDecodeError" in r["error"] for r in seen if r.get("error"))


def test_summary_is_strict_json_with_null_and_reason_when_nothing_scored(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 2)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    judge.every = {"500": 1}
    run_eval(_cfg(tmp_path, judge, queries, responses, judge={"retries": 0}))
    summary = _strict_loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["criteria_scored"] == 0 and summary["criteria_failed"] == 10
    assert summary["overall"]["mean"] is None and summary["overall"]["ci95"] == [None, None]
    assert summary["overall"]["null_reason"] == "nothing was scored"
    _strict_loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_atomic_write_keeps_the_old_file_when_the_write_dies(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    atomic_write.write_json(path, {"v": 1})

    def die(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", die)
    with pytest.raises(OSError):
        atomic_write.write_json(path, {"v": 2, "pad": "x" * 100_000})
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_ctrl_c_says_how_far_it_got_and_resume_finishes(tmp_path):
    queries = writingbench_sample(tmp_path, 10)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    out = tmp_path / "out"
    scores = out / "scores.jsonl"
    # 50 judgements at 0.4 s, 2 at a time, take ~10 s: the SIGINT after 10 records lands mid-run even
    # on a loaded machine (at 0.05 s the whole run could end before the signal arrived).
    with ScriptedJudge(latency_s=0.4) as server:
        args = [sys.executable, "-m", "swift_scifi.cli",
                *_eval_args(tmp_path, server, queries, responses, out, 2), "--no-report"]  # fmt: skip
        proc = subprocess.Popen(args, cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline and (not scores.exists() or scores.read_text().count("\n") < 10):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err[-2000:]
        match = re.search(r"interrupted: (\d+) of (\d+) judged; re-run the same command to resume", err)
        assert match, err[-2000:]
        assert "Traceback" not in err
        judged, total = int(match[1]), int(match[2])
        assert total == 50 and 10 <= judged < 50
        assert judged == len(read_final(scores, score_key))
        done = subprocess.run(
            args, cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr[-2000:]
    keys = [score_key(json.loads(line)) for line in scores.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 50
