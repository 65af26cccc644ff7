"""The README's main-job command, run as a user runs it (reusing this test environment's venv)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, subprocess_env

pytestmark = pytest.mark.swift


def test_quickstart_script_trains_and_names_the_checkpoint(tmp_path):
    env = subprocess_env(
        SCIFI_VENV=sys.prefix,
        MAX_STEPS="20",  # steps 1, 5, ..., 20 logged; at 5 steps the loss has barely moved (8.72 -> 8.69)
        QUICKSTART_MODEL=str(tmp_path / "tiny"),
        QUICKSTART_OUT=str(tmp_path / "out"),
    )
    proc = subprocess.run(
        ["bash", str(REPO / "examples" / "quickstart_cpu.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("LoRA checkpoint: "))
    ckpt = Path(line.removeprefix("LoRA checkpoint: "))
    assert ckpt.parent.parent == tmp_path / "out" and ckpt.name == "checkpoint-20"
    assert (ckpt / "adapter_model.safetensors").is_file()
    # it learns: the random tiny model starts at ln(vocab) and the loss falls within 20 steps
    rows = [json.loads(x) for x in (ckpt.parent / "logging.jsonl").read_text().splitlines() if x.strip()]
    losses = [r["loss"] for r in rows if "loss" in r]
    assert len(losses) >= 2 and losses[-1] < losses[0] - 0.1, losses
    summary = next(x for x in proc.stdout.splitlines() if x.startswith("Trained a rank-16 LoRA adapter"))
    assert f"loss {losses[0]:.2f} -> {losses[-1]:.2f}" in summary and "20 steps" in summary
