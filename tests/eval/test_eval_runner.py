"""The evaluator end to end on real WritingBench queries against the scripted judge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from swift_scifi.eval.aggregate import aggregate
from swift_scifi.eval.journal import read_final
from swift_scifi.eval.records import load_queries
from swift_scifi.eval.runner import EvalConfig, run_eval
from swift_scifi.eval.scoring import score_key
from swift_scifi.judge.scripted import ScriptedJudge
from swift_scifi.text import detect_lang
from tests.conftest import REPO, run_cli, subprocess_env
from tests.eval.fixtures import STYLE_SUBSET, judge, settings, write_responses, writingbench_sample  # noqa: F401


def _cfg(tmp: Path, server, queries: Path, responses: Path, out: str = "out", **kw) -> EvalConfig:
    return EvalConfig(
        queries=queries,
        responses=responses,
        out=tmp / out,
        judge=settings(server, **kw.pop("judge", {})),
        criteria_cache=tmp / "cache",
        resamples=500,
        progress=False,
        **kw,
    )


def _eval_args(tmp: Path, server, queries: Path, responses: Path, out: Path, concurrency: int) -> list[str]:
    """`swift-scifi eval` arguments against the scripted ``server``."""
    return ["eval", "--queries", str(queries), "--responses", str(responses), "--judge-base-url", server.base_url,
            "--judge-model", "scripted", "--out", str(out), "--concurrency", str(concurrency),
            "--criteria-cache", str(tmp / "cache")]  # fmt: skip


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_real_writingbench_queries_scored_with_faulty_judge(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 20)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    judge.every = {"500": 7, "malformed": 11, "near_json": 13}
    # one request at a time: which criterion meets which fault then no longer depends on scheduling
    # (a concurrent run failed this once in three on a loaded machine; see the closing note of round 3)
    summary = run_eval(_cfg(tmp_path, judge, queries, responses, judge={"concurrency": 1}))

    scores = _lines(tmp_path / "out" / "scores.jsonl")
    assert len(scores) == 100 and len({score_key(r) for r in scores}) == 100
    assert all({"index", "criterion", "score", "reason"} <= r.keys() for r in scores)
    # each response i carries [[score=1 + i % 10]], which the scripted judge returns for every criterion
    expected = {q.index: 1 + i % 10 for i, q in enumerate(load_queries(queries))}
    assert all(r["score"] == expected[r["index"]] and "Response" in r["reason"] for r in scores)
    assert summary["criteria_scored"] == 100 and summary["criteria_failed"] == 0
    assert summary["overall"]["mean"] == sum(expected.values()) / 20
    lo, hi = summary["overall"]["ci95"]
    assert lo < summary["overall"]["mean"] < hi
    by_domain = Counter(q.domain1 for q in load_queries(queries))
    assert {d: g["n"] for d, g in summary["per_domain1"].items()} == dict(by_domain)
    assert set(summary["per_requirement"]) == {"length"} and summary["per_domain2"]
    assert judge.counts["500"] and judge.counts["malformed"]

    out = tmp_path / "out"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert (
        report.count("<img src='data:image/png;base64,") == 5
    )  # domain1/domain2/requirement bars, histogram, scatter
    assert "Per domain1" in report and "Per requirement" in report
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["judge"]["model"] == "scripted-judge" and "api_key" not in manifest["judge"]
    assert len(manifest["prompts"]["score_criterion"]["sha256"]) == 64
    assert manifest["data"]["queries"]["sha256"] and manifest["data"]["responses"]["sha256"]
    metrics = _lines(out / "metrics.jsonl")
    assert len(metrics) == 20 and all(r["length"] > 0 for r in metrics)
    assert {"repetition", "slop", "term_consistency", "length"} <= set(metrics[0]["metrics"])
    # the synthetic responses repeat one phrase: the repetition reward (1 = no repetition) must see it
    assert all(r["metrics"]["repetition"] < 0.5 for r in metrics[5:])
    assert {"repetition", "slop"} <= set(summary["metrics"]) and summary["metrics"]["slop"]["n"] == 20


def test_failures_after_retries_are_recorded_and_retried_on_resume(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 3)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    judge.every = {"503": 1}
    summary = run_eval(_cfg(tmp_path, judge, queries, responses, judge={"retries": 1}))
    assert summary["criteria_failed"] == 15 and summary["criteria_scored"] == 0
    assert all(r["score"] is None and "503" in r["error"] for r in _lines(tmp_path / "out" / "scores.jsonl"))

    judge.every = {}
    summary = run_eval(_cfg(tmp_path, judge, queries, responses))
    assert summary["criteria_scored"] == 15 and summary["criteria_failed"] == 0
    assert len(read_final(tmp_path / "out" / "scores.jsonl", score_key)) == 15


def test_resume_after_kill_never_counts_twice(tmp_path):
    queries = writingbench_sample(tmp_path, 20)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    out = tmp_path / "out"
    with ScriptedJudge(latency_s=0.05) as server:
        args = [
            sys.executable,
            "-m",
            "swift_scifi.cli",
            *_eval_args(tmp_path, server, queries, responses, out, 2),
        ]
        args.append("--no-report")
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        scores = out / "scores.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline and (not scores.exists() or scores.read_text().count("\n") < 30):
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        before = scores.read_text().count("\n")
        assert 30 <= before < 100
        with open(scores, "a") as fh:  # a write torn by the kill
            fh.write('{"index": "16", "criterion": "Introduction_Compre')
        run_cli(args[3:])
    records = _lines(scores)
    keys = [score_key(r) for r in records]
    assert len(keys) == len(set(keys)) == 100
    summary = json.loads((out / "summary.json").read_text())
    assert summary["criteria_scored"] == 100
    # every pair judged once, plus at most the 2 calls in flight when the first run was killed
    assert 100 <= server.requests <= 102


def test_generated_criteria_are_cached_by_prompt_and_judge_model(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 4, drop_checklist=2)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    run_eval(_cfg(tmp_path, judge, queries, responses, out="a"))
    assert judge.requests == 2 + 20  # two criteria generations, then 4 queries x 5 criteria
    criteria = {r["index"]: r["criteria"] for r in _lines(tmp_path / "a" / "criteria.jsonl")}
    generated = [criteria[q.index] for q in load_queries(queries)[:2]]
    assert all(len(c) == 5 and c[0]["name"].startswith("Criterion 1") for c in generated)

    judge.requests = 0
    run_eval(_cfg(tmp_path, judge, queries, responses, out="b"))
    assert judge.requests == 20  # cache hit: no generation
    judge.requests = 0
    run_eval(_cfg(tmp_path, judge, queries, responses, out="c", judge={"model": "other-judge"}))
    assert judge.requests == 22  # another judge model: a new cache version
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_v1_subset_criteria_field_and_sci_fi_rubric(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 3, source=STYLE_SUBSET)
    assert (
        all(len(q.criteria) == 5 for q in load_queries(queries))
        and load_queries(queries)[0].requirement == "style"
    )
    responses = write_responses(tmp_path / "r.jsonl", queries)
    summary = run_eval(_cfg(tmp_path, judge, queries, responses, rubric="scifi"))
    names = {
        "en": {"Scientific plausibility", "Consistency of world rules", "The novum", "Character", "Prose"},
        "zh": {"科学合理性", "世界规则一致性", "新奇设定（Novum）", "人物塑造", "文笔"},
    }
    for q in load_queries(queries):  # the rubric comes in the query's language
        got = {r["criterion"] for r in _lines(tmp_path / "out" / "scores.jsonl") if r["index"] == q.index}
        assert got == names[detect_lang(q.query)]
    assert summary["criteria_scored"] == 15


def test_duplicated_records_are_counted_once():
    recs = [{"index": "1", "criterion": "a", "score": 4}, {"index": "1", "criterion": "b", "score": 8}]
    dup = recs + [recs[0]]
    assert aggregate(dup)["overall"]["mean"] == aggregate(recs)["overall"]["mean"] == 6.0


def test_cli_eval_prints_table_and_writes_outputs(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 5)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    proc = run_cli(_eval_args(tmp_path, judge, queries, responses, tmp_path / "o", 4))
    text = proc.stdout + proc.stderr
    assert "overall" in text and "domain1:" in text and "25/25" in text
    assert {p.name for p in (tmp_path / "o").iterdir()} >= {
        "scores.jsonl",
        "summary.json",
        "report.html",
        "manifest.json",
    }


def test_failed_criteria_generation_is_reported_not_scored(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 4, drop_checklist=2)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    judge.script = ["malformed"] * 4  # both generations fail twice (retries=1); scoring replies are fine
    summary = run_eval(_cfg(tmp_path, judge, queries, responses, judge={"retries": 1}))
    first_two = [q.index for q in load_queries(queries)[:2]]
    assert summary["queries_skipped"] == {"no_response": [], "no_criteria": first_two}
    assert summary["criteria_scored"] == 10 and summary["overall"]["n"] == 2
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.json"))
