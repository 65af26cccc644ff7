"""Calls to the OpenAI-compatible backend (``swift deploy``, vLLM, lmdeploy) over httpx.

Every failure becomes a :class:`ServeError`: unreachable → 502, timeout → 504, a backend 5xx → 502,
a backend 401/403 → 502 (our backend key is wrong), another backend 4xx keeps its status (the request was
at fault), a reply that is not JSON or has no choices → 502.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from .settings import ServeError, ServeSettings


class Backend:
    """One pooled httpx client to ``settings.backend_url``."""

    def __init__(self, settings: ServeSettings) -> None:
        headers = {"Authorization": f"Bearer {settings.backend_api_key}"} if settings.backend_api_key else {}
        self.settings = settings
        self.client = httpx.AsyncClient(
            base_url=settings.backend_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get_json(self, path: str) -> dict:
        """GET ``path`` (e.g. ``/models``) and return the JSON reply."""
        async with _backend_errors():
            response = await self.client.get(path)
        _raise_for_status(response.status_code, response.text)
        return _json(response)

    async def complete(self, body: dict, n: int) -> dict:
        """A chat completion reply with ``n`` choices for ``body``.

        With ``fanout``, or when the backend returns too few choices, the missing ones come from concurrent
        ``n=1`` calls. ``usage`` is summed over the calls.
        """
        first = [] if n == 1 or self.settings.fanout else [await self._call({**body, "n": n})]
        missing = n - sum(len(reply["choices"]) for reply in first)
        replies = first + list(await asyncio.gather(*(self._call({**body, "n": 1}) for _ in range(missing))))
        choices = [choice for reply in replies for choice in reply["choices"]][:n]
        return {
            **replies[0],
            "choices": choices,
            "usage": _sum_usage(reply.get("usage") for reply in replies),
        }

    async def _call(self, body: dict) -> dict:
        async with _backend_errors():
            response = await self.client.post("/chat/completions", json={**body, "stream": False})
        _raise_for_status(response.status_code, response.text)
        reply = _json(response)
        if not isinstance(reply.get("choices"), list) or not reply["choices"]:
            raise ServeError(502, "backend reply has no choices", "backend_error")
        return reply

    async def stream(self, body: dict) -> AsyncIterator[bytes]:
        """Open a streaming chat call; raise before yielding anything if the backend refuses it."""
        request = self.client.build_request("POST", "/chat/completions", json={**body, "stream": True})
        async with _backend_errors():
            response = await self.client.send(request, stream=True)
        if response.status_code >= 400:
            text = (await response.aread()).decode("utf-8", "replace")
            await response.aclose()
            _raise_for_status(response.status_code, text)
        return _relay(response)


async def _relay(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():  # decoded: our reply carries no Content-Encoding
            yield chunk
    finally:
        await response.aclose()


@asynccontextmanager
async def _backend_errors() -> AsyncIterator[None]:
    """Map httpx transport errors to 502 (unreachable) and 504 (timed out)."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ServeError(504, f"backend timed out: {type(exc).__name__}", "backend_timeout") from exc
    except httpx.HTTPError as exc:
        raise ServeError(502, f"backend unreachable: {type(exc).__name__}: {exc}", "backend_error") from exc


def _raise_for_status(status: int, text: str) -> None:
    if status < 400:
        return
    detail = text[:500]
    if status >= 500 or status in (401, 403):  # the backend failed, or refused *our* credentials
        raise ServeError(502, f"backend failed with HTTP {status}: {detail}", "backend_error")
    raise ServeError(status, f"backend rejected the request (HTTP {status}): {detail}")


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
