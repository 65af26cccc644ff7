"""The FastAPI app of ``swift-scifi serve``: OpenAI ``/v1/chat/completions`` with best-of-n reranking.

Routes: ``POST /v1/chat/completions``, ``GET /v1/models`` (the backend's), ``GET /health`` (no auth).
Each returned choice carries ``"scifi": {"rank", "candidate_index", "score", "rewards"}`` (``rewards`` holds
``judge`` too when the server runs with ``judge``); the reply
carries ``"scifi": {"n", "weights", "backend_ms", "scoring_ms"}``. Choices are ordered best first.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from .backend import Backend
from .judging import Judge, make_judge
from .ranking import RankedCandidate, Scorer, default_scorer, rank_texts
from .request import ChatOptions, backend_body, parse_options, read_json_body
from .settings import ServeError, ServeSettings

logger = logging.getLogger("swift_scifi.serve")


def create_app(settings: ServeSettings, scorer: Scorer | None = None) -> FastAPI:
    """Build the app. ``scorer`` defaults to ``swift_scifi.rewards.score_text`` (resolved now, so a
    missing rewards package fails at start, not per request)."""
    score = scorer or default_scorer()
    judge = make_judge() if settings.judge else None
    backend = Backend(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        await anyio.to_thread.run_sync(_warm_up, score)
        yield
        await backend.aclose()

    app = FastAPI(title="swift-scifi best-of-n", lifespan=lifespan)
    app.add_exception_handler(ServeError, _serve_error)
    app.add_exception_handler(Exception, _internal_error)

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        _authorize(request, settings.api_key)
        return await backend.get_json("/models")

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        _authorize(request, settings.api_key)
        body = await read_json_body(
            request.stream(), request.headers.get("content-length"), settings.max_request_bytes
        )
        options = parse_options(body, settings)
        forward = backend_body(body, settings, options)
        if options.stream and options.n == 1:
            return StreamingResponse(await backend.stream(forward), media_type="text/event-stream")
        reply = await _best_of_n(backend, score, judge, forward, options)
        if options.stream:
            return StreamingResponse(_sse_of(reply), media_type="text/event-stream")
        return reply

    return app


async def _best_of_n(
    backend: Backend, score: Scorer, judge: Judge | None, forward: dict, options: ChatOptions
) -> dict:
    """Ask for ``options.n`` candidates, rank them (with the judge when on), and build the OpenAI reply."""
    start = time.perf_counter()
    reply = await backend.complete(forward, options.n)
    backend_ms = (time.perf_counter() - start) * 1000
    texts = [_choice_text(choice) for choice in reply["choices"]]
    start = time.perf_counter()
    extra = [{"judge": value} for value in await judge(texts, forward["messages"])] if judge else None
    ranked = await anyio.to_thread.run_sync(
        partial(rank_texts, texts, scorer=score, weights=options.weights, extra=extra, **options.columns)
    )
    scoring_ms = (time.perf_counter() - start) * 1000
    logger.info("n=%d backend %.0f ms, scoring %.1f ms", options.n, backend_ms, scoring_ms)
    kept = ranked if options.return_all else ranked[:1]
    return {
        "id": f"chatcmpl-scifi-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.get("model", forward.get("model")),
        "choices": [_ranked_choice(reply["choices"][c.index], c, i) for i, c in enumerate(kept)],
        "usage": reply.get("usage") or {},
        "scifi": {
            "n": options.n,
            "weights": options.weights,
            "backend_ms": backend_ms,
            "scoring_ms": scoring_ms,
        },
    }


def _warm_up(score: Scorer) -> None:
    """Score one English and one Chinese line, so that lazy loading (jieba, phrase lists) is not paid by
    the first request."""
    for text in ("The starship drifted past the moons of Jupiter.", "飞船缓缓驶过木星的卫星。"):
        score(text, prompt="Write a story.")


def _choice_text(choice: dict) -> str:
    content = (choice.get("message") or {}).get("content")
    return content if isinstance(content, str) else ""


def _ranked_choice(choice: dict, ranked: RankedCandidate, index: int) -> dict:
    return {**choice, "index": index, "scifi": ranked.to_dict()}


async def _sse_of(reply: dict) -> AsyncIterator[bytes]:
    """The best choice of ``reply`` as an OpenAI stream: one content chunk, one finish chunk, [DONE]."""
    best = reply["choices"][0]
    base = {
        "id": reply["id"],
        "object": "chat.completion.chunk",
        "created": reply["created"],
        "model": reply["model"],
    }
    content = {
        "index": 0,
        "delta": {"role": "assistant", "content": _choice_text(best)},
        "finish_reason": None,
    }
    finish = {
        "index": 0,
        "delta": {},
        "finish_reason": best.get("finish_reason") or "stop",
        "scifi": best["scifi"],
    }
    for choice in (content, finish):
        yield f"data: {json.dumps({**base, 'choices': [choice]}, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


def _authorize(request: Request, api_key: str | None) -> None:
    if not api_key:
        return
    header = request.headers.get("authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    if not secrets.compare_digest(token.encode(), api_key.encode()):
        raise ServeError(401, "missing or wrong API key", "authentication_error")


async def _serve_error(_: Request, exc: ServeError) -> JSONResponse:
    if exc.status >= 500:
        logger.warning("%d: %s", exc.status, exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _internal_error(_: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error while serving a request")
    error = ServeError(500, f"internal error: {type(exc).__name__}", "server_error")
    return JSONResponse(error.body(), status_code=500)
