"""A real `swift rlhf --rlhf_type grpo` run of the tiny model on CPU with every scifi_* reward, through the
plugin shim, reading `terms`, `target_length` and `lang` from scifi-grpo-prompts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import swift_scifi
from swift_scifi.rewards import score_text
from tests.conftest import SWIFT_FLAGS_TINY, run_swift, subprocess_env, swift_exe

pytestmark = pytest.mark.swift

REWARD_CLASSES = {
    "scifi_term_consistency": "ScifiTermConsistency",
    "scifi_principles": "ScifiPrinciples",
    "scifi_length": "ScifiLength",
    "scifi_repetition": "ScifiRepetition",
    "scifi_slop": "ScifiSlop",
    "scifi_writing": "ScifiWriting",
}


def _grpo_args(model: Path, out: Path) -> list[str]:
    return [
        "rlhf",
        "--rlhf_type",
        "grpo",
        "--model",
        str(model),
        *SWIFT_FLAGS_TINY,
        "--external_plugins",
        swift_scifi.plugin_path(),
        "--dataset",
        "scifi-grpo-prompts#8",
        "--reward_funcs",
        *REWARD_CLASSES,
        "--num_generations",
        "2",
        "--per_device_train_batch_size",
        "2",
        "--max_completion_length",
        "24",
        "--max_length",
        "384",
        "--max_steps",
        "2",
        "--use_vllm",
        "false",
        "--tuner_type",
        "lora",
        "--logging_steps",
        "1",
        "--save_steps",
        "100",
        "--dataloader_num_workers",
        "0",
        "--report_to",
        "none",
        "--log_completions",
        "true",
        "--output_dir",
        str(out),
    ]


def test_grpo_logs_every_scifi_reward_mean(tiny_model, tmp_path):
    config = tmp_path / "rewards.yaml"
    config.write_text("weights: {slop: 2}\n", encoding="utf-8")
    out = tmp_path / "out"
    run_swift(
        _grpo_args(tiny_model, out),
        cwd=tmp_path,
        SCIFI_MAX_TOKENS="384",
        SCIFI_TOKENIZER=str(tiny_model),
        SCIFI_REWARD_CONFIG=str(config),
    )
    rows = [json.loads(x) for x in next(out.glob("v*/logging.jsonl")).read_text().splitlines()]
    steps = [r for r in rows if "reward" in r]
    assert len(steps) == 2
    for cls in REWARD_CLASSES.values():
        means = [r.get(f"rewards/{cls}/mean") for r in steps]
        assert all(m is not None and 0.0 <= m <= 1.0 for m in means), (cls, means)
    # the logged per-completion slop rewards are our scorer's values for those completions
    logged = [json.loads(x) for x in next(out.glob("v*/completions.jsonl")).read_text().splitlines()]
    pairs = [(c, s) for t in logged for c, s in zip(t["completion"], t["ScifiSlop"], strict=True)]
    assert len(pairs) >= 4
    for completion, slop in pairs:
        assert slop == pytest.approx(score_text(completion)["slop"], abs=1e-6)


def test_bad_reward_config_stops_the_run_at_startup(tiny_model, tmp_path):
    config = tmp_path / "rewards.yaml"
    config.write_text("slop_scale: -3\n", encoding="utf-8")
    proc = subprocess.run(
        [swift_exe(), *_grpo_args(tiny_model, tmp_path / "out")],
        cwd=tmp_path,
        env=subprocess_env(SCIFI_REWARD_CONFIG=str(config)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    assert "RewardConfigError" in proc.stderr + proc.stdout and "slop_scale=-3" in proc.stderr + proc.stdout
    assert not list((tmp_path / "out").glob("v*/logging.jsonl"))  # failed before training started
