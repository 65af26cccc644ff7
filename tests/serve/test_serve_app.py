"""The reranking app over real HTTP against a scripted OpenAI-style backend, for the failure modes a real
`swift deploy` will not produce on demand (5xx, bad JSON, too few choices, hangs, refused backend key).
Scoring uses the real scifi rewards."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from swift_scifi.serve.app import create_app
from swift_scifi.serve.settings import ServeSettings

from .conftest import ThreadServer

GOOD = (
    "The Time Traveller smiled round at us. Then, still smiling faintly, and with his hands deep in his trousers "
    "pockets, he walked slowly out of the laboratory, and we heard his slippers shuffling down the long passage."
)
BAD = "the the the the the the the the the the the the the the the the the the the the the the the the " * 6
KEY = "sk-app"


def _choice(i: int, text: str) -> dict:
    return {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}


def scripted_backend(calls: list[dict]) -> FastAPI:
    """Behaviour chosen by the request's model name; every request body is appended to ``calls``."""
    app = FastAPI()

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": "ok", "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        calls.append(body)
        model, n = body["model"], body.get("n", 1)
        if model == "fail":
            return PlainTextResponse("CUDA out of memory", status_code=500)
        if model == "refuse-key":
            return JSONResponse({"error": "bad key"}, status_code=401)
        if model == "garbage":
            return PlainTextResponse("<html>")
        if model == "slow":
            await asyncio.sleep(3)
        if model == "judge":  # the LLM judge: every criterion 10 for GOOD, 1 otherwise
            from swift_scifi.judge.rubrics import load_rubric

            score = 10 if GOOD in json.dumps(body["messages"], ensure_ascii=False) else 1
            scores = [{"name": c["name"], "score": score, "reason": "-"} for c in load_rubric("scifi", "en")]
            content = json.dumps({"scores": scores})
            return {"id": "j", "object": "chat.completion", "model": model, "choices": [_choice(0, content)]}
        if model == "stream":
            chunks = [
                b'data: {"id":"s1","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n',
                b"data: [DONE]\n\n",
            ]
            return StreamingResponse(iter(chunks), media_type="text/event-stream")
        texts = [BAD, GOOD, BAD, BAD][:n] if model != "one-at-a-time" else [GOOD]
        return {
            "id": "b",
            "object": "chat.completion",
            "model": model,
            "choices": [_choice(i, t) for i, t in enumerate(texts)],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": 7 * len(texts),
                "total_tokens": 5 + 7 * len(texts),
            },
        }

    return app


@pytest.fixture(scope="module")
def calls():
    return []


@pytest.fixture(scope="module")
def backend(calls):
    server = ThreadServer(scripted_backend(calls))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def serve(backend):
    settings = ServeSettings(
        backend_url=backend.url + "/v1", api_key=KEY, n=3, max_n=4, max_request_bytes=4000, timeout_s=1.0
    )
    server = ThreadServer(create_app(settings), settings)
    yield server
    server.stop()


def post(serve, model: str, key: str = KEY, **body) -> httpx.Response:
    payload = {"model": model, "messages": [{"role": "user", "content": "Tell it."}], **body}
    return httpx.post(
        serve.url + "/v1/chat/completions",
        json=payload,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_candidates_are_ranked_by_the_rewards(serve, calls):
    reply = post(serve, "ok", scifi={"lang": "en"})
    assert reply.status_code == 200
    data = reply.json()
    assert [c["message"]["content"] for c in data["choices"]][0] == GOOD
    assert data["choices"][0]["scifi"]["candidate_index"] == 1
    assert data["usage"]["completion_tokens"] == 21
    sent = calls[-1]
    assert sent["n"] == 3 and sent["temperature"] == 1.0 and "scifi" not in sent and sent["stream"] is False


def test_backend_without_n_is_topped_up_with_single_calls(serve, calls):
    before = len(calls)
    reply = post(serve, "one-at-a-time", n=3)
    assert reply.status_code == 200 and len(reply.json()["choices"]) == 3
    assert [c.get("n") for c in calls[before:]] == [3, 1, 1]


def test_judge_score_joins_the_ranking(backend, monkeypatch):
    monkeypatch.setenv("SCIFI_JUDGE_BASE_URL", backend.url + "/v1")
    monkeypatch.setenv("SCIFI_JUDGE_MODEL", "judge")
    server = ThreadServer(create_app(ServeSettings(backend_url=backend.url + "/v1", n=3, judge=True)))
    try:
        body = {"model": "ok", "messages": [{"role": "user", "content": "Tell it."}]}
        choices = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=60).json()["choices"]
        body["scifi"] = {"weights": {"judge": 1.0}}
        weighted = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=60)
    finally:
        server.stop()
    assert choices[0]["message"]["content"] == GOOD
    judged = [c["scifi"]["rewards"]["judge"] for c in choices]
    assert judged == [1.0, 0.0, 0.0]
    for c in choices:
        rewards = c["scifi"]["rewards"]
        assert c["scifi"]["score"] == pytest.approx((rewards["writing"] + rewards["judge"]) / 2)
    assert weighted.status_code == 200  # `judge` is a reward name that weights may use when it is on
    assert [c["scifi"]["score"] for c in weighted.json()["choices"]] == [1.0, 0.0, 0.0]


