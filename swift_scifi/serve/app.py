"""The FastAPI app of ``swift-scifi serve``: OpenAI ``/v1/chat/completions`` with best-of-n reranking.

Routes: ``POST /v1/chat/completions``, ``GET /v1/models`` (the backend's), ``GET /health`` (no auth, no
Host check), ``GET /openapi.json`` and ``GET /docs`` (same access rules as the API).
Each returned choice carries ``"scifi": {"rank", "candidate_index", "score", "rewards"}`` (``rewards`` holds
``judge`` too when the server runs with ``judge``); the reply
carries ``"scifi": {"n", "weights", "backend_ms", "scoring_ms"}``. Choices are ordered best first.
A request without ``model`` goes to the backend's served model (its first ``/v1/models`` id).
Access rules (key, Host, Origin, Content-Type) are in :mod:`swift_scifi.serve.access`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.requests import ClientDisconnect

from .access import allowed_host_names, authorize, check_host, check_origin, require_json
from .backend import Backend
from .judging import Judge, make_judge
from .ranking import RankedCandidate, Scorer, default_scorer, rank_texts
from .request import ChatOptions, backend_body, parse_options, read_json_body
from .settings import ServeError, ServeSettings

logger = logging.getLogger("swift_scifi.serve")
SETTINGS_ENV = "SCIFI_SERVE_SETTINGS_JSON"  # how `swift-scifi serve` hands settings to its workers


def app_from_env() -> FastAPI:
    """The app for one worker process of ``swift-scifi serve --workers N`` (settings from the environment)."""
    return create_app(ServeSettings.from_json(os.environ[SETTINGS_ENV]))


def create_app(settings: ServeSettings, scorer: Scorer | None = None) -> FastAPI:
    """Build the app. ``scorer`` defaults to ``swift_scifi.rewards.score_text`` (resolved now, so a
    missing rewards package fails at start, not per request)."""
    score = scorer or default_scorer()
    judge = make_judge() if settings.judge else None
    backend = Backend(settings)
    hosts = allowed_host_names(settings)

    def guard(request: Request) -> None:
        """Host, Origin and key checks of every route but /health."""
        check_host(request.headers, hosts)
        check_origin(request.headers, settings)
        authorize(request.headers, settings.api_key)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        await anyio.to_thread.run_sync(_warm_up, score)
        yield
        await backend.aclose()

    app = FastAPI(
        title="swift-scifi best-of-n", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_exception_handler(ServeError, _serve_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _internal_error)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
        )

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        guard(request)
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        guard(request)
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title)

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        guard(request)
        return await backend.get_json("/models")

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        guard(request)
        require_json(request.headers)
        try:
            with anyio.fail_after(settings.body_timeout_s):
                body = await read_json_body(
                    request.stream(), request.headers.get("content-length"), settings.max_request_bytes
                )
        except TimeoutError:
            raise ServeError(
                408, f"request body not received within {settings.body_timeout_s:g} s", close=True
            ) from None
        options = parse_options(body, settings)
        forward = backend_body(body, settings, options)
        if forward.get("model") is None:  # the served model, as the OpenAI client cannot leave it out
            forward.pop("model", None)
            if model := await backend.served_model():
                forward["model"] = model
        deadline = backend.deadline()
        if options.stream and options.n == 1:
            return StreamingResponse(await backend.stream(forward, deadline), media_type="text/event-stream")
        reply = await _best_of_n(backend, score, judge, forward, options, deadline)
        if options.stream:
            return StreamingResponse(_sse_of(reply), media_type="text/event-stream")
        return reply

    return app


async def _best_of_n(
    backend: Backend, score: Scorer, judge: Judge | None, forward: dict, options: ChatOptions, deadline: float
) -> dict:
    """Ask for ``options.n`` candidates, rank them (with the judge when on), and build the OpenAI reply.
    The backend calls and the judge finish by ``deadline`` (``time.monotonic()`` seconds) or it is a 504."""
    start = time.perf_counter()
    try:
        async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
            reply = await backend.complete(forward, options.n, deadline)
            backend_ms = (time.perf_counter() - start) * 1000
            texts = [_choice_text(choice) for choice in reply["choices"]]
            start = time.perf_counter()
            extra = [{"judge": v} for v in await judge(texts, forward["messages"])] if judge else None
    except TimeoutError:
        raise ServeError(504, "backend timed out: the request's deadline passed", "backend_timeout") from None
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


async def _serve_error(_: Request, exc: ServeError) -> JSONResponse:
    if exc.status >= 500:
        logger.warning("%d: %s", exc.status, exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if exc.close:
        headers["Connection"] = "close"
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers or None)


async def _client_gone(request: Request, _: ClientDisconnect) -> Response:
    """A client that hung up mid-body: one info line, no traceback (nobody is left to answer)."""
    client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
    logger.info("%s disconnected before sending its whole request body", client)
    return Response(status_code=400)


async def _internal_error(_: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error while serving a request")
    error = ServeError(500, f"internal error: {type(exc).__name__}", "server_error")
    return JSONResponse(error.body(), status_code=500)
