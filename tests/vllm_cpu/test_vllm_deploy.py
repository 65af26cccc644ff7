"""The shipped vLLM deploy preset, for real on vLLM's CPU wheel: ``swift-scifi launch deploy/vllm`` (only the
model, its template and CPU-sized limits swapped) serves the tiny model; ``swift-scifi serve`` in front of it
ranks candidates for the real ``openai`` client. One vLLM server for the module, stopped by a finalizer."""

from __future__ import annotations

import sys

import httpx
import openai
import pytest

from swift_scifi.rewards.registry import ALL_KEYS
from tests.conftest import REPO
from tests.serve.conftest import TINY_TEMPLATE, ServerProcess, free_port, scifi_serve

pytestmark = pytest.mark.vllm

REWARDS = set(ALL_KEYS)  # every reward key of the registry, composite included
MESSAGES = [{"role": "user", "content": "Write about Mars."}]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("vllm-deploy")


@pytest.fixture(scope="module")
def backend(request, tiny_model, workdir, vllm_env):
    port = free_port()
    cmd = [sys.executable, "-m", "swift_scifi.cli", "launch", "deploy/vllm", "--model", str(tiny_model)]
    cmd += [*TINY_TEMPLATE, "--port", str(port), "--max_new_tokens", "32", "--log_interval", "-1"]
    # CPU-sized: the tiny model has 4,096 positions (the preset's 8,192 is for Qwen3); eager mode skips
    # torch.compile, which on CPU compiles C++ for minutes.
    cmd += ["--vllm_max_model_len", "512", "--vllm_max_num_seqs", "8", "--vllm_enforce_eager", "true"]
    server = ServerProcess(cmd, workdir / "deploy-vllm.log", port, REPO, env=vllm_env)
    request.addfinalizer(server.stop)
    server.wait_ready("/health", timeout=420)
    return server


def _chat(base_url: str, **kwargs):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0, timeout=120)
    return client.chat.completions.create(model="scifi", messages=MESSAGES, max_tokens=12, **kwargs)


def test_preset_serves_the_tiny_model_with_vllm(backend):
    assert "infer_backend='vllm'" in backend.log_text()
    models = httpx.get(backend.url + "/v1/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == ["scifi"]
    reply = _chat(backend.url, n=2, temperature=1.0, seed=0)
    assert len(reply.choices) == 2
    assert all(c.message.content and c.finish_reason in {"length", "stop"} for c in reply.choices)
    assert reply.usage.completion_tokens > 0


@pytest.mark.xfail(
    strict=True,
    reason="ms-swift 4.6 upstream: VllmEngine._prepare_generation_config sets RequestOutputKind.FINAL_ONLY "
    "when n > 1, so a stream gets one result per choice, and InferStreamer drops the tokens of its first "
    "call (first_token): every choice streams ''. Not CPU-specific. swift-scifi serve avoids it (below).",
)
def test_stream_n2_straight_from_swift_deploy_gives_text(backend):
    """Upstream bug, kept visible: the day ms-swift fixes it this xfail turns into a failure to remove it."""
    text, finish = _stream(backend.url, n=2)
    assert sorted(finish) == [0, 1] and all(finish[i] in {"length", "stop"} for i in (0, 1)), finish
    assert all(text[i] for i in (0, 1)), text


def test_scifi_serve_streams_the_best_of_n_from_vllm(request, backend, workdir):
    """swift-scifi serve asks the backend for n candidates without streaming, ranks them, then streams the
    best: text arrives even though the backend's own n > 1 stream is empty."""
    served = scifi_serve(request, backend.url + "/v1", workdir, "--n", "2", "--max-n", "4")
    text, finish = _stream(served.url, n=2)
    assert list(text) == [0] and text[0], text
    assert finish[0] in {"length", "stop"}


def _stream(base_url: str, n: int) -> tuple[dict[int, str], dict[int, str | None]]:
    """Text and finish reason per choice index of a streamed chat completion."""
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0, timeout=120)
    stream = client.chat.completions.create(
        model="scifi", messages=MESSAGES, max_tokens=12, n=n, temperature=1.0, stream=True
    )
    text: dict[int, str] = {}
    finish: dict[int, str | None] = {}
    for chunk in stream:
        for choice in chunk.choices:
            text[choice.index] = text.get(choice.index, "") + (choice.delta.content or "")
            finish[choice.index] = choice.finish_reason or finish.get(choice.index)
    return text, finish


def test_scifi_serve_ranks_vllm_candidates_for_openai_client(request, backend, workdir):
    served = scifi_serve(request, backend.url + "/v1", workdir, "--n", "3", "--max-n", "4")
    reply = _chat(served.url, extra_body={"scifi": {"terms": ["Mars"], "target_length": 20}})
    assert len(reply.choices) == 3
    infos = [choice.model_extra["scifi"] for choice in reply.choices]
    assert [info["rank"] for info in infos] == [0, 1, 2]
    assert sorted(info["candidate_index"] for info in infos) == [0, 1, 2]
    scores = [info["score"] for info in infos]
    assert scores == sorted(scores, reverse=True)
    for info in infos:
        assert set(info["rewards"]) == REWARDS
        assert info["score"] == pytest.approx(info["rewards"]["writing"])
    assert all(isinstance(c.message.content, str) for c in reply.choices)
