"""Rank statistics in numpy: average ranks, Spearman's rho and the Mann-Whitney AUC."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rankdata(x: Sequence[float]) -> np.ndarray:
    """Ranks 1..n, ties given their average rank (as ``scipy.stats.rankdata``)."""
    a = np.asarray(x, dtype=float)
    order = np.argsort(a, kind="mergesort")
    sa = a[order]
    ranks = np.empty(len(a), dtype=float)
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and sa[j + 1] == sa[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho in [-1, 1]; None with fewer than 3 pairs or a constant side."""
    if len(x) != len(y) or len(x) < 3:
        return None
    rx, ry = rankdata(x), rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def auc(pos: Sequence[float], neg: Sequence[float]) -> float | None:
    """P(a ``pos`` value > a ``neg`` value) + P(tie) / 2, in [0, 1]; None when a side is empty."""
    if not len(pos) or not len(neg):
        return None
    r = rankdata(list(pos) + list(neg))
    n1, n2 = len(pos), len(neg)
    return float((r[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n2))
