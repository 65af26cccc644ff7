"""Slop: density of overused AI phrasing, per 1,000 units (字 + English words).

Phrase lists live in ``swift_scifi/data/slop/{en,zh}.txt`` (provenance in the README there). Both lists
go into one Aho-Corasick automaton over the lower-cased text; Latin phrases must match whole words.
``density = hits * 1000 / max(length, 1)`` and score (0-1, higher is better) ``= s / (s + density)``
with ``s = slop_scale`` (so the score is 0.5 at ``s`` hits per 1,000 units and 1 with no hits).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .config import DEFAULTS, RewardConfig
from .view import TextView

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD_CHAR = re.compile(r"[a-z0-9\u00c0-\u024f]")


def load_phrases(lang: str) -> list[str]:
    """The bundled slop phrases for ``lang`` ('en' or 'zh'), lower-cased, without comments."""
    raw = (DATA_DIR / "slop" / f"{lang}.txt").read_text(encoding="utf-8")
    return [ln.strip().lower() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _automaton():
    import ahocorasick

    a = ahocorasick.Automaton()
    for lang in ("en", "zh"):
        for p in load_phrases(lang):
            a.add_word(p, (len(p), p, p[0].isascii(), p[-1].isascii()))
    a.make_automaton()
    return a


def slop_hits(view: TextView) -> list[str]:
    """Every slop phrase occurrence in the text, in order of its end."""
    low = view.lower
    n = len(low)
    out = []
    for end, (k, phrase, latin_start, latin_end) in _automaton().iter(low):
        start = end - k + 1
        if latin_start and start > 0 and _WORD_CHAR.match(low[start - 1]):
            continue
        if latin_end and end + 1 < n and _WORD_CHAR.match(low[end + 1]):
            continue
        out.append(phrase)
    return out


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
