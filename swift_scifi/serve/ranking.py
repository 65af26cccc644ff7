"""Order candidate passages by the reward scorers: pure functions, no I/O.

Each reward is in [0, 1], higher is better. A candidate's total is the weighted mean of its rewards
(weights default to 1 each; a weight of 0 leaves a reward out). Ties keep the backend's order.
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
    rewards: dict[str, float] = field(default_factory=dict)

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


def total_score(rewards: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """Weighted mean of ``rewards`` (unlisted rewards weigh 1); 0.0 when every weight is 0."""
    weights = weights or {}
    pairs = [(value, float(weights.get(name, 1.0))) for name, value in rewards.items()]
    weight_sum = sum(w for _, w in pairs)
    if weight_sum <= 0:
        return 0.0
    return sum(value * w for value, w in pairs) / weight_sum


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
        rewards = {name: float(value) for name, value in score(strip_think(text), **columns).items()}
        scored.append((index, text, total_score(rewards, weights), rewards))
    scored.sort(key=lambda item: (-item[2], item[0]))
    return [
        RankedCandidate(index=index, rank=rank, text=text, score=total, rewards=rewards)
        for rank, (index, text, total, rewards) in enumerate(scored)
    ]
