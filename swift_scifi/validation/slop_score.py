"""slop-score's composite (sam-paech/slop-score, ``computeSlopScore``), per model and per item.

composite = 0.6 x slop words + 0.25 x not-x-but-y + 0.15 x slop trigrams, each metric min-max normalised
over the leaderboard rows with a 10% margin on both sides: ``(x - lo + m) / (hi - lo + 2m)``, ``m = 0.1 (hi
- lo)``. Units: slop words and trigrams per 1,000 words, contrasts per 1,000 characters. Range about 0-1 on
the leaderboard (items can fall outside); higher = more slop.
"""

from __future__ import annotations

from collections.abc import Iterable

METRICS = {  # item field (``official``) -> leaderboard field, weight
    "slop_words_per_1k": ("slop_list_matches_per_1k_words", 0.6),
    "contrast_per_1k_chars": ("not_x_but_y_per_1k_chars", 0.25),
    "slop_trigrams_per_1k": ("slop_trigram_matches_per_1k_words", 0.15),
}
MARGIN = 0.1

Bounds = dict[str, tuple[float, float]]


def bounds(rows: list[dict]) -> Bounds:
    """Per item metric: (lo, hi) after the margin, over the leaderboard rows."""
    out = {}
    for item_key, (lb_key, _) in METRICS.items():
        vals = [float(r["metrics"][lb_key]) for r in rows]
        lo, hi = min(vals), max(vals)
        m = MARGIN * (hi - lo)
        out[item_key] = (lo - m, hi + m)
    return out


def composite(metrics: dict[str, float], b: Bounds) -> float:
    """The composite of one set of metrics (item field names), normalised with ``b``."""
    return sum(
        w * (float(metrics[k]) - b[k][0]) / ((b[k][1] - b[k][0]) or 1.0) for k, (_, w) in METRICS.items()
    )


def leaderboard_composites(rows: list[dict]) -> dict[str, float]:
    """Model -> composite, from the leaderboard's own per-model metrics."""
    b = bounds(rows)
    return {r["model"]: composite({k: r["metrics"][lb] for k, (lb, _) in METRICS.items()}, b) for r in rows}


def pooled_metrics(items: Iterable[tuple[dict, int]]) -> dict[str, float]:
    """Metrics of several items taken as one text: per-word rates weighted by words, the contrast rate by
    characters. ``items``: (official metrics, characters of the text)."""
    words = chars = 0.0
    sw = st = sc = 0.0
    for off, n_chars in items:
        n = float(off["n_words"])
        words += n
        chars += n_chars
        sw += off["slop_words_per_1k"] * n
        st += off["slop_trigrams_per_1k"] * n
        sc += off["contrast_per_1k_chars"] * n_chars
    return {
        "slop_words_per_1k": sw / max(words, 1.0),
        "slop_trigrams_per_1k": st / max(words, 1.0),
        "contrast_per_1k_chars": sc / max(chars, 1.0),
    }
