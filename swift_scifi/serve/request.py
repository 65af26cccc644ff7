"""Read a chat request: its size-limited JSON body and the ``scifi`` extension object. Pure, no I/O
beyond the request stream.

The extension (all keys optional), sent by the openai client as ``extra_body={"scifi": {...}}``::

    {"return": "all" | "best", "terms": ["曲率引擎", ...], "term_forms": ["曲律引擎"], "target_length": 800,
     "lang": "zh" | "en",
     "weights": {"slop": 2.0, "length": 0.0}}
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..rewards import registry  # the reward names `weights` may use (read per request, never copied)
from ..rewards.inputs import prompt_text  # the one rule for "the prompt" (docs/rewards.md)
from .settings import ServeError, ServeSettings

MAX_TERMS = 256
MAX_DEPTH = 64  # nesting of lists/objects in a request body; chat requests need about 6
MAX_TARGET_LENGTH = 1_000_000  # CJK characters + English words
MAX_WEIGHT = 1e6
ROLES = ("system", "developer", "user", "assistant", "tool", "function")  # OpenAI chat roles


@dataclass(frozen=True)
class ChatOptions:
    """What one request asks of the reranker. ``columns`` go to the reward scorer."""

    n: int
    stream: bool
    return_all: bool
    columns: dict = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)


async def read_json_body(chunks: AsyncIterator[bytes], content_length: str | None, limit: int) -> dict:
    """The JSON object of a request body of at most ``limit`` bytes: 413 past it, 400 if it is not a
    JSON object, nests deeper than ``MAX_DEPTH``, or holds ``NaN``/``Infinity`` or a number out of range."""
    if content_length and content_length.isdigit() and int(content_length) > limit:
        raise ServeError(413, f"request body is {content_length} bytes; the limit is {limit}")
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise ServeError(413, f"request body is over the limit of {limit} bytes")
    return parse_json_object(bytes(data))


def parse_json_object(data: bytes) -> dict:
    """Strictly parse a request body (see :func:`read_json_body`); every failure is a 400."""
    try:
        body = json.loads(data, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise ServeError(400, f"request body nests too deeply (the limit is {MAX_DEPTH} levels)") from exc
    except ValueError as exc:  # includes UnicodeDecodeError
        raise ServeError(400, f"request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ServeError(400, "request body must be a JSON object")
    if _depth_over(body, MAX_DEPTH):
        raise ServeError(400, f"request body nests too deeply (the limit is {MAX_DEPTH} levels)")
    return body


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _depth_over(obj, limit: int) -> bool:
    """Whether ``obj`` nests lists/objects more than ``limit`` levels (iterative: no recursion)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def parse_options(body: dict, settings: ServeSettings) -> ChatOptions:
    """Validate ``model``, ``messages``, ``n``, ``stream`` and the ``scifi`` extension of a chat request
    (400 on bad values, so that the backend never sees a request it would fail with a 5xx or 422)."""
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise ServeError(400, "`messages` must be a non-empty list")
    for i, message in enumerate(body["messages"]):
        _check_message(i, message)
    if body.get("model") is not None and not (isinstance(body["model"], str) and body["model"]):
        raise ServeError(400, f"`model` must be a non-empty string, got {body['model']!r}")
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
        stream=_stream(body.get("stream")),
        return_all=_return_all(ext.get("return"), settings.return_all),
        columns={**_columns(ext), "prompt": prompt_text(body["messages"])},
        weights=_weights(ext.get("weights"), _weight_names(settings)),
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


def _stream(value) -> bool:
    if value is not None and not isinstance(value, bool):
        raise ServeError(400, f"`stream` must be true or false, got {value!r}")
    return bool(value)


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
    forms = ext.get("term_forms")
    if forms is not None:
        if (
            not isinstance(forms, list)
            or len(forms) > MAX_TERMS
            or not all(isinstance(t, str) for t in forms)
        ):
            raise ServeError(400, f"`scifi.term_forms` must be a list of at most {MAX_TERMS} strings")
        columns["term_forms"] = forms
    target = ext.get("target_length")
    if target is not None:
        if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= MAX_TARGET_LENGTH:
            raise ServeError(400, f"`scifi.target_length` must be an integer from 1 to {MAX_TARGET_LENGTH}")
        columns["target_length"] = target
    lang = ext.get("lang")
    if lang is not None:
        if lang not in ("zh", "en"):
            raise ServeError(400, "`scifi.lang` must be 'zh' or 'en'")
        columns["lang"] = lang
    return columns


def _check_message(i: int, message) -> None:
    """400 unless ``message`` is an object with a known ``role`` and a ``content`` that is a string, null
    or a list of content-part objects (what every OpenAI-style backend accepts)."""
    if not isinstance(message, dict):
        raise ServeError(400, f"`messages[{i}]` must be an object with `role` and `content`")
    role = message.get("role")
    if role not in ROLES:
        raise ServeError(400, f"`messages[{i}].role` must be one of {', '.join(ROLES)}; got {role!r}")
    content = message.get("content")
    if not (
        content is None
        or isinstance(content, str)
        or (isinstance(content, list) and all(isinstance(part, dict) for part in content))
    ):
        raise ServeError(
            400, f"`messages[{i}].content` must be a string, null or a list of content-part objects"
        )


def _weight_names(settings: ServeSettings) -> tuple[str, ...]:
    """Reward names a request's ``weights`` may use: the reward registry's keys (the composite included),
    and ``judge`` when the server runs with the judge."""
    return (*registry.ALL_KEYS, *(("judge",) if settings.judge else ()))


def _weights(value, names: tuple[str, ...]) -> dict[str, float]:
    """``weights`` as floats: 400 for a name not in ``names``, a value outside [0, MAX_WEIGHT], or all
    weights 0 (every candidate would score 0.0 and the ranking would mean nothing)."""
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= MAX_WEIGHT
        for v in value.values()
    )  # an int of 400 digits passes isinstance but not the range check (no overflow to inf later)
    if not ok:
        raise ServeError(400, f"`scifi.weights` must map reward names to numbers from 0 to {MAX_WEIGHT:g}")
    unknown = [str(k)[:40] for k in value if k not in names]
    if unknown:
        raise ServeError(
            400, f"`scifi.weights` names unknown rewards {unknown[:5]}; known: {', '.join(names)}"
        )
    if value and not any(value.values()):
        raise ServeError(400, "`scifi.weights` are all 0; give at least one reward a positive weight")
    return {str(k): float(v) for k, v in value.items()}
