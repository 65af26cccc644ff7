"""Generate responses for queries: through any OpenAI-compatible endpoint or in process with ms-swift.

Both write ``{index, response}`` lines to a resumable journal; an endpoint failure after retries is
recorded as ``{index, error}`` and retried on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..judge.client import ChatClient, ClientSettings
from .journal import Journal
from .pool import drain
from .records import Query


def _key(rec: dict[str, Any]) -> str:
    return str(rec["index"])


def _messages(query: Query, system: str | None) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": query.query}]


async def generate_openai(
    queries: list[Query],
    settings: ClientSettings,
    out: str | Path,
    system: str | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Generate a response per query not yet in ``out``; returns how many lines were written."""

    async def work(q: Query) -> dict[str, Any]:
        outcome = await client.call(_messages(q, system))
        if outcome.ok:
            return {"index": q.index, "response": outcome.value}
        return {"index": q.index, "error": outcome.error}

    with Journal(out, _key) as journal:
        todo = [q for q in queries if q.index not in journal.done]
        async with ChatClient(settings) as client:
            return await drain(
                todo,
                work,
                journal,
                settings.concurrency,
                on_record,
                lambda q, e: {"index": q.index, "error": e},
            )


def generate_in_process(
    queries: list[Query],
    model: str,
    out: str | Path,
    *,
    model_type: str | None = None,
    template: str | None = None,
    max_tokens: int = 512,
    temperature: float = 0.0,
    batch_size: int = 8,
    system: str | None = None,
    **engine_kwargs: Any,
) -> int:
    """Generate with ``swift.infer_engine.TransformersEngine`` (imports torch and ms-swift); returns lines written."""
    from swift.infer_engine import InferRequest, RequestConfig, TransformersEngine

    engine = TransformersEngine(
        model, model_type=model_type, template_type=template, max_batch_size=batch_size, **engine_kwargs
    )
    config = RequestConfig(max_tokens=max_tokens, temperature=temperature)
    written = 0
    with Journal(out, _key) as journal:
        todo = [q for q in queries if q.index not in journal.done]
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            requests = [InferRequest(messages=_messages(q, system)) for q in chunk]
            for q, resp in zip(chunk, _infer(engine, requests, config), strict=True):
                if isinstance(resp, Exception):
                    journal.append({"index": q.index, "error": f"{type(resp).__name__}: {resp}"})
                else:
                    journal.append({"index": q.index, "response": resp.choices[0].message.content or ""})
                written += 1
    return written


def _infer(engine: Any, requests: list, config: Any) -> list:
    """Responses for a batch; when the batch raises (e.g. a prompt over max_length), one by one, errors kept."""
    try:
        return engine.infer(requests, config, use_tqdm=False)
    except Exception:
        out = []
        for request in requests:
            try:
                out.extend(engine.infer([request], config, use_tqdm=False))
            except Exception as exc:  # recorded as an {index, error} line
                out.append(exc)
        return out
