"""Slop: LLM-typical phrasing (words, phrases, contrast frames, clichés), each weighted by how much more often
LLMs write it than people do.

Data: :mod:`slop_lists` (``data/slop/weights.json``, fitted by ``scripts/fit_slop_weights.py``; weights in
(0, 1], ``min(1, log-odds / 3)``). Score, in weighted hits (range 0-1, higher is better):

- hits: every match of the shared pattern pass (:mod:`scan`); where matches overlap only the heaviest counts
  (a phrase inside a longer one counts once), and a phrase a principle also counts is left to it;
- ``dense``: the largest total weight of hits inside any stretch of ``window`` characters (the formula's
  ``window_chars``: 5,800 for English, 1,200 for Chinese, about 1,000 words or 字; the whole text when it is
  shorter). It is a density per ~1,000 units with the window as a length floor;
- ``excess = max(0, dense - allowance)`` (``slop_allowance``, default 2: clean human prose rarely has more
  than two weighted hits in 1,000 units);
- ``score = s / (s + excess)``, ``s = slop_scale`` (default 20: 0.5 at 20 weighted hits over the allowance).

No dilution: text added before or after a completion, or anywhere except between two hits, leaves every
window's hits in place, so ``dense`` never falls and the score never rises. Only spreading hits more than a
window apart lowers it, which is what lower slop density is.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .config import DEFAULTS, RewardConfig
from .scan import scan
from .slop_lists import DATA_DIR, data_version, load_phrases, load_weights, slop_index
from .view import TextView

__all__ = ["DATA_DIR", "data_version", "load_phrases", "slop_hits", "slop_report", "slop_score"]


def slop_hits(view: TextView) -> list[tuple[int, int, int]]:
    """(entry index, start, end) of every counted hit, in order, from the shared pattern pass."""
    return scan(view).slop


def window_chars(lang: str) -> int:
    """The window of :func:`densest`, in characters, for ``lang`` (from the weights file's formula)."""
    w = load_weights()["formula"]["window_chars"]
    return int(w.get(lang, w["en"]))


def densest(hits: list[tuple[int, int, int]], weights: list[float], window: int) -> float:
    """The largest total weight of hits whose ends lie within ``window`` characters of each other."""
    best = total = 0.0
    lo = 0
    for i, _, end in hits:
        total += weights[i]
        while hits[lo][2] <= end - window:
            total -= weights[hits[lo][0]]
            lo += 1
        best = max(best, total)
    return best


def _penalty(view: TextView, cfg: RewardConfig) -> tuple[list[tuple[int, int, int]], float, float]:
    hits = slop_hits(view)
    if not hits:
        return hits, 0.0, 0.0
    dense = densest(hits, slop_index().weights, window_chars(view.lang))
    return hits, dense, max(0.0, dense - cfg.slop_allowance)


def slop_score(view: TextView, cfg: RewardConfig = DEFAULTS) -> float:
    """Slop score in (0, 1]; 1 = at most ``slop_allowance`` weighted hits in any ~1,000-unit stretch."""
    _, _, excess = _penalty(view, cfg)
    return cfg.slop_scale / (cfg.slop_scale + excess)


def slop_report(view: TextView, cfg: RewardConfig = DEFAULTS) -> dict[str, Any]:
    """The score and its parts: hits, total and densest weight, excess over the allowance, the phrases found
    (with counts) and every match (text, weight, kind, character offset); ``version`` of the slop data."""
    hits, dense, excess = _penalty(view, cfg)
    entries = slop_index().entries
    matches = [
        {
            "text": view.text[s:e],
            "entry": entries[i].text,
            "kind": entries[i].kind,
            "weight": entries[i].weight,
            "start": s,
        }
        for i, s, e in hits
    ]
    return {
        "hits": len(hits),
        "weighted": round(sum(m["weight"] for m in matches), 4),
        "dense": round(dense, 4),
        "excess": round(excess, 4),
        "phrases": dict(Counter(entries[i].text for i, _, _ in hits).most_common()),
        "matches": matches,
        "score": cfg.slop_scale / (cfg.slop_scale + excess),
        "version": data_version(),
    }
