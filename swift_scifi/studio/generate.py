"""Streaming client for any OpenAI-compatible chat endpoint (``swift deploy``, vLLM, ``swift-scifi serve``).

:func:`build_messages` turns a project (world bible + earlier chapters) and the editor's instruction into
chat messages; :func:`stream_chat` yields the text of one completion as it grows (SSE ``stream: true``) and
stops at once when its :class:`Cancel` is set; :func:`stream_candidates` runs n of them side by side and
yields every candidate's text so far. A backend that is down, slow or answers garbage raises
:class:`BackendError` with a message meant for the editor.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import httpx

MAX_CONTEXT_CHARS = 24_000  # earlier chapters kept in the prompt (the latest ones), characters
MAX_TOKENS = 2048  # default completion budget per candidate, tokens


class BackendError(RuntimeError):
    """The generation backend could not be used; ``str(err)`` is the message shown to the editor."""


class Cancel:
    """A cancel flag shared by the streams of one generation."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class Setting:
    """Who writes one candidate: ``model`` name at the backend and its sampling ``params``."""

    model: str
    params: dict = field(default_factory=dict)

    def label(self) -> str:
        extra = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(self.params.items())
        )
        return f"{self.model} ({extra})" if extra else self.model


def world_bible(project: dict) -> str:
    """The system prompt of a project: setting, glossary (quoted, so the term reward sees them) and style."""
    parts = ["You are a novelist writing science fiction. Continue the book, keeping its world consistent."]
    if project.get("setting"):
        parts.append("World setting:\n" + project["setting"].strip())
    terms = [t for t in project.get("glossary") or () if t]
    if terms:
        parts.append("Glossary (use these names exactly): " + ", ".join(f"“{t}”" for t in terms))
    if project.get("style_notes"):
        parts.append("Style notes:\n" + project["style_notes"].strip())
    return "\n\n".join(parts)


def build_messages(project: dict, instruction: str, max_context_chars: int = MAX_CONTEXT_CHARS) -> list[dict]:
    """System = world bible; user = the latest earlier chapters (up to ``max_context_chars``) + instruction."""
    chapters = [c for c in project.get("chapters") or () if c.get("text")]
    context, used = [], 0
    for ch in reversed(chapters):
        block = f"## {ch.get('title') or ''}\n{ch['text'].strip()}"
        if used + len(block) > max_context_chars:
            if not context:  # the last chapter alone is too long: keep its end
                context.append(block[-max_context_chars:])
            break
        context.append(block)
        used += len(block)
    context.reverse()
    user = ""
    if context:
        user = "Chapters so far:\n\n" + "\n\n".join(context) + "\n\n"
    user += "Write the next chapter. " + (instruction.strip() or "Continue the story.")
    return [{"role": "system", "content": world_bible(project)}, {"role": "user", "content": user}]


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def list_models(base_url: str, api_key: str | None = None, timeout: float = 5.0) -> list[str]:
    """Model ids served at ``base_url`` (``GET /v1/models``); raises BackendError when it cannot be reached."""
    try:
        r = httpx.get(_v1(base_url) + "/models", headers=_headers(api_key), timeout=timeout)
        r.raise_for_status()
        return [m["id"] for m in r.json().get("data", []) if isinstance(m, dict) and "id" in m]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as err:
        raise BackendError(_explain(base_url, err)) from err


def _v1(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


def _explain(base_url: str, err: Exception) -> str:
    if isinstance(err, httpx.ConnectError):
        why = "it is not reachable (is the server running?)"
    elif isinstance(err, httpx.TimeoutException):
        why = "it did not answer in time"
    elif isinstance(err, httpx.HTTPStatusError):
        why = f"it answered HTTP {err.response.status_code}"
    else:
        why = f"its answer could not be read ({type(err).__name__})"
    return f"Generation backend {base_url}: {why}. Your text is kept; try again when the backend is back."


def stream_chat(
    base_url: str,
    messages: list[dict],
    setting: Setting,
    cancel: Cancel | None = None,
    *,
    api_key: str | None = None,
    max_tokens: int = MAX_TOKENS,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Yield the completion's text so far after each streamed chunk (``<think>`` kept: the rewards strip
    it). Stops early when ``cancel`` is set; raises BackendError on a failed or malformed answer."""
    body = {"model": setting.model, "messages": messages, "stream": True, "max_tokens": max_tokens}
    body.update(setting.params)
    text = ""
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0)) as client:
            with client.stream(
                "POST", _v1(base_url) + "/chat/completions", json=body, headers=_headers(api_key)
            ) as r:
                if r.status_code >= 400:
                    r.read()
                    r.raise_for_status()
                for line in r.iter_lines():
                    if cancel is not None and cancel.is_set():
                        return
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    chunk = json.loads(data)
                    if "error" in chunk:
                        raise BackendError(f"Generation backend {base_url}: {chunk['error']}")
                    for choice in chunk.get("choices") or ():
                        piece = (choice.get("delta") or {}).get("content") or ""
                        if piece:
                            text += piece
                            yield text
    except httpx.HTTPError as err:
        raise BackendError(_explain(base_url, err)) from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BackendError(_explain(base_url, err)) from err


def stream_candidates(
    base_url: str,
    messages: list[dict],
    settings: Sequence[Setting],
    cancel: Cancel,
    *,
    api_key: str | None = None,
    max_tokens: int = MAX_TOKENS,
    timeout: float = 60.0,
) -> Iterator[tuple[list[str], list[str | None]]]:
    """Stream one candidate per setting at once. Yields ``(texts, errors)`` after every update: the text
    of each candidate so far and, per candidate, None or the BackendError message that ended it."""
    n = len(settings)
    texts: list[str] = [""] * n
    errors: list[str | None] = [None] * n
    updates: queue.Queue = queue.Queue()

    def worker(i: int) -> None:
        try:
            for text in stream_chat(
                base_url,
                messages,
                settings[i],
                cancel,
                api_key=api_key,
                max_tokens=max_tokens,
                timeout=timeout,
            ):
                updates.put((i, text, None))
        except BackendError as err:
            updates.put((i, None, str(err)))
        except Exception as err:  # a candidate never takes the app down
            updates.put((i, None, f"Generation failed: {type(err).__name__}: {err}"))
        finally:
            updates.put((i, None, "__done__"))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    running = n
    while running:
        i, text, err = updates.get()
        if err == "__done__":
            running -= 1
            continue
        if text is not None:
            texts[i] = text
        if err is not None:
            errors[i] = err
        if updates.empty() or err is not None:
            yield list(texts), list(errors)
    yield list(texts), list(errors)
