"""Calls to the OpenAI-compatible backend (``swift deploy``, vLLM, lmdeploy) over httpx.

Every call of one client request shares one deadline (``settings.timeout_s`` from the request's start):
top-up calls and the retry come out of the same budget, and running out is a 504. A transient failure
(connection refused, reset or closed early, HTTP 502/503) is retried once after a random 50-250 ms pause,
when the deadline leaves time for it; generation has no side effects, so a retry is safe.

Every failure becomes a :class:`ServeError`: unreachable → 502, deadline → 504, a backend 5xx → 502, a
backend 401/403 → 502 (our backend key is wrong), another backend 4xx keeps its status (the request was
at fault), a reply that is not JSON or has no choices → 502. Clients get a short message; the backend's
own error text is logged, not returned (for a 4xx, only the ``error.message`` of a JSON reply, cut to
200 characters, is passed on, since it explains the client's own request).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from .settings import ServeError, ServeSettings

logger = logging.getLogger("swift_scifi.serve")
TRANSIENT_STATUS = (502, 503)
RETRY_PAUSE_S = (0.05, 0.25)
_TRANSIENT_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class _Transient(Exception):
    """A failure worth one retry; ``error`` is what the client gets if the retry fails too."""

    def __init__(self, error: ServeError) -> None:
        super().__init__(error.message)
        self.error = error


class Backend:
    """One pooled httpx client to ``settings.backend_url``."""

    def __init__(self, settings: ServeSettings) -> None:
        headers = {"Authorization": f"Bearer {settings.backend_api_key}"} if settings.backend_api_key else {}
        self.settings = settings
        self.client = httpx.AsyncClient(
            base_url=settings.backend_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def deadline(self) -> float:
        """A new request's deadline (``time.monotonic()`` seconds)."""
        return time.monotonic() + self.settings.timeout_s

    async def get_json(self, path: str) -> dict:
        """GET ``path`` (e.g. ``/models``) and return the JSON reply."""
        deadline = self.deadline()

        async def once() -> dict:
            async with _backend_errors():
                response = await self.client.get(path, timeout=_timeout(deadline))
            _raise_for_status(response.status_code, response.text)
            return _json(response)

        return await _with_retry(once, deadline)

    async def complete(self, body: dict, n: int, deadline: float) -> dict:
        """A chat completion reply with ``n`` choices for ``body``, all calls done by ``deadline``.

        With ``fanout``, or when the backend returns too few choices, the missing ones come from concurrent
        ``n=1`` calls. ``usage`` is summed over the calls.
        """
        first = [] if n == 1 or self.settings.fanout else [await self._call({**body, "n": n}, deadline)]
        missing = n - sum(len(reply["choices"]) for reply in first)
        tops = await asyncio.gather(*(self._call({**body, "n": 1}, deadline) for _ in range(missing)))
        replies = first + list(tops)
        choices = [choice for reply in replies for choice in reply["choices"]][:n]
        return {
            **replies[0],
            "choices": choices,
            "usage": _sum_usage(reply.get("usage") for reply in replies),
        }

    async def _call(self, body: dict, deadline: float) -> dict:
        async def once() -> dict:
            async with _backend_errors():
                response = await self.client.post(
                    "/chat/completions", json={**body, "stream": False}, timeout=_timeout(deadline)
                )
            _raise_for_status(response.status_code, response.text)
            reply = _json(response)
            if not isinstance(reply.get("choices"), list) or not reply["choices"]:
                raise ServeError(502, "backend reply has no choices", "backend_error")
            return reply

        return await _with_retry(once, deadline)

    async def stream(self, body: dict, deadline: float) -> AsyncIterator[bytes]:
        """Open a streaming chat call by ``deadline``; raise before yielding anything if the backend refuses
        it. The relay after the first byte is bounded per read by ``timeout_s``, not by the deadline."""

        async def once() -> httpx.Response:
            request = self.client.build_request(
                "POST", "/chat/completions", json={**body, "stream": True}, timeout=_timeout(deadline)
            )
            async with _backend_errors():
                response = await self.client.send(request, stream=True)
            if response.status_code >= 400:
                text = (await response.aread()).decode("utf-8", "replace")
                await response.aclose()
                _raise_for_status(response.status_code, text)
            return response

        return _relay(await _with_retry(once, deadline))


async def _with_retry(once, deadline: float):
    """``await once()``, and once more after a jittered pause if it failed transiently and time is left."""
    try:
        return await once()
    except _Transient as exc:
        pause = random.uniform(*RETRY_PAUSE_S)
        if deadline - time.monotonic() < pause + 0.05:
            raise exc.error from None
        logger.info("backend failed transiently (%s); retrying once in %.0f ms", exc, pause * 1000)
        await asyncio.sleep(pause)
    try:
        return await once()
    except _Transient as exc:
        raise exc.error from None


def _timeout(deadline: float) -> httpx.Timeout:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ServeError(504, "backend timed out: the request's deadline passed", "backend_timeout")
    return httpx.Timeout(left, connect=min(10.0, left))


async def _relay(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():  # decoded: our reply carries no Content-Encoding
            yield chunk
    finally:
        await response.aclose()


@asynccontextmanager
async def _backend_errors() -> AsyncIterator[None]:
    """Map httpx transport errors to 502 (unreachable; transient ones retried) and 504 (timed out)."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ServeError(504, f"backend timed out: {type(exc).__name__}", "backend_timeout") from exc
    except _TRANSIENT_ERRORS as exc:
        logger.warning("backend connection failed: %s: %s", type(exc).__name__, exc)
        error = ServeError(502, f"backend unreachable: {type(exc).__name__}", "backend_error")
        raise _Transient(error) from exc
    except httpx.HTTPError as exc:
        logger.warning("backend call failed: %s: %s", type(exc).__name__, exc)
        raise ServeError(502, f"backend unreachable: {type(exc).__name__}", "backend_error") from exc


def _raise_for_status(status: int, text: str) -> None:
    if status < 400:
        return
    logger.warning("backend answered HTTP %d: %s", status, text[:500])
    if status >= 500 or status in (401, 403):  # the backend failed, or refused *our* credentials
        error = ServeError(502, f"backend failed with HTTP {status}", "backend_error")
        raise _Transient(error) if status in TRANSIENT_STATUS else error
    detail = _error_message(text)
    suffix = f": {detail}" if detail else ""
    raise ServeError(status, f"backend rejected the request (HTTP {status}){suffix}")


def _error_message(text: str) -> str:
    """``error.message`` (or a string ``error``/``message``/``detail``) of a JSON error reply, ≤200 chars."""
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    message = error.get("message") if isinstance(error, dict) else error
    message = message if isinstance(message, str) else data.get("message") or data.get("detail")
    return message[:200] if isinstance(message, str) else ""


def _json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError as exc:
        raise ServeError(502, "backend reply is not JSON", "backend_error") from exc
    if not isinstance(data, dict):
        raise ServeError(502, "backend reply is not a JSON object", "backend_error")
    return data


def _sum_usage(usages) -> dict:
    total: dict[str, int] = {}
    for usage in usages:
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            value = (usage or {}).get(key)
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total
