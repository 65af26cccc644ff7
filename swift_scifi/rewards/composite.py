"""The composite ``writing`` reward: hard gates times a weighted mean of the soft rewards.

``writing = Π_g s_g × Σ_k w_k·s_k / Σ_k w_k`` (range [0, 1]; None when no soft reward applies), where
- the gates ``g`` are the registry's rewards with ``role='gate'``: ``format`` (``(1 - format_penalty) **
  failures``, :mod:`format`: one assistant preamble, heading, list, bold, label or closing offer gives 0.4 by
  default) and ``fluency`` (1 for language, ~0 for gibberish, :mod:`fluency`); a missing gate counts 1;
- the soft rewards ``k`` are the registry's rewards with ``role='soft'`` that apply (score not None) and have
  ``w_k > 0``; ``w_k`` is the registry's weight (1 each) unless ``RewardConfig.weights`` overrides it.
So one format failure costs more than any amount of slop: slop is one soft part of at least three (with the
default weights it can lower the mean by at most 1/3, to 0.67), a failure multiplies by 0.4. The gates are
counts and classifications, not densities, so padding a text never dilutes them.
"""

from __future__ import annotations

from .config import DEFAULTS, RewardConfig
from .registry import GATES, REWARDS, SOFT

# (config, its positive soft weights), replaced as one tuple (thread-safe): one config scores a whole batch
_last_weights: list[tuple[RewardConfig | None, tuple[tuple[str, float], ...]]] = [(None, ())]


def _soft_weights(cfg: RewardConfig) -> tuple[tuple[str, float], ...]:
    """(name, weight) of the soft rewards whose weight in ``cfg`` is above 0, in registry order."""
    last_cfg, weights = _last_weights[0]
    if last_cfg is not cfg:
        got = ((name, cfg.weight_of(name, REWARDS[name].weight)) for name in SOFT)
        weights = tuple((name, w) for name, w in got if w > 0)
        _last_weights[0] = (cfg, weights)
    return weights


def soft_mean(scores: dict[str, float | None], cfg: RewardConfig = DEFAULTS) -> float | None:
    """Weighted mean of the available soft sub-scores in ``scores``; None when none applies."""
    num = den = 0.0
    for name, w in _soft_weights(cfg):
        s = scores.get(name)
        if s is not None:
            num += w * s
            den += w
    return num / den if den else None


def gate_product(scores: dict[str, float | None]) -> float:
    """Product of the gate scores present in ``scores`` (a missing gate counts 1)."""
    g = 1.0
    for name in GATES:
        s = scores.get(name)
        if s is not None:
            g *= s
    return g


def writing_score(scores: dict[str, float | None], cfg: RewardConfig = DEFAULTS) -> float | None:
    """``gate_product × soft_mean`` in [0, 1]; None when no soft reward applies."""
    soft = soft_mean(scores, cfg)
    return None if soft is None else gate_product(scores) * soft
