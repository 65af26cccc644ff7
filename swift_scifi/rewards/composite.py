"""The composite ``writing`` reward: a weighted mean of the sub-rewards that apply.

``writing = sum(w_k * s_k) / sum(w_k)`` over the rewards k of :data:`registry.REWARDS` with a score (not
None) and ``w_k > 0``; ``w_k`` is the registry's weight (1 each) unless ``RewardConfig.weights`` overrides it.
Range [0, 1]; None when nothing applies.
"""

from __future__ import annotations

from .config import DEFAULTS, RewardConfig
from .registry import REWARDS


def writing_score(scores: dict[str, float | None], cfg: RewardConfig = DEFAULTS) -> float | None:
    """Weighted mean of the available sub-scores in ``scores`` (keys of the reward registry)."""
    num = den = 0.0
    for name, reward in REWARDS.items():
        s, w = scores.get(name), cfg.weight_of(name, reward.weight)
        if s is not None and w > 0:
            num += w * s
            den += w
    return num / den if den else None
