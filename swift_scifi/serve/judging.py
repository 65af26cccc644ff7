"""Optional LLM-judge score for candidates: ms-swift's ``scifi_judge`` reward (sci-fi rubric, 1..10 mapped
to [0, 1]). The endpoint comes from ``SCIFI_JUDGE_BASE_URL``, ``SCIFI_JUDGE_MODEL``, ``SCIFI_JUDGE_API_KEY``
(see docs/evaluation.md); a failing or slow judge gives ``SCIFI_JUDGE_FALLBACK`` (0.5), never an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Judge = Callable[[list[str], list[dict]], Awaitable[list[float]]]


def make_judge() -> Judge:
    """A coroutine function ``judge(texts, messages) -> scores``; imports ms-swift (call once, at start)."""
    from swift_scifi.judge.rewards import ScifiJudge

    reward = ScifiJudge()

    async def judge(texts: list[str], messages: list[dict]) -> list[float]:
        return await reward(texts, messages=[messages] * len(texts))

    return judge
