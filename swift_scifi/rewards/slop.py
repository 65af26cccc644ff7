"""Slop: density of overused AI phrasing, per 1,000 units (字 + English words).

Phrase lists live in ``swift_scifi/data/slop/{en,zh}.txt`` (provenance in the README there). Both lists
are matched case-insensitively, ASCII-edged phrases as whole words, in the one pattern pass that also
counts the principle checks (:func:`scan.scan`).
``density = hits * 1000 / max(length, 1)`` and score (0-1, higher is better) ``= s / (s + density)``
with ``s = slop_scale`` (so the score is 0.5 at ``s`` hits per 1,000 units and 1 with no hits).
"""

from __future__ import annotations

from collections import Counter

from .config import DEFAULTS, RewardConfig
from .scan import scan
from .slop_lists import DATA_DIR, load_phrases
from .view import TextView

__all__ = ["DATA_DIR", "load_phrases", "slop_hits", "slop_report", "slop_score"]


def slop_hits(view: TextView) -> list[str]:
    """Every slop phrase occurrence in the text, in order of its end."""
    return scan(view).slop


def slop_report(view: TextView, cfg: RewardConfig = DEFAULTS) -> dict:
    """hits, density per 1,000 units, the phrases found (with counts) and the score."""
    hits = slop_hits(view)
    density = len(hits) * 1000 / max(view.length, 1)
    return {
        "hits": len(hits),
        "density": density,
        "phrases": dict(Counter(hits).most_common()),
        "score": cfg.slop_scale / (cfg.slop_scale + density),
    }


def slop_score(view: TextView, cfg: RewardConfig = DEFAULTS) -> float:
    """Slop score in [0, 1]; 1 = no slop phrase."""
    hits = slop_hits(view)
    density = len(hits) * 1000 / max(view.length, 1)
    return cfg.slop_scale / (cfg.slop_scale + density)