def test_fanout_asks_one_candidate_per_call(backend, calls):
    settings = ServeSettings(backend_url=backend.url + "/v1", n=3, fanout=True)
    server = ThreadServer(create_app(settings))
    try:
        before = len(calls)
        body = {"model": "ok", "messages": [{"role": "user", "content": "Tell it."}]}
        reply = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=30)
        assert reply.status_code == 200 and len(reply.json()["choices"]) == 3
        assert [c["n"] for c in calls[before:]] == [1, 1, 1]
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("model", "status", "words"),
    [
        ("fail", 502, "HTTP 500"),
        ("garbage", 502, "not JSON"),
        ("slow", 504, "timed out"),
        ("refuse-key", 502, "401"),
    ],
)
def test_backend_failures_are_clear_5xx_and_server_stays_up(serve, model, status, words):
    reply = post(serve, model)
    assert reply.status_code == status
    assert words in reply.json()["error"]["message"]
    assert post(serve, "ok").status_code == 200


def test_auth_limits_and_bad_requests(serve):
    assert post(serve, "ok", key="nope").status_code == 401
    assert httpx.get(serve.url + "/v1/models").status_code == 401
    assert (
        httpx.get(serve.url + "/v1/models", headers={"Authorization": f"Bearer {KEY}"}).json()["data"][0][
            "id"
        ]
        == "ok"
    )
    assert httpx.get(serve.url + "/health").status_code == 200
    assert post(serve, "ok", n=5).status_code == 400
    assert post(serve, "ok", n=0).status_code == 400
    assert post(serve, "ok", scifi={"lang": "fr"}).status_code == 400
    assert post(serve, "ok", scifi={"weights": {"slop": -1}}).status_code == 400
    assert post(serve, "ok", messages="hi").status_code == 400
    chunked = httpx.post(
        serve.url + "/v1/chat/completions",
        content=(b"x" * 1000 for _ in range(5)),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413  # no Content-Length: counted while reading
    assert post(serve, "ok", messages=[{"role": "user", "content": "y" * 5000}]).status_code == 413
    assert post(serve, "ok").status_code == 200


def test_stream_with_n_1_is_relayed_unchanged(serve):
    with httpx.stream(
        "POST",
        serve.url + "/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"model": "stream", "messages": [{"role": "user", "content": "go"}], "n": 1, "stream": True},
    ) as reply:
        body = b"".join(reply.iter_raw())
    assert reply.status_code == 200
    assert body == b'data: {"id":"s1","choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\n'


def _chat(serve, body: dict) -> httpx.Response:
    return httpx.post(
        serve.url + "/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30,
    )


def test_weights_must_name_known_rewards_and_not_all_be_zero(serve, calls):
    from swift_scifi.rewards import registry

    before = len(calls)
    unknown = post(serve, "ok", scifi={"weights": {"slop": 1.0, "no_such_reward": 2.0}})
    assert unknown.status_code == 400
    message = unknown.json()["error"]["message"]
    assert "no_such_reward" in message and all(name in message for name in registry.ALL_KEYS)
    assert post(serve, "ok", scifi={"weights": {"judge": 1.0}}).status_code == 400  # judge is off here
    zeros = post(serve, "ok", scifi={"weights": dict.fromkeys(registry.ALL_KEYS, 0)})
    assert zeros.status_code == 400 and "all 0" in zeros.json()["error"]["message"]
    assert len(calls) == before  # refused before the backend was asked
    # every name the registry holds today is accepted, and a positive weight ranks by that reward
    every = post(serve, "ok", scifi={"weights": {**dict.fromkeys(registry.ALL_KEYS, 0), "repetition": 1}})
    assert every.status_code == 200
    best = every.json()["choices"][0]["scifi"]
    assert best["score"] == pytest.approx(best["rewards"]["repetition"]) and best["score"] > 0


@pytest.mark.parametrize(
    "messages",
    [
        ["Tell it."],
        [{"content": "Tell it."}],
        [{"role": "narrator", "content": "Tell it."}],
        [{"role": "user", "content": 42}],
        [{"role": "user", "content": {"text": "Tell it."}}],
        [{"role": "user", "content": ["Tell it."]}],
        [{"role": "user", "content": "Tell it."}, None],
    ],
)
def test_malformed_messages_are_400_from_serve_not_502(serve, calls, messages):
    before = len(calls)
    reply = post(serve, "ok", messages=messages)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["message"].startswith("`messages[")
    assert len(calls) == before  # never forwarded


def test_request_without_model_uses_the_served_model(serve, calls):
    reply = _chat(serve, {"messages": [{"role": "user", "content": "Tell it."}]})
    assert reply.status_code == 200, reply.text
    assert calls[-1]["model"] == "ok"  # the first id of the backend's /v1/models
    assert reply.json()["model"] == "ok" and reply.json()["choices"][0]["message"]["content"] == GOOD
    assert _chat(serve, {"model": None, "messages": [{"role": "user", "content": "x"}]}).status_code == 200
    assert calls[-1]["model"] == "ok"
    assert _chat(serve, {"model": 7, "messages": [{"role": "user", "content": "x"}]}).status_code == 400
