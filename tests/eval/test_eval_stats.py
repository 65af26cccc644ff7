"""Bootstrap CIs and aggregation (property tests) and the pairwise A/B mode against the scripted judge."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.eval.aggregate import aggregate
from swift_scifi.eval.bootstrap import bootstrap_ci
from swift_scifi.eval.pairwise import signed_margin
from swift_scifi.eval.runner import PairwiseConfig, run_pairwise_eval
from tests.eval.fixtures import judge, write_responses, writingbench_sample  # noqa: F401
from tests.eval.fixtures import settings as judge_settings

scores = st.lists(st.floats(1, 10, allow_nan=False), min_size=2, max_size=40)


@settings(max_examples=40, deadline=None)
@given(scores)
def test_ci_brackets_the_mean_within_the_data_range(values):
    lo, hi = bootstrap_ci(values, resamples=300)
    mean = sum(values) / len(values)
    assert min(values) - 1e-9 <= lo <= mean + 1e-9 <= hi + 2e-9 and hi <= max(values) + 1e-9


@settings(max_examples=20, deadline=None)
@given(st.floats(1, 10), st.integers(2, 30))
def test_constant_scores_give_a_zero_width_interval(value, n):
    lo, hi = bootstrap_ci([value] * n, resamples=200)
    assert abs(lo - value) < 1e-9 and abs(hi - value) < 1e-9


def test_ci_narrows_with_more_queries():
    few = bootstrap_ci([1, 10] * 5)
    many = bootstrap_ci([1, 10] * 200)
    assert many[1] - many[0] < (few[1] - few[0]) / 3


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(0, 4),
            st.integers(1, 10),
            st.sampled_from(["Fiction", "Law", "Ads"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_query_means_and_domains_follow_writingbench(rows):
    recs = [{"index": str(i), "criterion": f"c{c}", "score": s, "domain1": d} for i, c, s, d in rows]
    summary = aggregate(recs, resamples=100)
    first = {}
    for r in recs:  # the first record of each (index, criterion) counts
        first.setdefault((r["index"], r["criterion"]), r)
    per_q: dict[str, list[float]] = {}
    for (i, _), r in first.items():
        per_q.setdefault(i, []).append(r["score"])
    means = {i: sum(v) / len(v) for i, v in per_q.items()}
    assert abs(summary["overall"]["mean"] - sum(means.values()) / len(means)) < 1e-9
    assert summary["criteria_scored"] == len(first)
    assert sum(g["n"] for g in summary["per_domain1"].values()) == len(means)


def test_signed_margin_is_from_model_a_side():
    assert signed_margin("A", 3, "AB") == 3 and signed_margin("A", 3, "BA") == -3
    assert signed_margin("B", 2, "AB") == -2 and signed_margin("B", 2, "BA") == 2
    assert signed_margin("tie", 0, "BA") == 0


def test_pairwise_judges_both_orders_and_counts_margins(tmp_path, judge):  # noqa: F811
    queries = writingbench_sample(tmp_path, 6)
    a = write_responses(tmp_path / "a.jsonl", queries, score_of=lambda i: 8 if i < 4 else 3)
    b = write_responses(tmp_path / "b.jsonl", queries, score_of=lambda i: 3 if i < 4 else 3)
    judge.script = ["500", "malformed"]
    cfg = PairwiseConfig(
        queries=queries,
        responses_a=a,
        responses_b=b,
        out=tmp_path / "pw",
        judge=judge_settings(judge),
        resamples=300,
        progress=False,
    )
    summary = run_pairwise_eval(cfg)
    recs = [json.loads(line) for line in (tmp_path / "pw" / "pairwise.jsonl").read_text().splitlines()]
    assert sorted((r["index"], r["order"]) for r in recs) == sorted(
        (str(json.loads(q)["index"]), o) for q in queries.read_text().splitlines() for o in ("AB", "BA")
    )
    assert {r["judge_winner"] for r in recs if r["order"] == "AB" and r["margin"] > 0} == {"A"}
    assert {r["judge_winner"] for r in recs if r["order"] == "BA" and r["margin"] > 0} == {"B"}
    assert summary["wins_a"] == 4 and summary["ties"] == 2 and summary["wins_b"] == 0
    assert summary["margin_a"]["mean"] == 5 * 4 / 6 and summary["order_agreement"] == 1.0
    assert abs(summary["win_rate_a"]["mean"] - (4 + 0.5 * 2) / 6) < 1e-9
    judge.requests = 0
    run_pairwise_eval(cfg)  # resume: nothing left to judge
    assert judge.requests == 0


def test_eval_and_judge_modules_import_light():
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    code = (
        "import sys, swift_scifi.eval, swift_scifi.judge, swift_scifi.judge.scripted, swift_scifi.commands.eval;"
        "heavy = [m for m in ('torch', 'swift', 'transformers', 'matplotlib') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=subprocess_env())


def test_manifests_tell_whether_runs_are_comparable(tmp_path):
    from swift_scifi.eval.manifest import build_manifest, comparable

    q = tmp_path / "q.jsonl"
    q.write_text('{"index": 1, "query": "x"}\n')
    a = build_manifest(judge={"model": "j1", "api_key": "secret"}, data={"queries": q}, options={})
    assert "api_key" not in a["judge"] and comparable(a, a) == []
    b = build_manifest(judge={"model": "j2"}, data={"queries": q}, options={})
    assert comparable(a, b) == ["judge model differs"]
    q.write_text('{"index": 1, "query": "y"}\n')
    c = build_manifest(judge={"model": "j1"}, data={"queries": q}, options={})
    assert comparable(a, c) == ["queries differ"]
