"""Async OpenAI-compatible chat client with bounded concurrency, per-call timeout and retries.

One :class:`ChatClient` owns one ``httpx.AsyncClient`` and one semaphore, so every call made through it
shares the same concurrency limit. Create it inside the event loop that uses it (``async with``).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from ..text import strip_think
from .parsing import MalformedReply

T = TypeVar("T")


@dataclass(frozen=True)
class ClientSettings:
    """Where the endpoint is and how patient to be.

    ``timeout_s``: seconds per attempt (connect + read). ``retries``: extra attempts after the first.
    ``backoff_s``: first back-off in seconds, doubled each retry (with jitter) up to ``backoff_max_s``.
    """

    base_url: str
    model: str
    api_key: str | None = None
    concurrency: int = 8
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 0.5
    backoff_max_s: float = 8.0
    temperature: float = 0.0
    max_tokens: int = 1024
    extra_body: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, prefix: str = "SCIFI_JUDGE_", **overrides: Any) -> ClientSettings:
        """Read ``{prefix}BASE_URL``, ``MODEL``, ``API_KEY``, ``CONCURRENCY``, ``TIMEOUT``, ``RETRIES``."""
        env = os.environ
        values: dict[str, Any] = {
            "base_url": env.get(prefix + "BASE_URL", "http://127.0.0.1:8000/v1"),
            "model": env.get(prefix + "MODEL", "judge"),
            "api_key": env.get(prefix + "API_KEY") or None,
            "concurrency": int(env.get(prefix + "CONCURRENCY", 16)),
            "timeout_s": float(env.get(prefix + "TIMEOUT", 30)),
            "retries": int(env.get(prefix + "RETRIES", 2)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass
class CallOutcome:
    """Result of one logical call after all attempts: ``value`` on success, else ``error``."""

    value: Any = None
    error: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    raw: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class RetryableError(Exception):
    """A failure worth another attempt: timeout, connection error, 5xx/429 or malformed reply."""


class ChatClient:
    """``async with ChatClient(settings) as c: outcome = await c.call(messages, parse)``."""

    def __init__(self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._sem: asyncio.Semaphore | None = None

    async def __aenter__(self) -> ChatClient:
        s = self.settings
        headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
        limits = httpx.Limits(max_connections=max(s.concurrency, 1), max_keepalive_connections=max(s.concurrency, 1))
        self._http = httpx.AsyncClient(
            base_url=s.base_url.rstrip("/"), headers=headers, timeout=s.timeout_s, limits=limits,
            transport=self._transport,
        )
        self._sem = asyncio.Semaphore(max(s.concurrency, 1))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._http = None

    async def call(
        self, messages: list[dict[str, str]], parse: Callable[[str], T] = str, **body: Any
    ) -> CallOutcome:
        """Send a chat request; parse the reply text; retry retryable failures. Never raises on I/O errors."""
        s = self.settings
        start = time.perf_counter()
        outcome = CallOutcome()
        for attempt in range(s.retries + 1):
            outcome.attempts = attempt + 1
            try:
                text = await self._attempt(messages, body)
                outcome.raw = text
                outcome.value, outcome.error = parse(text), None
                break
            except (RetryableError, MalformedReply) as exc:
                outcome.error = f"{type(exc).__name__}: {exc}"
            except httpx.HTTPStatusError as exc:  # 4xx other than 429: retrying will not help
                outcome.error = f"HTTP {exc.response.status_code}: {exc.response.text[:200]}"
                break
            if attempt < s.retries:
                await asyncio.sleep(self._backoff(attempt))
        outcome.seconds = time.perf_counter() - start
        return outcome

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.backoff_max_s, s.backoff_s * 2**attempt) * (0.5 + random.random() / 2)

    async def _attempt(self, messages: list[dict[str, str]], body: dict[str, Any]) -> str:
        assert self._http is not None and self._sem is not None, "use `async with ChatClient(...)`"
        s = self.settings
        payload = {"model": s.model, "messages": messages, "temperature": s.temperature,
                   "max_tokens": s.max_tokens, **s.extra_body, **body}
        async with self._sem:
            try:
                resp = await asyncio.wait_for(self._http.post("/chat/completions", json=payload), s.timeout_s)
            except (httpx.TimeoutException, asyncio.TimeoutError) as exc:
                raise RetryableError(f"timeout after {s.timeout_s:g}s") from exc
            except httpx.TransportError as exc:
                raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code == 429:
            raise RetryableError(f"HTTP {resp.status_code}: {resp.text[:200]}")
        resp.raise_for_status()
        return _reply_text(resp)


def _reply_text(resp: httpx.Response) -> str:
    try:
        content = resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise MalformedReply(f"not a chat completion: {resp.text[:200]}") from exc
    if not isinstance(content, str):
        raise MalformedReply("reply has no text content")
    return strip_think(content)
