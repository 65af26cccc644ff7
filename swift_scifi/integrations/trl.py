"""TRL reward functions: ``GRPOTrainer(reward_funcs=[scifi_writing, scifi_slop, ...])``.

TRL (>= 0.29) calls each function as ``f(prompts=..., completions=..., completion_ids=..., **columns)`` with
every other dataset column as a list aligned with the completions, and logs ``rewards/<function name>/mean``.
Prompts and completions are strings (standard datasets) or message lists (conversational datasets); both go
through the one input normaliser (:mod:`swift_scifi.rewards.inputs`). Columns read: ``terms``,
``target_length``, ``lang``. Each function returns ``list[float | None]`` (None where the reward does not
apply; TRL turns it into NaN and leaves it out of the weighted sum). Never raises into the trainer.

There is one function per entry of :data:`swift_scifi.rewards.registry.REWARDS` plus the composite
``scifi_writing``; :func:`reward_funcs` lists them by name. This module imports neither TRL nor torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from swift_scifi.rewards.config import get_config
from swift_scifi.rewards.inputs import column, warn_once
from swift_scifi.rewards.registry import ALL_KEYS
from swift_scifi.rewards.scoring import score_columns

RewardFunc = Callable[..., list[float | None]]


def make_reward_func(key: str) -> RewardFunc:
    """The TRL reward function for reward ``key`` of the registry (or ``'writing'``), named ``scifi_<key>``."""
    if key not in ALL_KEYS:
        raise ValueError(f"unknown scifi reward {key!r}; known: {list(ALL_KEYS)}")

    def reward(prompts: Any = None, completions: Any = None, **columns: Any) -> list[float | None]:
        cfg = get_config()
        completions = list(completions or [])
        n = len(completions)
        try:
            names = ("terms", "target_length", "lang", "term_forms")
            cols = {name: column(columns, name, n) for name in names}
            cols["messages"] = column({"prompts": prompts}, "prompts", n)
            return [row[key] for row in score_columns(completions, cols, cfg, only=(key,))]
        except Exception as e:  # defensive: the scorers already catch their own errors
            warn_once(
                f"trl-{key}", f"scifi_{key}: batch failed ({e!r}); every completion scored {cfg.empty_score}"
            )
            return [cfg.empty_score] * n

    reward.__name__ = reward.__qualname__ = f"scifi_{key}"
    reward.__doc__ = f"TRL reward function: the scifi {key!r} score (0-1) of each completion."
    return reward


REWARD_FUNCS: dict[str, RewardFunc] = {f"scifi_{key}": make_reward_func(key) for key in ALL_KEYS}
globals().update(REWARD_FUNCS)  # scifi_writing, scifi_slop, ... importable by name


def reward_funcs(*names: str) -> list[RewardFunc]:
    """The TRL reward functions named (``'writing'`` or ``'scifi_writing'``); all of them when none is."""
    if not names:
        return list(REWARD_FUNCS.values())
    out = []
    for name in names:
        key = name if name.startswith("scifi_") else f"scifi_{name}"
        if key not in REWARD_FUNCS:
            raise ValueError(f"unknown scifi reward {name!r}; known: {list(REWARD_FUNCS)}")
        out.append(REWARD_FUNCS[key])
    return out
