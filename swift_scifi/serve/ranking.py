"""Order candidate passages by the reward scorers: pure functions, no I/O.

Each reward is in [0, 1], higher is better, or None where it does not apply (no terms, no length target).
A candidate's total is by default the mean of the ``writing`` composite of the rewards package and, when the
LLM judge is on, its ``judge`` score; with ``weights`` it is the weighted mean of the listed rewards that
apply (unlisted rewards weigh 0). Ties keep the backend's order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from swift_scifi.text import strip_think

Scorer = Callable[..., dict[str, float]]
DEFAULT_WEIGHTS = {"writing": 1.0, "judge": 1.0}


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate after ranking. ``index`` is its position in the input; ``rank`` 0 is the best."""

    index: int
    rank: int
    text: str
    score: float
    rewards: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The documented ``scifi`` extension field of a choice (text left out)."""
        return {
            "rank": self.rank,
            "candidate_index": self.index,
            "score": self.score,
            "rewards": self.rewards,
        }


def default_scorer() -> Scorer:
    """``swift_scifi.rewards.score_text``, imported on first use."""
    from swift_scifi.rewards import score_text

    return score_text


def total_score(rewards: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float:
    """Weighted mean, over the weighted rewards that apply, in [0, 1]; 0.0 when none applies.

    Default weights: ``writing`` and ``judge`` 1 each, or every reward 1 when neither applies.
    """
    if not weights:
        present = any(rewards.get(name) is not None for name in DEFAULT_WEIGHTS)
        weights = DEFAULT_WEIGHTS if present else dict.fromkeys(rewards, 1.0)
    pairs = [(rewards[name], w) for name, w in weights.items() if rewards.get(name) is not None and w > 0]
    weight_sum = sum(w for _, w in pairs)
    return sum(value * w for value, w in pairs) / weight_sum if weight_sum > 0 else 0.0


def rank_texts(
    texts: Sequence[str],
    *,
    scorer: Scorer | None = None,
    weights: Mapping[str, float] | None = None,
    extra: Sequence[Mapping[str, float | None]] | None = None,
    **columns,
) -> list[RankedCandidate]:
    """Score each text (its ``<think>`` block removed) and return them best first.

    ``columns`` (``terms``, ``target_length``, ``lang``, ``prompt``) go to the scorer unchanged; ``extra``
    holds more rewards per text (e.g. ``{"judge": 0.7}``), aligned with ``texts``.
    """
    score = scorer or default_scorer()
    scored = []
    for index, text in enumerate(texts):
        raw = score(strip_think(text), **columns)
        raw = {**raw, **(extra[index] if extra else {})}
        rewards = {name: _finite_or_none(value) for name, value in raw.items()}
        scored.append((index, text, total_score(rewards, weights), rewards))
    scored.sort(key=lambda item: (-item[2], item[0]))
    return [
        RankedCandidate(index=index, rank=rank, text=text, score=total, rewards=rewards)
        for rank, (index, text, total, rewards) in enumerate(scored)
    ]


def _finite_or_none(value) -> float | None:
    """A reward as a float, or None when missing or not finite (a reply must stay valid JSON)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
