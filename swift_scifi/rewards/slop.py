"""Slop: density of overused AI phrasing, per 1,000 units (字 + English words).

Phrase lists live in ``swift_scifi/data/slop/{en,zh}.txt`` (provenance in the README there). Both lists
are matched case-insensitively, ASCII-edged phrases as whole words, in the one pattern pass that also
counts the principle checks (:func:`principles.rule_matches`).
``density = hits * 1000 / max(length, 1)`` and score (0-1, higher is better) ``= s / (s + density)``
with ``s = slop_scale`` (so the score is 0.5 at ``s`` hits per 1,000 units and 1 with no hits).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .config import DEFAULTS, RewardConfig
from .view import TextView

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load_phrases(lang: str) -> list[str]:
    """The bundled slop phrases for ``lang`` ('en' or 'zh'), lower-cased, without comments."""
    raw = (DATA_DIR / "slop" / f"{lang}.txt").read_text(encoding="utf-8")
    return [ln.strip().lower() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


def slop_hits(view: TextView) -> list[str]:
    """Every slop phrase occurrence in the text, in order of its end."""
    from .principles import rule_matches

    return rule_matches(view)[1]


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
