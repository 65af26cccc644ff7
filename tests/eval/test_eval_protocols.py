"""Scoring protocols (project vs WritingBench), think stripping, failing loudly, and the scripted-judge warning.

The parity test scores the bundled example queries (4, 3, 5, 5, 3 and 4 criteria) with a deterministic judge
and checks the totals against WritingBench's published procedure, computed here by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swift_scifi.eval.failures import failure_kind
from swift_scifi.eval.protocol import load_protocol
from swift_scifi.eval.records import bundled_queries, load_queries
from swift_scifi.eval.runner import EvalConfig, run_eval
from swift_scifi.judge.parsing import MalformedReply
from swift_scifi.judge.scripted import SCRIPTED_MARK
from tests.conftest import run_cli
from tests.eval.fixtures import judge, settings  # noqa: F401

EXAMPLE = bundled_queries()["scifi-example"]
# the score the deterministic judge gives every criterion of each response ([[score=N]] in the response)
SCORES = {"en-1": 2, "en-2": 9, "en-3": 5, "zh-1": 7, "zh-2": 10, "zh-3": 1}


def _responses(path: Path) -> Path:
    """Responses whose reasoning block holds a decoy marker and a secret; only the answer may be judged."""
    with open(path, "w", encoding="utf-8") as out:
        for q in load_queries(EXAMPLE):
            text = (
                f"<think>SECRET plan [[score=1]]</think>\n\nThe conveyor hummed. [[score={SCORES[q.index]}]]"
            )
            out.write(json.dumps({"index": q.index, "response": text}, ensure_ascii=False) + "\n")
    return path


def _run(tmp: Path, server, protocol: str, **kw) -> dict:
    cfg = EvalConfig(queries=EXAMPLE, responses=_responses(tmp / "r.jsonl"), out=tmp / protocol,
                     judge=settings(server, **kw.pop("judge", {})), criteria_cache=tmp / "cache", resamples=200,
                     progress=False, protocol=protocol, **kw)  # fmt: skip
    return run_eval(cfg)


def test_example_set_ships_zh_and_en_with_uneven_criteria():
    queries = load_queries(EXAMPLE)
    assert {q.extra["lang"] for q in queries} == {"zh", "en"}
    assert [len(q.criteria) for q in queries] == [4, 3, 5, 5, 3, 4]


def test_writingbench_totals_match_their_published_procedure(tmp_path, judge):  # noqa: F811
    summary = _run(tmp_path, judge, "writingbench")
    # By hand, as WritingBench's calculate_scores.py does it: Overall = sum of every criterion score /
    # number of criterion scores; a domain's score = mean of its queries' means.
    # en-1: 4 x 2, en-2: 3 x 9, en-3: 5 x 5, zh-1: 5 x 7, zh-2: 3 x 10, zh-3: 4 x 1
    total = 4 * 2 + 3 * 9 + 5 * 5 + 5 * 7 + 3 * 10 + 4 * 1  # 129
    assert summary["overall"]["mean"] == pytest.approx(total / 24)  # 5.375
    assert summary["per_domain2"]["Science fiction"]["mean"] == pytest.approx((2 + 9 + 5) / 3)
    assert summary["per_domain2"]["科幻小说"]["mean"] == pytest.approx((7 + 10 + 1) / 3)
    assert summary["per_query"]["en-3"] == {"score": 5.0, "n": 5, "failed": 0}
    # the project's default total differs on the same scores: the mean of the six query means
    assert summary["overall_query_mean"]["mean"] == pytest.approx((2 + 9 + 5 + 7 + 10 + 1) / 6)
    assert summary["aggregation"] == "criterion_weighted" and summary["protocol"] == "writingbench"


def test_writingbench_requests_use_their_prompt_sampling_and_criterion_form(tmp_path, judge):  # noqa: F811
    _run(tmp_path, judge, "writingbench")
    assert len(judge.bodies) == 24
    first = load_queries(EXAMPLE)[0]
    for body in judge.bodies:
        assert (body["temperature"], body["top_p"], body["max_tokens"]) == (1.0, 0.95, 2048)
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        assert system.startswith("You are an expert evaluator")
        assert "SECRET" not in user and "<think>" not in user  # reasoning never reaches the judge
        assert user.count("** Criteria **") == 1 and "restated" in user and "integer" in user
    user = judge.bodies[0]["messages"][1]["content"]
    assert f"```{first.criteria[0]!s}```" in user or any(
        f"```{c!s}```" in b["messages"][1]["content"] for b in judge.bodies for c in first.criteria
    )


def test_project_protocol_is_deterministic_and_strips_think(tmp_path, judge):  # noqa: F811
    summary = _run(tmp_path, judge, "project")
    assert summary["overall"]["mean"] == pytest.approx(34 / 6)  # mean of query means (default)
    assert summary["overall_criterion_weighted"]["mean"] == pytest.approx(129 / 24)
    for body in judge.bodies:
        assert body["temperature"] == 0.0 and body["max_tokens"] == 1024 and "top_p" not in body
        assert "SECRET" not in body["messages"][1]["content"]
    manifest = json.loads((tmp_path / "project" / "manifest.json").read_text())
    assert manifest["protocol"]["id"] == "project" and manifest["judge"]["model"] == "scripted-judge"
    assert manifest["judge"]["sampling"] == {"temperature": 0.0, "max_tokens": 1024}
    assert "score_criterion" in manifest["prompts"]
    from swift_scifi.eval.manifest import comparable

    other = {**manifest, "protocol": load_protocol("writingbench").info()}
    assert comparable(manifest, manifest) == [] and "protocol differs" in comparable(manifest, other)


@pytest.mark.parametrize("bad", ["7.5", '"7"', '"7/10"', "true", "0", "11", "null"])
def test_writingbench_accepts_integer_scores_only(bad):
    wb, ours = load_protocol("writingbench"), load_protocol("project")
    assert wb.parse_reply('{"score": 7, "reason": "ok"}')["score"] == 7.0
    assert wb.parse_reply('{"score": 7.0, "reason": "ok"}')["score"] == 7.0
    with pytest.raises(MalformedReply):
        wb.parse_reply(f'{{"score": {bad}, "reason": "r"}}')
    if bad in ("7.5", '"7/10"', '"7"'):
        assert ours.parse_reply(f'{{"score": {bad}, "reason": "r"}}')["score"] in (7.5, 7.0)


def test_failure_kinds_are_named_from_client_errors():
    assert failure_kind("RetryableError: timeout after 5s") == "timeout"
    assert failure_kind("RetryableError: ClientConnectorError: Cannot connect to host") == "unreachable"
    assert failure_kind("RetryableError: HTTP 503: busy") == "server_error"
    assert failure_kind("HTTP 404: no such model") == "rejected_request"
    assert failure_kind("MalformedReply: score 42 outside [1, 10]") == "invalid_score"
    assert failure_kind("MalformedReply: no JSON object in reply: 'I think'") == "malformed_reply"


def test_too_many_failures_fail_the_run_with_reasons(tmp_path, judge):  # noqa: F811
    judge.every = {"malformed": 2, "bad_score": 3}  # retries 0: about two thirds of criteria fail
    summary = _run(tmp_path, judge, "project", judge={"retries": 0})
    assert not summary["status"]["ok"] and "failed" in summary["status"]["reason"]
    assert set(summary["failures"]) == {"malformed_reply", "invalid_score"}
    assert summary["criteria_failed"] == sum(f["count"] for f in summary["failures"].values())
    report = (tmp_path / "project" / "report.html").read_text(encoding="utf-8")
    assert "EVALUATION FAILED" in report and "malformed_reply" in report and "invalid_score" in report
    judge.every = {}
    relaxed = _run(tmp_path, judge, "project", max_failed_share=1.0)  # resumed: failures retried, now fine
    assert relaxed["status"]["ok"] and relaxed["criteria_failed"] == 0


def test_cli_exits_nonzero_when_the_judge_is_unreachable(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    responses = _responses(tmp_path / "r.jsonl")
    proc = run_cli(["eval", "--queries", "scifi-example", "--responses", str(responses), "--out",
                    str(tmp_path / "o"), "--judge-base-url", f"http://127.0.0.1:{port}/v1", "--judge-model", "x",
                    "--retries", "0", "--criteria-cache", str(tmp_path / "c")], check=False)  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "evaluation failed: nothing was scored" in proc.stderr and "unreachable 24" in proc.stderr
    assert "overall nan" not in proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"]["ok"] is False and summary["failures"]["unreachable"]["count"] == 24
    assert "EVALUATION FAILED: nothing was scored" in (tmp_path / "o" / "report.html").read_text()
    pairwise = run_cli(["eval-pairwise", "--queries", "scifi-example", "--responses-a", str(responses),
                        "--responses-b", str(responses), "--out", str(tmp_path / "ab"), "--judge-base-url",
                        f"http://127.0.0.1:{port}/v1", "--judge-model", "x", "--retries", "0"], check=False)  # fmt: skip
    assert pairwise.returncode == 1 and "no pair was judged" in pairwise.stderr


def test_cli_scripted_judge_on_the_example_set_says_it_is_a_plumbing_test(tmp_path):
    responses = _responses(tmp_path / "r.jsonl")
    proc = run_cli(["eval", "--queries", "scifi-example", "--responses", str(responses), "--out",
                    str(tmp_path / "o"), "--judge-base-url", "scripted", "--judge-model", "scripted",
                    "--protocol", "writingbench", "--criteria-cache", str(tmp_path / "c")])  # fmt: skip
    assert "overall 5.375" in proc.stdout and "protocol writingbench" in proc.stdout
    assert "WARNING: SCRIPTED JUDGE" in proc.stdout and "SCRIPTED JUDGE" in proc.stderr
    assert "mean (1-10)" in proc.stderr and "mean (0-1)" in proc.stderr  # judge and metric tables apart
    assert "Warning" not in proc.stderr and "Glyph" not in proc.stderr  # no matplotlib noise
    report = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "id='scripted'" in report and SCRIPTED_MARK in report
    assert "<dl class='manifest'>" in report and "writingbench v1" in report
    worst = report.index("<td>zh-3</td>")  # score 1: first row of the per-query table
    assert worst < report.index("<td>en-1</td>") < report.index("<td>zh-2</td>")


def test_without_a_cjk_font_charts_fall_back_with_one_log_line(tmp_path, monkeypatch, caplog, recwarn):
    """Chinese labels and no CJK font: no warning per glyph, one log line saying what to install."""
    import logging

    from swift_scifi.eval import plot_fonts
    from swift_scifi.eval.report import write_report

    monkeypatch.setattr(plot_fonts, "cjk_family", lambda: None)
    plot_fonts._warn_no_font.cache_clear()
    group = {"mean": 6.0, "ci95": [5.0, 7.0], "n": 2}
    summary = {"overall": group, "criteria_scored": 4, "criteria_failed": 0, "per_query": {},
               "per_domain2": {"科幻小说": group, "太空歌剧": group}}  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="swift_scifi.eval"):
        for _ in range(2):
            write_report(tmp_path / "r.html", summary, [], {}, {"judge": {}})
    assert [r.getMessage() for r in caplog.records if "CJK" in r.getMessage()] == [
        caplog.records[0].getMessage()
    ] and "fonts-wqy-microhei" in caplog.records[0].getMessage()
    assert not [w for w in recwarn if "matplotlib" in str(w.filename) or "Glyph" in str(w.message)]


def test_cli_pairwise_prints_where_it_wrote(tmp_path):
    a = _responses(tmp_path / "a.jsonl")
    b = tmp_path / "b.jsonl"
    b.write_text(a.read_text(encoding="utf-8").replace("hummed", "whined"), encoding="utf-8")
    out = tmp_path / "ab"
    proc = run_cli(["eval-pairwise", "--queries", "scifi-example", "--responses-a", str(a), "--responses-b",
                    str(b), "--out", str(out), "--judge-base-url", "scripted", "--judge-model", "s"])  # fmt: skip
    assert f"wrote {out / 'pairwise.jsonl'}, {out / 'pairwise_summary.json'}" in proc.stdout
    assert (out / "pairwise_summary.json").is_file() and "SCRIPTED JUDGE" in proc.stderr


def test_unknown_query_set_names_the_bundled_ones(tmp_path):
    from swift_scifi.eval.records import resolve_queries

    assert resolve_queries("scifi-example") == EXAMPLE and resolve_queries(EXAMPLE) == EXAMPLE
    with pytest.raises(FileNotFoundError, match="scifi-example"):
        resolve_queries(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError, match="writingbench"):
        load_protocol("no-such-protocol")
