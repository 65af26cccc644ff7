"""verl reward function: ``custom_reward_function.path=<this file> custom_reward_function.name=compute_score``.

verl's reward managers call ``compute_score(data_source=..., solution_str=..., ground_truth=...,
extra_info=..., **reward_kwargs)`` once per response and accept a float or a dict with a ``score`` key (the
other keys are logged as extra reward info). :func:`compute_score` returns ``{"score": float, <every reward
of the registry>: float, ...}``: ``score`` is the composite ``writing`` unless ``reward_kwargs`` names another
reward (``custom_reward_function.reward_kwargs.reward=slop``); a reward that does not apply is NaN in the
breakdown (``score`` is always a number).

Inputs, from the row's ``extra_info`` (a dict; every key optional): ``terms``, ``target_length``, ``lang``,
and the prompt as ``prompt`` or ``messages`` (a string or a message list; the one prompt rule of
:mod:`swift_scifi.rewards.inputs`). A dict ``ground_truth`` may carry the same keys (``extra_info`` wins); a
string ``ground_truth`` (a reference text) is not used. ``solution_str`` goes through the same normaliser
(think block removed).

verl loads this file by path, outside its package, so it imports only absolute names; verl itself is never
imported (it is not a dependency).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from swift_scifi.rewards.config import get_config
from swift_scifi.rewards.inputs import warn_once
from swift_scifi.rewards.registry import ALL_KEYS, COMPOSITE
from swift_scifi.rewards.scoring import score_one

NOT_APPLICABLE = math.nan


def compute_score(
    data_source: Any = None,
    solution_str: Any = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    reward: str = COMPOSITE,
    **_: Any,
) -> dict[str, float]:
    """``{"score": <reward>, **breakdown}`` for one response; never raises (bad input scores as empty)."""
    cfg = get_config()
    if extra_info is not None and not isinstance(extra_info, Mapping):
        warn_once("verl-extra-info", f"scifi verl: extra_info of type {type(extra_info).__name__} ignored")
        extra_info = None
    info = {**(ground_truth if isinstance(ground_truth, Mapping) else {}), **(extra_info or {})}
    key = reward if reward in ALL_KEYS else COMPOSITE
    if key != reward:
        warn_once(f"verl-reward-{reward}", f"scifi verl: unknown reward {reward!r}; scoring {COMPOSITE!r}")
    try:
        scores = score_one(
            solution_str,
            terms=info.get("terms"),
            target_length=info.get("target_length"),
            lang=info.get("lang"),
            prompt=info.get("prompt", info.get("messages")),
            cfg=cfg,
            term_forms=info.get("term_forms"),
        )
    except Exception as e:  # defensive: the scorers already catch their own errors
        warn_once("verl-batch", f"scifi verl: scoring failed ({e!r}); scored {cfg.empty_score}")
        scores = dict.fromkeys(ALL_KEYS, cfg.empty_score)
    main = scores.get(key)
    out = {"score": float(cfg.empty_score if main is None else main)}
    out.update({k: NOT_APPLICABLE if v is None else float(v) for k, v in scores.items()})
    return out
