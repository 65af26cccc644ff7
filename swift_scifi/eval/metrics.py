"""Measured (non-judge) metrics per response, from the reward scorers in :mod:`swift_scifi.rewards`.

Every row has ``length`` (CJK characters + English words). The reward scorers add their breakdown
(length score, repetition, slop, term consistency) when :mod:`swift_scifi.rewards` is installed.
"""

from __future__ import annotations

import logging
from typing import Any

from ..text import count_length, detect_lang
from .records import Query

logger = logging.getLogger("swift_scifi.eval")
_warned = False


def _score_text():
    global _warned
    try:
        from ..rewards import score_text
    except ImportError as exc:
        if not _warned:
            logger.warning("measured metrics unavailable (swift_scifi.rewards: %s); only length is reported", exc)
            _warned = True
        return None
    return score_text


def measure(query: Query, response: str) -> dict[str, Any]:
    """``{"index", "length", "metrics": {name: float}}`` for one response (never raises on bad text)."""
    row: dict[str, Any] = {"index": query.index, "length": count_length(response), "metrics": {}}
    score_text = _score_text()
    if score_text is None:
        return row
    try:
        row["metrics"] = score_text(response, terms=query.extra.get("terms"),
                                    target_length=query.extra.get("target_length"),
                                    lang=query.extra.get("lang") or detect_lang(query.query), prompt=query.query)
    except Exception as exc:  # a metric failure must not stop the evaluation
        row["error"] = f"{type(exc).__name__}: {exc}"
    return row
