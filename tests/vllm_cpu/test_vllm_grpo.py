"""GRPO from the shipped colocate preset (``swift-scifi launch qwen3-8b-grpo-colocate``), for real on vLLM's CPU
wheel: the tiny model, CPU sizes, the preset's ``scifi_*`` rewards and colocated vLLM rollouts, 2 steps.
A probe plugin (sync_probe.py) records the rollout engine's greedy logprobs for a fixed prompt around each
weight sync: after a step with a large learning rate the engine must generate from the updated weights."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, subprocess_env

pytestmark = pytest.mark.vllm

PRESET = REPO / "configs" / "qwen3-8b-grpo-colocate.yaml"
PROBE = Path(__file__).with_name("sync_probe.py")

# Everything below the model swap is a size or a device: the tiny model on one CPU process.
CPU_SIZES = {
    "--model_type": "qwen3",
    "--template": "qwen3_nothinking",
    "--check_model": "false",
    "--torch_dtype": "float32",
    "--dataset": "scifi-grpo-prompts#8",
    "--num_generations": "2",
    "--per_device_train_batch_size": "2",
    "--gradient_accumulation_steps": "1",
    "--max_length": "384",
    "--max_completion_length": "24",
    "--vllm_max_model_len": "512",
    "--vllm_enforce_eager": "true",
    "--max_steps": "2",
    "--learning_rate": "0.1",  # large on purpose: the synced engine must visibly change
    "--deepspeed": "",  # no DeepSpeed on CPU
    "--sleep_level": "0",  # vLLM sleep mode is GPU-only
    "--offload_model": "false",
    "--offload_optimizer": "false",
    "--gradient_checkpointing": "false",
    "--dataloader_num_workers": "0",
    "--report_to": "none",
    "--save_steps": "100",
}


@pytest.fixture(scope="module")
def grpo_run(tiny_model, tmp_path_factory, vllm_env):
    work = tmp_path_factory.mktemp("vllm-grpo")
    out, probe = work / "out", work / "sync.jsonl"
    extra = [arg for kv in CPU_SIZES.items() for arg in kv]
    cmd = [
        sys.executable,
        "-m",
        "swift_scifi.cli",
        "launch",
        "qwen3-8b-grpo-colocate",
        "--model",
        str(tiny_model),
    ]
    cmd += [*extra, "--output_dir", str(out), "--external_plugins", str(PROBE)]
    # the preset's rewards and weights, plus the probe's varying reward (see sync_probe.py)
    preset = yaml.safe_load(PRESET.read_text())
    cmd += ["--reward_funcs", *preset["reward_funcs"], "probe_vary"]
    cmd += ["--reward_weights", *map(str, preset["reward_weights"]), "1.0"]
    env = subprocess_env(
        **vllm_env,
        NPROC_PER_NODE="1",  # the preset's ENV asks for 8 processes; one CPU process here
        SCIFI_SYNC_PROBE=str(probe),
        SCIFI_MAX_TOKENS="384",
        SCIFI_TOKENIZER=str(tiny_model),
    )
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    (work / "run.log").write_text(log)
    if proc.returncode != 0:
        pytest.fail(f"GRPO colocate run failed ({proc.returncode}):\n{log[-6000:]}")
    return out, probe, log


def test_colocate_preset_runs_two_steps_with_every_preset_reward(grpo_run):
    out, _, log = grpo_run
    preset = yaml.safe_load(PRESET.read_text())
    assert (preset["use_vllm"], preset["vllm_mode"]) == (True, "colocate")
    rows = [json.loads(x) for x in next(out.glob("v*/logging.jsonl")).read_text().splitlines()]
    steps = [r for r in rows if "reward" in r]
    assert len(steps) == 2
    args = json.loads(next(out.glob("v*/args.json")).read_text())
    assert args["use_vllm"] is True and args["vllm_mode"] == "colocate"
    assert args["reward_funcs"] == [*preset["reward_funcs"], "probe_vary"]
    assert all(float(r["grad_norm"]) > 0 for r in steps), steps  # the probe reward makes advantages non-zero
    from swift_scifi.integrations.ms_swift import REWARD_CLASSES

    for name in preset["reward_funcs"]:
        cls = REWARD_CLASSES[name].__name__
        means = [r.get(f"rewards/{cls}/mean") for r in steps]
        assert all(m is not None and 0.0 <= m <= 1.0 for m in means), (name, means)


def test_rollout_engine_generates_from_the_updated_weights(grpo_run):
    _, probe, _ = grpo_run
    syncs = [json.loads(x) for x in probe.read_text().splitlines()]
    assert len(syncs) >= 2, syncs  # one sync before step 1's rollouts, one after the first optimizer step
    first, later = syncs[0], syncs[-1]
    # before any optimizer step, the sync loads the weights vLLM already has: same greedy output
    assert first["after"]["ids"] == first["before"]["ids"]
    assert _max_diff(first["after"]["logprobs"], first["before"]["logprobs"]) < 1e-3
    # after a step at lr 0.1, the engine was stale before the sync and matches the trainer's model after it
    after, before = later["after"], later["before"]
    trainer = later["trainer_logprobs_of_after"]
    assert _max_diff(after["logprobs"], trainer) < 1e-2, later
    if after["ids"] == before["ids"]:  # same greedy text: its logprobs moved, to the trainer's
        assert _max_diff(after["logprobs"], before["logprobs"]) > 1e-3, later
        assert _max_diff(before["logprobs"], trainer) > 10 * _max_diff(after["logprobs"], trainer), later


def _max_diff(a: list[float], b: list[float]) -> float:
    assert len(a) == len(b) and a, (a, b)
    return max(abs(x - y) for x, y in zip(a, b, strict=True) if math.isfinite(x) and math.isfinite(y))
