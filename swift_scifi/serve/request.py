"""Read a chat request: its size-limited JSON body and the ``scifi`` extension object. Pure, no I/O
beyond the request stream.

The extension (all keys optional), sent by the openai client as ``extra_body={"scifi": {...}}``::

    {"return": "all" | "best", "terms": ["曲率引擎", ...], "target_length": 800, "lang": "zh" | "en",
     "weights": {"slop": 2.0, "length": 0.0}}
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from .settings import ServeError, ServeSettings

MAX_TERMS = 256


@dataclass(frozen=True)
class ChatOptions:
    """What one request asks of the reranker. ``columns`` go to the reward scorer."""

    n: int
    stream: bool
    return_all: bool
    columns: dict = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)


async def read_json_body(chunks: AsyncIterator[bytes], content_length: str | None, limit: int) -> dict:
    """The JSON object of a request body of at most ``limit`` bytes; 413 past it, 400 if not a JSON object."""
    if content_length and content_length.isdigit() and int(content_length) > limit:
        raise ServeError(413, f"request body is {content_length} bytes; the limit is {limit}")
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise ServeError(413, f"request body is over the limit of {limit} bytes")
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise ServeError(400, f"request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ServeError(400, "request body must be a JSON object")
    return body


def parse_options(body: dict, settings: ServeSettings) -> ChatOptions:
    """Validate ``n``, ``stream`` and the ``scifi`` extension of a chat request (400 on bad values)."""
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise ServeError(400, "`messages` must be a non-empty list")
    n = body.get("n")
    n = settings.n if n is None else n
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ServeError(400, f"`n` must be a positive integer, got {n!r}")
    if n > settings.max_n:
        raise ServeError(400, f"`n`={n} is over this server's limit of {settings.max_n}")
    ext = body.get("scifi") or {}
    if not isinstance(ext, dict):
        raise ServeError(400, "`scifi` must be an object")
    return ChatOptions(
        n=n,
        stream=bool(body.get("stream", False)),
        return_all=_return_all(ext.get("return"), settings.return_all),
        columns={**_columns(ext), "prompt": last_user_text(body["messages"])},
        weights=_weights(ext.get("weights")),
    )


def backend_body(body: dict, settings: ServeSettings, options: ChatOptions) -> dict:
    """The request to forward: the client's body without the extension, ``n`` and ``stream`` (and without
    ``stream_options`` unless the stream is passed through). For n > 1 a request without ``temperature``
    gets OpenAI's default of 1.0, since greedy decoding would give n equal candidates."""
    passthrough = options.stream and options.n == 1
    dropped = ("scifi", "n", "stream") if passthrough else ("scifi", "n", "stream", "stream_options")
    forward = {k: v for k, v in body.items() if k not in dropped}
    if options.n > 1 and forward.get("temperature") is None:
        forward["temperature"] = 1.0
    if settings.backend_model:
        forward["model"] = settings.backend_model
    return forward


def last_user_text(messages: list) -> str | None:
    """Text of the last user message (text parts joined), or None."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return content if isinstance(content, str) else None
    return None


def _return_all(value, default: bool) -> bool:
    if value is None:
        return default
    if value not in ("all", "best"):
        raise ServeError(400, f"`scifi.return` must be 'all' or 'best', got {value!r}")
    return value == "all"


def _columns(ext: dict) -> dict:
    columns: dict = {}
    terms = ext.get("terms")
    if terms is not None:
        if (
            not isinstance(terms, list)
            or len(terms) > MAX_TERMS
            or not all(isinstance(t, str) for t in terms)
        ):
            raise ServeError(400, f"`scifi.terms` must be a list of at most {MAX_TERMS} strings")
        columns["terms"] = terms
    target = ext.get("target_length")
    if target is not None:
        if not isinstance(target, int) or isinstance(target, bool) or target < 1:
            raise ServeError(400, "`scifi.target_length` must be a positive integer")
        columns["target_length"] = target
    lang = ext.get("lang")
    if lang is not None:
        if lang not in ("zh", "en"):
            raise ServeError(400, "`scifi.lang` must be 'zh' or 'en'")
        columns["lang"] = lang
    return columns


def _weights(value) -> dict[str, float]:
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value.values()
    )
    if not ok:
        raise ServeError(400, "`scifi.weights` must map reward names to non-negative numbers")
    return {str(k): float(v) for k, v in value.items()}
