"""GRPO rewards backed by the LLM judge: ``scifi_judge`` and ``scifi_principles_judge`` (ms-swift ``AsyncORM``).

Both read the judge endpoint from the environment (``SCIFI_JUDGE_BASE_URL``, ``SCIFI_JUDGE_MODEL``,
``SCIFI_JUDGE_API_KEY``, ``SCIFI_JUDGE_CONCURRENCY``, ``SCIFI_JUDGE_TIMEOUT`` seconds per attempt,
``SCIFI_JUDGE_RETRIES``), share one concurrency limit across the batch, and give ``SCIFI_JUDGE_FALLBACK``
(default 0.5) to any completion whose judgement failed or missed ``SCIFI_JUDGE_BATCH_TIMEOUT`` seconds
(default 120), so a slow or failing judge never stalls training. Rewards are in [0, 1]: (mean score - 1) / 9.
This module imports ms-swift; :func:`register_judge_rewards` adds both names to ``swift.rewards.orms``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from swift.rewards import AsyncORM, orms

from ..rewards.inputs import prompt_text
from ..text import detect_lang, strip_think
from .client import ChatClient, ClientSettings
from .parsing import parse_rubric_reply, parse_score_reply
from .prompts import load_prompt
from .rubrics import coerce_rubric, format_rubric

logger = logging.getLogger("swift_scifi.judge")


def to_unit(score: float) -> float:
    """Map a 1..10 judge score to [0, 1]."""
    return (score - 1.0) / 9.0


def prompt_of(row_messages: Any, fallback: Any = None) -> str:
    """The prompt the completion answers, by the one rule of :func:`swift_scifi.rewards.inputs.prompt_text`
    (system turns + the last user turn of ``messages``), else ``fallback`` (the ``query`` column)."""
    prompt = prompt_text(row_messages) if isinstance(row_messages, list) else None
    return prompt if prompt is not None else str(fallback or "")


def _column(kwargs: dict[str, Any], name: str, n: int) -> list[Any]:
    value = kwargs.get(name)
    return list(value) if isinstance(value, (list, tuple)) and len(value) == n else [None] * n


class _JudgeReward(AsyncORM, ABC):
    """Shared machinery: settings, the batch deadline, the fallback, one log line per failing batch."""

    name = "judge"
    column = ""  # the dataset column passed to ``_job`` as its third argument

    def __init__(self, args: Any = None, **kwargs: Any):
        super().__init__(args, **kwargs)
        self.settings = ClientSettings.from_env(max_tokens=int(os.environ.get("SCIFI_JUDGE_MAX_TOKENS", 768)))
        self.fallback = float(os.environ.get("SCIFI_JUDGE_FALLBACK", 0.5))
        self.batch_timeout = float(os.environ.get("SCIFI_JUDGE_BATCH_TIMEOUT", 120))

    async def __call__(self, completions: list[str], **kwargs: Any) -> list[float]:
        n = len(completions)
        messages, queries = _column(kwargs, "messages", n), _column(kwargs, "query", n)
        extra = _column(kwargs, self.column, n)
        jobs = [
            self._job(strip_think(c) if isinstance(c, str) else "", prompt_of(m, q), x)
            for c, m, q, x in zip(completions, messages, queries, extra, strict=True)
        ]
        try:
            return await self._gather(jobs)
        except Exception as exc:  # a reward never throws into training
            logger.warning("%s: judging failed (%r); every completion got the fallback", self.name, exc)
            return [self.fallback] * n

    @abstractmethod
    def _job(
        self, completion: str, prompt: str, extra: Any
    ) -> Callable[[ChatClient], Awaitable[float | None]]:
        """The coroutine factory that judges one completion (a score in [0, 1], or None on failure)."""

    async def _gather(self, jobs: list[Callable[[ChatClient], Awaitable[float | None]]]) -> list[float]:
        async with ChatClient(self.settings) as client:
            tasks = [asyncio.ensure_future(job(client)) for job in jobs]
            done, pending = await asyncio.wait(tasks, timeout=self.batch_timeout) if tasks else (set(), set())
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            results = [t.result() if t in done and not t.exception() else None for t in tasks]
            bugs = [repr(t.exception()) for t in done if t.exception()]
        failed = sum(r is None for r in results)
        if failed:
            logger.warning(
                "%s: %d/%d completions got the fallback %.2f (judge %s failed or timed out%s)",
                self.name,
                failed,
                len(results),
                self.fallback,
                self.settings.base_url,
                f"; first error: {bugs[0]}" if bugs else "",
            )
        return [self.fallback if r is None else r for r in results]


class ScifiJudge(_JudgeReward):
    """Judge each completion on a rubric (column ``rubric``: a name, JSON list or list; default: sci-fi rubric)."""

    name = "scifi_judge"
    column = "rubric"

    def _job(
        self, completion: str, prompt: str, rubric: Any
    ) -> Callable[[ChatClient], Awaitable[float | None]]:
        async def run(client: ChatClient) -> float | None:
            lang = detect_lang(completion or prompt)
            try:
                criteria = coerce_rubric(rubric, lang)
            except (ValueError, FileNotFoundError) as exc:
                logger.warning("scifi_judge: bad rubric (%s); using the sci-fi rubric", exc)
                criteria = coerce_rubric(None, lang)
            names = [c["name"] for c in criteria]
            msgs = load_prompt("score_rubric").messages(
                lang, query=prompt, response=completion, rubric=format_rubric(criteria)
            )
            outcome = await client.call(msgs, lambda text: parse_rubric_reply(text, names))
            return to_unit(sum(outcome.value.values()) / len(names)) if outcome.ok else None

        return run


class ScifiPrinciplesJudge(_JudgeReward):
    """Judge each completion on the principles that rules cannot check (judge prompts of the principle library).

    Principles come from column ``principles`` (ids) when given, else every judge-checked principle.
    The reward is the mean over principles of (score - 1) / 9.
    """

    name = "scifi_principles_judge"
    column = "principles"

    def __init__(self, args: Any = None, **kwargs: Any):
        super().__init__(args, **kwargs)
        from .principles import judge_principles

        self.principles = judge_principles()

    def _job(self, completion: str, prompt: str, ids: Any) -> Callable[[ChatClient], Awaitable[float | None]]:
        async def run(client: ChatClient) -> float | None:
            lang = detect_lang(completion or prompt)
            wanted = [p for p in self.principles if (not ids or p.id in ids) and lang in p.langs]
            if not wanted:
                return None
            outcomes = await asyncio.gather(
                *(client.call(p.messages(lang, prompt, completion), parse_score_reply) for p in wanted)
            )
            scores = [to_unit(o.value["score"]) for o in outcomes if o.ok]
            return sum(scores) / len(scores) if scores else None

        return run


def register_judge_rewards() -> None:
    """Add ``scifi_judge`` and ``scifi_principles_judge`` to ms-swift's ``orms`` (idempotent)."""
    orms["scifi_judge"] = ScifiJudge
    orms["scifi_principles_judge"] = ScifiPrinciplesJudge
