"""Thin ms-swift ORM adapters: ``orms['scifi_*'](args=...)(completions, **columns) -> list[float | None]``.

Columns read: ``terms`` (list[str]), ``target_length`` (int), ``lang`` ('zh'/'en', detected when absent)
and ``messages`` (the prompt: length targets and quoted names are parsed from it). ms-swift logs each
reward as ``rewards/<ClassName>/mean``, e.g. ``rewards/ScifiTermConsistency/mean``.
Importing this module imports ms-swift; ``swift_scifi.rewards`` itself does not.
"""

from __future__ import annotations

from typing import Any

from swift.rewards import ORM

from .config import get_config
from .inputs import column, warn_once
from .scoring import COLUMNS, score_columns


class _ScifiReward(ORM):
    """Scores one key of :func:`score_one` per completion; never raises into the trainer."""

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
            return [row[self.key] for row in score_columns(completions, cols, cfg, only=(self.key,))]
        except Exception as e:  # defensive: the scorers already catch their own errors
            warn_once(
                f"orm-{self.key}",
                f"scifi_{self.key}: batch failed ({e!r}); every completion scored {cfg.empty_score}",
            )
            return [cfg.empty_score] * n


class ScifiTermConsistency(_ScifiReward):
    """Established terms used as written; near-miss variants penalised. 0-1; None without terms."""

    key = "term_consistency"


class ScifiPrinciples(_ScifiReward):
    """Weighted adherence to the rule-checkable writing principles. 0-1."""

    key = "principles"


class ScifiLength(_ScifiReward):
    """LongWriter's S_l against ``target_length`` or a length parsed from the prompt. 0-1; None without a target."""

    key = "length"


class ScifiRepetition(_ScifiReward):
    """Character/word n-gram loops and duplicated paragraphs. 0-1 (1 = no repetition)."""

    key = "repetition"


class ScifiSlop(_ScifiReward):
    """Density of overused AI phrasing per 1,000 字/words. 0-1 (1 = none)."""

    key = "slop"


class ScifiWriting(_ScifiReward):
    """Weighted composite of the rewards above (weights in the reward config). 0-1."""

    key = "writing"


REWARDS: dict[str, type[ORM]] = {
    "scifi_term_consistency": ScifiTermConsistency,
    "scifi_principles": ScifiPrinciples,
    "scifi_length": ScifiLength,
    "scifi_repetition": ScifiRepetition,
    "scifi_slop": ScifiSlop,
    "scifi_writing": ScifiWriting,
}


def register_rewards() -> None:
    """Add the ``scifi_*`` rewards to ``swift.rewards.orms`` (idempotent).

    Loads and validates the reward config (``$SCIFI_REWARD_CONFIG``) and the bundled data files now, so a
    bad config or data file fails at startup rather than mid-training.
    """
    from swift.rewards import orms

    from .principles import _suite  # compiles the principle and slop patterns of each language

    get_config()
    _suite("zh")
    _suite("en")
    for name, cls in REWARDS.items():
        orms[name] = cls
