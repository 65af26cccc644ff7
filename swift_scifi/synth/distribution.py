"""Summary of a list of numbers for the quality reports of synth runs."""

from __future__ import annotations

from collections.abc import Sequence


def distribution(xs: Sequence[float]) -> dict[str, float]:
    """``{mean, min, p10, p50, p90, max}`` of ``xs`` rounded to 4 places (nearest-rank quantiles); ``{}``
    when empty."""
    xs = sorted(xs)
    if not xs:
        return {}
    q = {f"p{int(p * 100)}": round(xs[min(int(p * len(xs)), len(xs) - 1)], 4) for p in (0.1, 0.5, 0.9)}
    return {"mean": round(sum(xs) / len(xs), 4), "min": round(xs[0], 4), **q, "max": round(xs[-1], 4)}
