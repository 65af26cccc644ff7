"""Order candidate passages by the reward scorers: pure functions, no I/O.

Each reward is in [0, 1], higher is better, or None where it does not apply (no terms, no length target).
A candidate's total is the ``writing`` composite of the rewards package by default; with ``weights`` it is
the weighted mean of the listed rewards that apply (unlisted rewards weigh 0). Ties keep the backend's order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from swift_scifi.text import strip_think

Scorer = Callable[..., dict[str, float]]


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
    """``rewards['writing']`` without weights (else the mean of the rewards that apply); with weights, the
    weighted mean of the weighted rewards that apply. 0.0 when nothing applies. Range [0, 1]."""
    if not weights:
        if rewards.get("writing") is not None:
            return float(rewards["writing"])
        weights = {name: 1.0 for name in rewards}
    pairs = [(rewards[name], w) for name, w in weights.items() if rewards.get(name) is not None and w > 0]
    weight_sum = sum(w for _, w in pairs)
    return sum(value * w for value, w in pairs) / weight_sum if weight_sum > 0 else 0.0


def rank_texts(
    texts: Sequence[str],
    *,
    scorer: Scorer | None = None,
    weights: Mapping[str, float] | None = None,
    **columns,
) -> list[RankedCandidate]:
    """Score each text (its ``<think>`` block removed) and return them best first.

    ``columns`` (``terms``, ``target_length``, ``lang``, ``prompt``) go to the scorer unchanged.
    """
    score = scorer or default_scorer()
    scored = []
    for index, text in enumerate(texts):
        raw = score(strip_think(text), **columns)
        rewards = {name: None if value is None else float(value) for name, value in raw.items()}
        scored.append((index, text, total_score(rewards, weights), rewards))
    scored.sort(key=lambda item: (-item[2], item[0]))
    return [
        RankedCandidate(index=index, rank=rank, text=text, score=total, rewards=rewards)
        for rank, (index, text, total, rewards) in enumerate(scored)
    ]
