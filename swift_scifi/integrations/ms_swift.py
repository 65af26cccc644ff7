"""ms-swift ORM adapters: ``orms['scifi_<name>'](args=...)(completions, **columns) -> list[float | None]``,
one class per entry of the reward registry (:data:`swift_scifi.rewards.registry.REWARDS`) plus the
composite ``scifi_writing``.

Callers:
- ``swift rlhf --rlhf_type grpo --reward_funcs scifi_slop ...``: completions are strings; columns ``terms``
  (list[str]), ``target_length`` (int), ``lang`` ('zh'/'en', detected when absent) and ``messages`` (the
  prompt: length targets and quoted names are parsed from it);
- ``swift sample --orm_model scifi_writing ...``: completions are ``InferRequest`` objects whose last assistant
  turn is the completion; the prompt and the columns come from the same request.
Both go through the one input normaliser (:mod:`swift_scifi.rewards.inputs`). ms-swift logs each reward as
``rewards/<ClassName>/mean``, e.g. ``rewards/ScifiTermConsistency/mean``.
Importing this module imports ms-swift; ``swift_scifi.rewards`` itself does not.
"""

from __future__ import annotations

from typing import Any

from swift.rewards import ORM

from ..rewards.config import get_config
from ..rewards.inputs import column, warn_once
from ..rewards.registry import COMPOSITE, COMPOSITE_DOC, COMPOSITE_ORM, REWARDS
from ..rewards.scoring import COLUMNS, score_columns

NOT_APPLICABLE = 0.5  # under `swift sample`, the score of a reward that does not apply (e.g. no target)


class ScifiReward(ORM):
    """Scores reward ``key`` of the registry for each completion; never raises into the trainer."""

    key = ""

    def __call__(self, completions: list[Any], **kwargs: Any) -> list[float | None]:
        cfg = get_config()
        try:
            completions = list(completions) if completions is not None else []
        except TypeError:
            completions = [completions]
        n = len(completions)
        try:
            cols = {name: column(kwargs, name, n) for name in COLUMNS}
            sampling = any(not isinstance(c, str) and hasattr(c, "messages") for c in completions)
            if sampling and all(m is None for m in cols["messages"]):
                cols["messages"] = completions  # swift sample: the prompt is in each InferRequest
            scores = [row[self.key] for row in score_columns(completions, cols, cfg, only=(self.key,))]
            # swift sample needs floats: a reward that does not apply is neutral for every candidate
            return [NOT_APPLICABLE if s is None else s for s in scores] if sampling else scores
        except Exception as e:  # defensive: the scorers already catch their own errors
            warn_once(
                f"orm-{self.key}",
                f"scifi_{self.key}: batch failed ({e!r}); every completion scored {cfg.empty_score}",
            )
            return [cfg.empty_score] * n


def _orm_class(name: str, key: str, doc: str) -> type[ScifiReward]:
    return type(name, (ScifiReward,), {"key": key, "__doc__": doc, "__module__": __name__})


REWARD_CLASSES: dict[str, type[ScifiReward]] = {
    f"scifi_{key}": _orm_class(r.orm, key, r.doc) for key, r in REWARDS.items()
}
REWARD_CLASSES[f"scifi_{COMPOSITE}"] = _orm_class(COMPOSITE_ORM, COMPOSITE, COMPOSITE_DOC)
globals().update({cls.__name__: cls for cls in REWARD_CLASSES.values()})  # ScifiSlop, ScifiWriting, ...


def register_rewards() -> None:
    """Add the ``scifi_*`` rewards to ``swift.rewards.orms`` (idempotent).

    Loads and validates the reward config (``$SCIFI_REWARD_CONFIG``) and the bundled data files now, and
    compiles the scorers (:func:`swift_scifi.rewards.warmup.warmup`), so a bad config or data file fails at
    startup rather than mid-training, and the first training step does not pay the compile.
    """
    from swift.rewards import orms

    from ..rewards.scan import scanner
    from ..rewards.warmup import warmup

    get_config()
    scanner("zh")
    scanner("en")
    warmup()
    for name, cls in REWARD_CLASSES.items():
        orms[name] = cls
