"""The composite ``writing`` reward: a weighted mean of the sub-rewards that apply.

``writing = sum(w_k * s_k) / sum(w_k)`` over the rewards k with a score (not None) and ``w_k > 0``;
weights come from ``RewardConfig.weights`` (default 1 each). Range [0, 1]; None when nothing applies.
"""

from __future__ import annotations

from .config import DEFAULTS, REWARD_NAMES, RewardConfig


def writing_score(scores: dict[str, float | None], cfg: RewardConfig = DEFAULTS) -> float | None:
    """Weighted mean of the available sub-scores in ``scores`` (keys from REWARD_NAMES)."""
    num = den = 0.0
    for name in REWARD_NAMES:
        s, w = scores.get(name), cfg.weight_of(name)
        if s is not None and w > 0:
            num += w * s
            den += w
    return num / den if den else None
