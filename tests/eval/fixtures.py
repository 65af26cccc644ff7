"""Fixtures and helpers shared by the evaluation and judge tests (imported by the tests in tests/eval/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swift_scifi.judge.client import ClientSettings
from swift_scifi.judge.scripted import ScriptedJudge
from tests.conftest import SHARED_DATA

WB = SHARED_DATA / "bench" / "writingbench"
LENGTH_SUBSET = WB / "requirement" / "length" / "length_subset.jsonl"
STYLE_SUBSET = WB / "v1_2025-03" / "requirement" / "style" / "style_subset.jsonl"


@pytest.fixture
def judge():
    """A scripted OpenAI-compatible judge on 127.0.0.1 (no faults, no latency); tests tweak its script."""
    with ScriptedJudge(record_bodies=True) as server:
        yield server


def settings(server: ScriptedJudge, **kw) -> ClientSettings:
    base = {
        "base_url": server.base_url,
        "model": "scripted-judge",
        "concurrency": 8,
        "timeout_s": 5.0,
        "retries": 3,
        "backoff_s": 0.01,
        "backoff_max_s": 0.05,
    }
    return ClientSettings(**{**base, **kw})


def writingbench_sample(
    tmp: Path,
    n: int = 20,
    source: Path = LENGTH_SUBSET,
    drop_checklist: int = 0,
    max_chars: int | None = None,
) -> Path:
    """The first ``n`` real WritingBench queries (of at most ``max_chars``), copied; optionally the first few
    without their checklists."""
    if not source.is_file():
        pytest.skip(f"WritingBench data not found at {source}")
    rows = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if max_chars is None or len(row["query"]) <= max_chars:
                rows.append(row)
            if len(rows) >= n:
                break
    for row in rows[:drop_checklist]:
        row.pop("checklist", None)
        row.pop("criteria", None)
    out = tmp / source.name
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out


def write_responses(path: Path, queries: Path, score_of=lambda i: 1 + i % 10, words: int = 30) -> Path:
    """One response per query; response i carries a ``[[score=N]]`` marker the scripted judge obeys."""
    with open(queries, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            index = json.loads(line)["index"]
            text = (
                f"Response {i}: " + "the ship drifted " * (words * (i + 1) // 3) + f"[[score={score_of(i)}]]"
            )
            out.write(json.dumps({"index": index, "response": text}) + "\n")
    return path
