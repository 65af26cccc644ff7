"""The README's main-job command, run as a user runs it (reusing this test environment's venv)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, subprocess_env

pytestmark = pytest.mark.swift


def test_quickstart_script_trains_and_names_the_checkpoint(tmp_path):
    env = subprocess_env(
        SCIFI_VENV=sys.prefix,
        MAX_STEPS="2",
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
    assert ckpt.parent.parent == tmp_path / "out" and ckpt.name == "checkpoint-2"
    assert (ckpt / "adapter_model.safetensors").is_file()
