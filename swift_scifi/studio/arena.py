"""Blind-arena leaderboard: Bradley-Terry strengths of models from pairwise votes, with bootstrap CIs.

Model: P(i beats j) = p_i / (p_i + p_j). Fitted by Newton's method on the aggregated win matrix (all
bootstrap resamples at once), with a weak prior: every model also plays one virtual tie against a fixed reference of strength 1,
which keeps strengths finite for a model that never lost (or never won) and fixes the scale.

Votes: "a"/"b" are a win for that side; "tie" is half a win to each; "both_bad" says nothing about which
is better and is left out (it is still counted in ``votes``, the number of battles a model was in).
Votes between two candidates of the same model are left out too.

Score: 1000 + 400 * log10(p) (Elo-like points; a 400-point gap is 10:1 odds). CIs: percentile bootstrap
over votes (resampled with replacement, ``n_boot`` times; all resamples fitted at once, vectorised).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

OUTCOME_WIN_A = {"a": 1.0, "b": 0.0, "tie": 0.5}
PRIOR_TIES = 1.0  # virtual ties per model against the reference (strength 1)
MAX_ITER = 100
TOL = 1e-9


def fit_strengths(wins: np.ndarray, prior: float = PRIOR_TIES) -> np.ndarray:
    """Bradley-Terry log-strengths from ``wins[..., i, j]`` (wins of i over j, ties as halves), batched
    over leading axes: shape (..., m, m) -> (..., m); 0 is the reference's strength.

    Maximises the penalised log-likelihood by Newton's method (steps capped at 2 nats; the prior's
    virtual ties make it strictly concave, so it converges in a few dozen steps even for unbeaten models).
    """
    games = wins + np.swapaxes(wins, -1, -2)
    grad_const = wins.sum(-1) + prior / 2
    theta = np.zeros(wins.shape[:-1])
    eye = np.eye(wins.shape[-1], dtype=bool)
    for _ in range(MAX_ITER):
        sig = 1.0 / (1.0 + np.exp(theta[..., None, :] - theta[..., :, None]))  # P(i beats j)
        sig_ref = 1.0 / (1.0 + np.exp(-theta))
        grad = grad_const - (games * sig).sum(-1) - prior * sig_ref
        curv = games * sig * (1.0 - sig)
        hess = np.where(eye, 0.0, curv)
        diag = -curv.sum(-1) - prior * sig_ref * (1.0 - sig_ref)
        hess = hess + eye * diag[..., None, :]
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        step = np.clip(step, -2.0, 2.0)
        theta = theta - step
        if np.max(np.abs(step)) < TOL:
            break
    return theta


def _scores(theta: np.ndarray) -> np.ndarray:
    return 1000.0 + 400.0 * theta / np.log(10.0)


def leaderboard(
    battles: Iterable[tuple[str, str, str]], n_boot: int = 200, seed: int = 0, alpha: float = 0.05
) -> list[dict]:
    """Rank models from ``(model_a, model_b, outcome)`` votes (see module doc). Returns dicts with model,
    score, ci_low, ci_high (the ``1 - alpha`` percentile interval; equal to score when ``n_boot`` is 0)
    and votes (battles the model took part in, both_bad included), best first."""
    battles = list(battles)
    models = sorted({m for a, b, _ in battles for m in (a, b)})
    m = len(models)
    if m == 0:
        return []
    index = {name: i for i, name in enumerate(models)}
    codes = {o: k for k, o in enumerate(OUTCOME_WIN_A)}
    a_idx = np.fromiter((index[a] for a, _, _ in battles), dtype=np.int64, count=len(battles))
    b_idx = np.fromiter((index[b] for _, b, _ in battles), dtype=np.int64, count=len(battles))
    o_idx = np.fromiter((codes.get(o, -1) for _, _, o in battles), dtype=np.int64, count=len(battles))
    n_votes = np.bincount(a_idx, minlength=m) + np.bincount(b_idx[b_idx != a_idx], minlength=m)
    useful = (o_idx >= 0) & (a_idx != b_idx)
    cell, counts = np.unique(
        (a_idx[useful] * m + b_idx[useful]) * len(codes) + o_idx[useful], return_counts=True
    )
    counts = counts.astype(float)
    ia, ib = (cell // len(codes)) // m, (cell // len(codes)) % m
    wa = np.array(list(OUTCOME_WIN_A.values()))[cell % len(codes)]

    def win_matrix(weights: np.ndarray) -> np.ndarray:
        """weights: (B, n_cells) counts per cell -> (B, m, m) win matrices (one bincount per side)."""
        size = weights.shape[0] * m * m
        base = np.arange(weights.shape[0])[:, None] * (m * m)
        w = np.bincount((base + ia * m + ib).ravel(), (weights * wa).ravel(), minlength=size)
        w += np.bincount((base + ib * m + ia).ravel(), (weights * (1.0 - wa)).ravel(), minlength=size)
        return w.reshape(-1, m, m)

    score = _scores(fit_strengths(win_matrix(counts[None, :]))[0])
    low = high = score
    if n_boot > 0 and len(cell):
        rng = np.random.default_rng(seed)
        total = int(counts.sum())
        boot = rng.multinomial(total, counts / total, size=n_boot).astype(float)
        boot_scores = _scores(fit_strengths(win_matrix(boot)))
        low, high = np.percentile(boot_scores, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    order = np.argsort(-score, kind="stable")
    return [
        {
            "model": models[i],
            "score": float(score[i]),
            "ci_low": float(low[i]),
            "ci_high": float(high[i]),
            "votes": int(n_votes[i]),
        }
        for i in order
    ]
