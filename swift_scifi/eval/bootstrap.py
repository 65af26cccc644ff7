"""Percentile bootstrap confidence intervals for a mean."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bootstrap_ci(
    values: Sequence[float], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """(low, high) percentile-bootstrap interval of the mean of ``values`` at ``level`` (0..1).

    One value gives a zero-width interval; no values gives (nan, nan). Deterministic for a given seed.
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return (float("nan"), float("nan"))
    if arr.size == 1:
        return (float(arr[0]), float(arr[0]))
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (float(low), float(high))


def summarize(values: Sequence[float], **kwargs: float) -> dict[str, float | int | list[float]]:
    """``{"mean", "ci95": [low, high], "n"}`` of ``values`` (mean is nan when empty)."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean()) if arr.size else float("nan")
    return {"mean": mean, "ci95": list(bootstrap_ci(arr, **kwargs)), "n": int(arr.size)}
