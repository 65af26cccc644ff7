"""A real `swift rlhf --rlhf_type grpo` run of the tiny model on CPU with every scifi_* reward, through the
plugin shim, reading `terms`, `target_length` and `lang` from scifi-grpo-prompts: the composite steers
(the parts have weight 0 and are only logged), and the telemetry lands in logging.jsonl, the sidecar and
the manifest."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import swift_scifi
from swift_scifi.rewards import score_text
from swift_scifi.rewards.principle_library import library_info, rule_principles
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


def _grpo_args(model: Path, out: Path, *extra: str) -> list[str]:
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
        *extra,
    ]


def test_grpo_logs_every_scifi_reward_mean_and_the_telemetry(tiny_model, tmp_path):
    config = tmp_path / "rewards.yaml"
    config.write_text("weights: {slop: 2}\n", encoding="utf-8")
    out = tmp_path / "out"
    weights = ["0"] * (len(REWARD_CLASSES) - 1) + ["1"]  # scifi_writing steers; the parts are only logged
    run_swift(
        _grpo_args(tiny_model, out, "--reward_weights", *weights, "--callbacks", "scifi_telemetry"),
        cwd=tmp_path,
        SCIFI_MAX_TOKENS="384",
        SCIFI_TOKENIZER=str(tiny_model),
        SCIFI_REWARD_CONFIG=str(config),
    )
    run_dir = next(out.glob("v*"))
    rows = [json.loads(x) for x in (run_dir / "logging.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "reward" in r]
    assert len(steps) == 2
    for cls in REWARD_CLASSES.values():
        means = [r.get(f"rewards/{cls}/mean") for r in steps]
        assert all(m is not None and 0.0 <= m <= 1.0 for m in means), (cls, means)
    # weight 0 parts do not move the total: the logged reward is the composite's mean
    for r in steps:
        assert r["reward"] == pytest.approx(r["rewards/ScifiWriting/mean"], abs=1e-4)
    # the logged per-completion slop rewards are our scorer's values for those completions
    logged = [json.loads(x) for x in (run_dir / "completions.jsonl").read_text().splitlines()]
    pairs = [(c, s) for t in logged for c, s in zip(t["completion"], t["ScifiSlop"], strict=True)]
    assert len(pairs) >= 4
    for completion, slop in pairs:
        assert slop == pytest.approx(score_text(completion)["slop"], abs=1e-6)

    # telemetry in the trainer's logs: every component and every principle's firing rate, each step
    principle_ids = {p.id for lang in ("zh", "en") for p in rule_principles(lang)}
    for r in steps:
        comps = {k: v for k, v in r.items() if k.startswith("scifi/reward/")}
        assert {"scifi/reward/principles", "scifi/reward/slop", "scifi/reward/writing"} <= set(comps)
        fired = {
            k.removeprefix("scifi/principle/"): v for k, v in r.items() if k.startswith("scifi/principle/")
        }
        assert len(fired) >= 40 and set(fired) <= principle_ids, sorted(fired)
        assert all(0.0 <= v <= 1.0 for v in [*comps.values(), *fired.values()])
    # ... and in the sidecar, one line per reward batch with its step
    sidecar = [json.loads(x) for x in (run_dir / "scifi_rewards.jsonl").read_text().splitlines()]
    assert len(sidecar) >= 2 and {line["step"] for line in sidecar} >= {0, 1}
    assert all(line["n"] >= 2 and "scifi/reward/writing" in line["metrics"] for line in sidecar)
    # the manifest names the data the rewards read
    manifest = json.loads((run_dir / "scifi_rewards_manifest.json").read_text())
    info = library_info()
    assert (
        manifest["principles"]["version"] == info["version"]
        and manifest["principles"]["sha256"] == info["sha256"]
    )
    assert {"principles/principles.yaml", "slop/en.txt", "slop/zh.txt"} <= set(manifest["data_files"])
    assert (
        manifest["reward_config"]["path"] == str(config)
        and manifest["reward_config"]["values"]["weights"]["slop"] == 2
    )


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
