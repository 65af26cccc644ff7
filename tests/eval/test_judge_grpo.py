"""A real `swift rlhf --rlhf_type grpo` run of the tiny model with the judge rewards, against the scripted judge."""

from __future__ import annotations

import json

import pytest

import swift_scifi
from swift_scifi.judge.scripted import ScriptedJudge
from tests.conftest import SWIFT_FLAGS_TINY, run_swift

pytestmark = pytest.mark.swift


def test_grpo_trains_with_scifi_judge_rewards(tiny_model, tmp_path):
    out = tmp_path / "out"
    # every 5th judge call fails: the reward falls back instead of stalling or crashing the step
    with ScriptedJudge(every={"500": 5}) as judge:
        run_swift(
            ["rlhf", "--rlhf_type", "grpo", "--model", str(tiny_model), *SWIFT_FLAGS_TINY,
             "--external_plugins", swift_scifi.plugin_path(), "--dataset", "scifi-grpo-prompts#4",
             "--reward_funcs", "scifi_judge", "scifi_principles_judge", "--num_generations", "2",
             "--per_device_train_batch_size", "2", "--max_completion_length", "16", "--max_length", "384",
             "--max_steps", "1", "--use_vllm", "false", "--tuner_type", "lora", "--logging_steps", "1",
             "--save_steps", "100", "--dataloader_num_workers", "0", "--report_to", "none",
             "--output_dir", str(out)],
            cwd=tmp_path, SCIFI_JUDGE_BASE_URL=judge.base_url, SCIFI_JUDGE_MODEL="scripted",
            SCIFI_JUDGE_RETRIES="0", SCIFI_JUDGE_FALLBACK="0.5",
        )  # fmt: skip
    rows = [json.loads(x) for x in next(out.glob("v*/logging.jsonl")).read_text().splitlines()]
    steps = [r for r in rows if "reward" in r]
    assert steps
    for cls in ("ScifiJudge", "ScifiPrinciplesJudge"):
        mean = steps[0].get(f"rewards/{cls}/mean")
        assert mean is not None and 0.0 <= mean <= 1.0, (cls, mean)
    assert judge.requests >= 2 and judge.counts["500"] >= 1
