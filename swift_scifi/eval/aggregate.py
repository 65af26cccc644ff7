"""WritingBench-style aggregation: criterion scores → query means → overall / domain / requirement means.

A query's score is the mean of its successfully scored criteria (1..10). Groups (overall, each
``domain1``, ``domain2`` and requirement subset) average their queries' scores, with bootstrap 95% CIs
resampled over queries. Failed criteria are counted, never scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .bootstrap import summarize
from .journal import select_final

GROUPS = ("domain1", "domain2", "requirement")


def query_scores(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per query: ``{"score": mean or None, "n": scored, "failed": failed, domain1, domain2, requirement}``."""
    acc: dict[str, dict[str, Any]] = {}
    for rec in records:
        q = acc.setdefault(
            str(rec["index"]), {"sum": 0.0, "n": 0, "failed": 0, **{g: rec.get(g, "") for g in GROUPS}}
        )
        if rec.get("error") or rec.get("score") is None:
            q["failed"] += 1
        else:
            q["sum"] += float(rec["score"])
            q["n"] += 1
    for q in acc.values():
        q["score"] = q.pop("sum") / q["n"] if q["n"] else None
    return acc


def aggregate(records: Iterable[dict[str, Any]], *, resamples: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Summary dict: overall, per group with CIs, per query, and counts of scored/failed criteria.

    Records are deduplicated by (index, criterion) first, so a record repeated in the input counts once.
    """
    final = select_final(records, lambda r: (str(r["index"]), str(r["criterion"]))).values()
    per_query = query_scores(final)
    scored = {i: q for i, q in per_query.items() if q["score"] is not None}
    summary: dict[str, Any] = {
        "scale": [1, 10],
        "overall": summarize([q["score"] for q in scored.values()], resamples=resamples, seed=seed),
        "criteria_scored": sum(q["n"] for q in per_query.values()),
        "criteria_failed": sum(q["failed"] for q in per_query.values()),
        "queries_unscored": sorted(i for i, q in per_query.items() if q["score"] is None),
    }
    for group in GROUPS:
        buckets: dict[str, list[float]] = defaultdict(list)
        for q in scored.values():
            if q[group]:
                buckets[q[group]].append(q["score"])
        summary[f"per_{group}"] = {
            k: summarize(v, resamples=resamples, seed=seed) for k, v in sorted(buckets.items())
        }
    summary["per_query"] = {
        i: {"score": q["score"], "n": q["n"], "failed": q["failed"]} for i, q in per_query.items()
    }
    return summary


def aggregate_metrics(
    rows: Iterable[dict[str, Any]], *, resamples: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Mean and CI of each numeric measured metric over responses (rows: ``{"metrics": {name: value}}``)."""
    buckets: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for name, value in (row.get("metrics") or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                buckets[name].append(float(value))
    return {k: summarize(v, resamples=resamples, seed=seed) for k, v in sorted(buckets.items())}
