"""Measured (non-judge) metrics per response, from the reward scorers in :mod:`swift_scifi.rewards`.

Each row: ``length`` (CJK characters + English words) and ``metrics`` = :func:`swift_scifi.rewards.score_text`
(length score, repetition, slop, term consistency, principles, writing; each 0-1, higher is better, None
where a reward does not apply, e.g. length score without a target).
"""

from __future__ import annotations

from typing import Any

from ..text import count_length
from .records import Query


def measure(query: Query, response: str) -> dict[str, Any]:
    """``{"index", "length", "metrics": {name: float | None}}`` for one response (score_text never raises)."""
    from ..rewards import score_text

    metrics = score_text(
        response,
        terms=query.extra.get("terms"),
        target_length=query.extra.get("target_length"),
        lang=query.extra.get("lang"),
        prompt=query.query,
    )
    return {"index": query.index, "length": count_length(response), "metrics": metrics}
