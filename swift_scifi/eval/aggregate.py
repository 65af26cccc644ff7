"""WritingBench-style aggregation: criterion scores → query means → overall / domain / requirement means.

A query's score is the mean of its successfully scored criteria (1..10). Groups (each ``domain1``,
``domain2`` and requirement subset) average their queries' scores. The overall score follows the protocol:
``query_mean`` (mean of query means, the project's default) or ``criterion_weighted`` (every criterion score
counts once, WritingBench's Overall); both are reported. Bootstrap 95% CIs resample queries. Failed criteria
are counted, never scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from .bootstrap import summarize
from .journal import select_final
from .protocol import overall_mean

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


def weighted_summary(
    means: list[float], counts: list[int], *, resamples: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """``{"mean", "ci95", "n"}`` of the criterion-weighted mean; the CI resamples queries (clusters)."""
    m, w = np.asarray(means, dtype=float), np.asarray(counts, dtype=float)
    mean = overall_mean(zip(means, counts, strict=True), "criterion_weighted")
    if m.size < 2:
        return {"mean": mean, "ci95": [mean, mean], "n": int(m.size)}
    idx = np.random.default_rng(seed).integers(0, m.size, size=(resamples, m.size))
    boot = (m[idx] * w[idx]).sum(axis=1) / w[idx].sum(axis=1)
    low, high = np.quantile(boot, [0.025, 0.975])
    return {"mean": mean, "ci95": [float(low), float(high)], "n": int(m.size)}


def aggregate(
    records: Iterable[dict[str, Any]],
    *,
    resamples: int = 2000,
    seed: int = 0,
    aggregation: str = "query_mean",
) -> dict[str, Any]:
    """Summary dict: overall (by ``aggregation``), per group with CIs, per query, scored/failed counts.

    Records are deduplicated by (index, criterion) first, so a record repeated in the input counts once.
    """
    final = select_final(records, lambda r: (str(r["index"]), str(r["criterion"]))).values()
    per_query = query_scores(final)
    scored = {i: q for i, q in per_query.items() if q["score"] is not None}
    by_query = summarize([q["score"] for q in scored.values()], resamples=resamples, seed=seed)
    by_criterion = weighted_summary(
        [q["score"] for q in scored.values()],
        [q["n"] for q in scored.values()],
        resamples=resamples,
        seed=seed,
    )
    summary: dict[str, Any] = {
        "scale": [1, 10],
        "aggregation": aggregation,
        "overall": by_criterion if aggregation == "criterion_weighted" else by_query,
        "overall_query_mean": by_query,
        "overall_criterion_weighted": by_criterion,
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
