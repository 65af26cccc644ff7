"""A pool of OpenAI-compatible teacher endpoints (``swift deploy``, vLLM, a hosted API), load-balanced.

One :class:`TeacherPool` owns one ``aiohttp`` session, one concurrency limit for all endpoints, and per
endpoint: a rate limit (requests per second), a count of requests in flight and a cool-down after a failure.
Each call goes to the healthy endpoint with the fewest requests in flight (ties: round robin); a failed
attempt (timeout, connection error, 5xx, 429) is retried, on another endpoint where one is healthy, after an
exponential back-off with jitter. Token usage (from each reply's ``usage``) and cost are summed.
The HTTP exchange itself is :func:`swift_scifi.judge.client.post_chat` (shared with the judge client).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from ..judge.client import HTTPError, RetryableError, open_session, post_chat
from ..judge.parsing import MalformedReply

API_KEY_ENVS = ("SCIFI_TEACHER_API_KEY", "OPENAI_API_KEY")  # read in this order


@dataclass(frozen=True)
class TeacherSettings:
    """Endpoints and patience. Times in seconds; ``rate_limit``: requests per second per endpoint (0: none);
    prices: currency units per 1,000 tokens (0: cost not reported)."""

    base_urls: tuple[str, ...]
    model: str
    api_key: str | None = None
    concurrency: int = 16
    timeout_s: float = 180.0
    retries: int = 4
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    cooldown_s: float = 5.0
    rate_limit: float = 0.0
    temperature: float = 0.7
    max_tokens: int = 2048
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0
    extra_body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_urls:
            raise ValueError("no teacher endpoint: give at least one --teacher-url")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {self.concurrency}")

    @staticmethod
    def key_from_env() -> str | None:
        """The API key from ``$SCIFI_TEACHER_API_KEY``, else ``$OPENAI_API_KEY`` (None: no Authorization)."""
        return next((os.environ[k] for k in API_KEY_ENVS if os.environ.get(k)), None)


class RateLimiter:
    """Spaces requests at least ``1/rate`` seconds apart (``rate`` <= 0: no limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = max(0.0, self._next - now)
            self._next = max(now, self._next) + self.interval
        if delay:
            await asyncio.sleep(delay)


@dataclass
class Endpoint:
    """One base URL and what the pool knows of it."""

    url: str
    limiter: RateLimiter
    inflight: int = 0
    requests: int = 0
    failures: int = 0
    down_until: float = 0.0  # time.monotonic() before which the pool avoids it (when another is healthy)

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "requests": self.requests, "failed_attempts": self.failures}


@dataclass
class Usage:
    """Tokens and requests summed over replies."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0

    def add(self, usage: dict[str, int] | None, requests: int = 1) -> None:
        usage = usage or {}
        self.prompt_tokens += int(usage.get("prompt_tokens", 0))
        self.completion_tokens += int(usage.get("completion_tokens", 0))
        self.requests += requests

    def cost(self, settings: TeacherSettings) -> float:
        """Cost in the currency of the configured prices."""
        return (
            self.prompt_tokens * settings.price_prompt_per_1k
            + self.completion_tokens * settings.price_completion_per_1k
        ) / 1000.0


@dataclass
class Reply:
    """One logical call after all attempts: ``text`` on success, else ``error``."""

    text: str | None = None
    error: str | None = None
    attempts: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    endpoint: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class TeacherPool:
    """``async with TeacherPool(settings) as pool: reply = await pool.chat(messages)``."""

    def __init__(self, settings: TeacherSettings):
        self.settings = settings
        self.endpoints = [
            Endpoint(u.rstrip("/"), RateLimiter(settings.rate_limit)) for u in settings.base_urls
        ]
        self.usage = Usage()
        self._rr = 0
        self._http: aiohttp.ClientSession | None = None
        self._sem: asyncio.Semaphore | None = None

    async def __aenter__(self) -> TeacherPool:
        s = self.settings
        self._http = open_session(s.api_key, s.concurrency, s.timeout_s, per_host=s.concurrency)
        self._sem = asyncio.Semaphore(s.concurrency)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None

    def pick(self, avoid: Endpoint | None = None) -> Endpoint:
        """The healthy endpoint with the fewest requests in flight (round robin among ties), not ``avoid``
        where another exists; if all are cooling down, the one that recovers first."""
        now = time.monotonic()
        eps = [e for e in self.endpoints if e is not avoid] or self.endpoints
        healthy = [e for e in eps if e.down_until <= now]
        if not healthy:
            return min(eps, key=lambda e: e.down_until)
        self._rr += 1
        n = len(healthy)
        return min(
            (healthy[(self._rr + i) % n] for i in range(n)),
            key=lambda e: e.inflight,
        )

    async def chat(self, messages: list[dict[str, str]], **body: Any) -> Reply:
        """Send one chat request, retrying retryable failures. Never raises for the call's own failure;
        cancellation propagates."""
        assert self._http is not None and self._sem is not None, "use `async with TeacherPool(...)`"
        s = self.settings
        payload = {
            "model": s.model,
            "messages": messages,
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
            **s.extra_body,
            **body,
        }
        reply, last = Reply(), None
        for attempt in range(s.retries + 1):
            reply.attempts = attempt + 1
            ep = self.pick(avoid=last)
            try:
                async with self._sem:
                    await ep.limiter.wait()
                    ep.inflight += 1
                    ep.requests += 1
                    try:
                        text, usage = await post_chat(
                            self._http, ep.url + "/chat/completions", payload, s.timeout_s
                        )
                    finally:
                        ep.inflight -= 1
                self.usage.add(usage)
                reply.text, reply.error, reply.usage, reply.endpoint = text, None, usage, ep.url
                return reply
            except RetryableError as exc:
                ep.failures += 1
                ep.down_until = time.monotonic() + s.cooldown_s
                reply.error, last = f"retries exhausted: {exc}", ep
            except (HTTPError, MalformedReply) as exc:
                ep.failures += 1
                reply.error = f"{type(exc).__name__}: {exc}"
                return reply
            if attempt < s.retries:
                await asyncio.sleep(self._backoff(attempt))
        return reply

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.backoff_max_s, s.backoff_s * 2**attempt) * (0.5 + random.random() / 2)

    def report(self) -> dict[str, Any]:
        """Usage, cost and per-endpoint counts of this pool's session."""
        s = self.settings
        out: dict[str, Any] = {
            "model": s.model,
            "replies": self.usage.requests,
            "attempts": sum(e.requests for e in self.endpoints),
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "endpoints": [e.as_dict() for e in self.endpoints],
        }
        if s.price_prompt_per_1k or s.price_completion_per_1k:
            out["cost"] = round(self.usage.cost(s), 6)
        return out
