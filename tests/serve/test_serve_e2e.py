"""End to end on CPU, through the shipped presets: tiny model → LoRA (`swift sft` with a plugin) →
`swift deploy --adapters` reloads the plugin → merge-lora.yaml → awq-4bit.yaml (scifi-calib) and
bnb-4bit.yaml → deploy/transformers.yaml → `swift-scifi serve` → the real openai client.
Every server is stopped by a finalizer."""

from __future__ import annotations

import importlib.util
import json
import os

import httpx
import openai
import pytest
from safetensors import safe_open

import swift_scifi
from tests.conftest import SWIFT_FLAGS_TINY, run_cli, run_swift

from .conftest import free_port, scifi_serve, swift_deploy, swift_export

pytestmark = pytest.mark.swift

KEY = "sk-scifi-test"
REWARDS = {"term_consistency", "principles", "length", "repetition", "slop", "format", "fluency", "writing"}
SHIM = """\
import os
import swift_scifi

swift_scifi.register()
with open({marker!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
"""


def _require(module: str, install: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed; this environment needs: {install}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("serve-e2e")


@pytest.fixture(scope="module")
def shim(workdir):
    """A plugin that registers swift-scifi and records each process that imports it."""
    folder = workdir / "shim"
    folder.mkdir()
    marker = workdir / "plugin-imports.txt"
    (folder / "scifi_shim.py").write_text(SHIM.format(marker=str(marker)))
    return folder / "scifi_shim.py", marker


@pytest.fixture(scope="module")
def adapter(tiny_model, workdir, shim):
    out = workdir / "lora"
    args = ["sft", "--model", str(tiny_model), *SWIFT_FLAGS_TINY, "--dataset", "scifi-writing-tasks:en#8"]
    args += [
        "--external_plugins",
        str(shim[0]),
        "--tuner_type",
        "lora",
        "--max_steps",
        "2",
        "--save_steps",
        "2",
    ]
    args += ["--per_device_train_batch_size", "2", "--gradient_accumulation_steps", "1"]
    args += ["--max_length", "384", "--output_dir", str(out)]
    args += ["--report_to", "none", "--dataloader_num_workers", "0"]
    run_swift(args, workdir, SCIFI_MAX_TOKENS="384", SCIFI_TOKENIZER=str(tiny_model))
    return next(out.glob("v*/checkpoint-*"))


@pytest.fixture(scope="module")
def merged(adapter, tiny_model):
    swift_export("merge-lora.yaml", "--adapters", str(adapter), model=tiny_model)
    return adapter.parent / f"{adapter.name}-merged"


@pytest.fixture(scope="module")
def awq_model(merged, tiny_model, workdir):
    _require("awq", "pip install --no-deps autoawq==0.2.9")
    out = workdir / "awq"
    calib = ["--dataset", "scifi-calib:en#16", "--quant_n_samples", "16", "--max_length", "256"]
    swift_export(
        "awq-4bit.yaml",
        "--model",
        str(merged),
        *calib,
        "--output_dir",
        str(out),
        model=tiny_model,
        max_tokens=224,
    )
    return out


@pytest.fixture(scope="module")
def bnb_model(merged, tiny_model, workdir):
    _require("bitsandbytes", "pip install bitsandbytes==0.50.2")
    swift_export(
        "bnb-4bit.yaml", "--model", str(merged), "--output_dir", str(workdir / "bnb"), model=tiny_model
    )
    return workdir / "bnb"


@pytest.fixture(scope="module")
def backend(request, bnb_model, workdir):
    return swift_deploy(request, workdir, "--model", str(bnb_model), "--served_model_name", "tiny-bnb")


@pytest.fixture(scope="module")
def served(request, backend, workdir):
    return scifi_serve(
        request,
        backend.url + "/v1",
        workdir,
        "--n",
        "3",
        "--max-n",
        "4",
        "--max-request-bytes",
        "20000",
        env={"SCIFI_SERVE_API_KEY": KEY},  # the documented way: never on the command line
    )


@pytest.fixture()
def client(served):
    return openai.OpenAI(base_url=served.url + "/v1", api_key=KEY, max_retries=0, timeout=120)


def _chat(client, **kwargs):
    return client.chat.completions.create(
        model="tiny-bnb", messages=[{"role": "user", "content": "Write about Mars."}], max_tokens=12, **kwargs
    )


def test_awq_export_with_scifi_calib_writes_4bit_gemm_weights(awq_model):
    config = json.loads((awq_model / "config.json").read_text())["quantization_config"]
    assert (config["quant_method"], config["bits"], config["version"]) == ("awq", 4, "gemm")
    with safe_open(str(awq_model / "model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert any(k.endswith("self_attn.q_proj.qweight") for k in keys)
    assert any(k.endswith("mlp.down_proj.scales") for k in keys)
    args = json.loads((awq_model / "args.json").read_text())
    assert args["dataset"] == ["scifi-calib:en#16"] and args["external_plugins"] == [
        swift_scifi.plugin_path()
    ]


def test_bnb_export_writes_nf4_weights(bnb_model):
    config = json.loads((bnb_model / "config.json").read_text())["quantization_config"]
    assert config["_load_in_4bit"] and config["bnb_4bit_quant_type"] == "nf4"


def test_openai_client_receives_ranked_candidates(client):
    reply = _chat(client, extra_body={"scifi": {"terms": ["Mars"], "target_length": 20}})
    assert len(reply.choices) == 3
    infos = [choice.model_extra["scifi"] for choice in reply.choices]
    assert [info["rank"] for info in infos] == [0, 1, 2]
    assert sorted(info["candidate_index"] for info in infos) == [0, 1, 2]
    scores = [info["score"] for info in infos]
    assert scores == sorted(scores, reverse=True)
    for info in infos:
        assert set(info["rewards"]) == REWARDS
        assert info["score"] == pytest.approx(info["rewards"]["writing"])
        assert info["rewards"]["length"] is not None and info["rewards"]["term_consistency"] is not None
    assert reply.model_extra["scifi"]["n"] == 3


def test_best_only_and_weights(client):
    reply = _chat(client, n=4, extra_body={"scifi": {"return": "best", "weights": {"slop": 1.0}}})
    assert len(reply.choices) == 1
    info = reply.choices[0].model_extra["scifi"]
    assert info["score"] == pytest.approx(info["rewards"]["slop"])


def test_stream_passes_through_when_n_is_1(client, backend):
    chunks = list(_chat(client, n=1, stream=True))
    assert len(chunks) > 2  # token by token from the backend, not one ranked chunk
    assert len({chunk.id for chunk in chunks}) == 1 and not chunks[0].id.startswith("chatcmpl-scifi-")
    assert chunks[-1].choices[0].finish_reason == "length"


def test_stream_with_n_above_1_sends_the_best(client):
    chunks = list(_chat(client, n=2, stream=True))
    assert chunks[0].id.startswith("chatcmpl-scifi-")
    assert chunks[-1].choices[0].model_extra["scifi"]["rank"] == 0


def test_wrong_key_gets_401_and_server_still_answers(served, client):
    bad = openai.OpenAI(base_url=served.url + "/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        _chat(bad)
    assert httpx.post(served.url + "/v1/chat/completions", json={}).status_code == 401
    assert len(_chat(client, n=1).choices) == 1


def test_oversize_and_too_many_candidates_get_4xx_and_server_still_answers(client):
    with pytest.raises(openai.APIStatusError) as oversize:
        client.chat.completions.create(model="tiny-bnb", messages=[{"role": "user", "content": "x" * 30000}])
    assert oversize.value.status_code == 413
    with pytest.raises(openai.BadRequestError, match="limit of 4"):
        _chat(client, n=5)
    assert len(_chat(client, n=1).choices) == 1


def test_backend_timeout_gives_504_and_dead_backend_502(request, backend, workdir):
    slow = scifi_serve(request, backend.url + "/v1", workdir, "--timeout", "0.001")
    reply = httpx.post(
        slow.url + "/v1/chat/completions",
        timeout=30,
        json={"model": "tiny-bnb", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 48},
    )
    assert reply.status_code == 504 and "timed out" in reply.json()["error"]["message"]
    dead = scifi_serve(request, f"http://127.0.0.1:{free_port()}/v1", workdir)
    reply = httpx.post(
        dead.url + "/v1/chat/completions",
        timeout=30,
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert reply.status_code == 502 and "unreachable" in reply.json()["error"]["message"]
    assert httpx.get(dead.url + "/health").status_code == 200


def test_python_generate_ranks_backend_candidates(backend):
    from swift_scifi import generate

    ranked = generate(
        "Write about Mars.",
        base_url=backend.url + "/v1",
        model="tiny-bnb",
        n=3,
        max_tokens=16,
        terms=["Mars"],
    )
    assert [c.rank for c in ranked] == [0, 1, 2]
    assert ranked[0].score >= ranked[-1].score
    assert all(c.rewards["term_consistency"] is not None for c in ranked)


def test_deployed_adapter_reloads_plugin_from_args_json(request, adapter, shim, workdir):
    path, marker = shim
    assert json.loads((adapter / "args.json").read_text())["external_plugins"] == [str(path)]
    before = set(marker.read_text().split())
    server = swift_deploy(request, workdir, "--adapters", str(adapter), preset=None)  # no --external_plugins
    assert f"Successfully imported external_plugins: ['{path}']" in server.log_text()
    assert set(marker.read_text().split()) - before, "the deploy process did not import the plugin"
    model = httpx.get(server.url + "/v1/models").json()["data"][0]["id"]
    body = {"model": model, "messages": [{"role": "user", "content": "Begin."}], "max_tokens": 8}
    reply = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=60)
    assert reply.status_code == 200 and isinstance(reply.json()["choices"][0]["message"]["content"], str)
    server.stop()  # `swift deploy` serves from a child process: the whole group must be gone
    with pytest.raises(ProcessLookupError):
        os.killpg(server.proc.pid, 0)


def test_merged_model_has_the_lora_folded_in(merged, tiny_model):
    with (
        safe_open(str(merged / "model.safetensors"), "pt") as new,
        safe_open(str(tiny_model / "model.safetensors"), "pt") as old,
    ):
        assert not any("lora" in k for k in new.keys())
        key = next(k for k in new.keys() if k.endswith("self_attn.q_proj.weight"))
        assert not (new.get_tensor(key) == old.get_tensor(key)).all()


def test_stop_ends_the_whole_server_process_group(request, backend, workdir):
    server = scifi_serve(request, backend.url + "/v1", workdir)
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(server.proc.pid, 0)
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/health")


def test_tiny_model_behind_swift_deploy_serves_as_a_synth_teacher(backend, tmp_path):
    """`swift-scifi synth` against a real `swift deploy` of the tiny model: its replies are noise, so the run
    must end with every job counted as dropped (by reason) or kept, none failed, and tokens reported."""
    out = tmp_path / "bt.jsonl"
    args = ["synth", "scifi-backtrans", "--teacher-url", backend.url + "/v1", "--model", "tiny-bnb", "--out"]
    proc = run_cli(
        [*args, str(out), "--limit", "4", "--concurrency", "2", "--max-tokens", "32", "--no-progress"]
    )
    report = json.loads((tmp_path / "bt.report.json").read_text())
    assert report["jobs"] == 4 == report["kept"] + report["dropped"] and report["failed"] == 0
    assert sum(report["dropped_by_reason"].values()) == report["dropped"]
    assert report["usage_all_runs"]["completion_tokens"] > 0 and "4 jobs" in proc.stdout
