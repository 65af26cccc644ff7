"""Shared fixtures: the offline tiny model, and runners for real `swift` and `swift-scifi` subprocesses.

Subprocesses get PYTHONPATH set to this checkout, so they use this tree's swift_scifi, and
HF_HUB_OFFLINE=1 so nothing downloads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SWIFT_FLAGS_TINY = ["--model_type", "qwen3", "--template", "qwen3_nothinking", "--check_model", "false"]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(
        HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false"
    )
    env.setdefault("SCIFI_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "swift-scifi-cache"))
    env.setdefault("MODELSCOPE_CACHE", str(Path(os.environ.get("TMPDIR", "/tmp")) / "swift-scifi-ms-cache"))
    env.update(extra)
    return env


def swift_exe() -> str:
    """The `swift` console script of this interpreter's environment."""
    return str(Path(sys.executable).parent / "swift")


def run_swift(args: list[str], cwd: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    """Run `swift ARGS` to completion; on failure, fail the test with the tail of its log."""
    proc = subprocess.run(
        [swift_exe(), *args],
        cwd=cwd,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(f"swift {args[0]} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-6000:]}")
    return proc


def run_cli(args: list[str], cwd: Path | None = None, check: bool = True, timeout: int = 600, **env: str):
    """Run `swift-scifi ARGS` (as `python -m swift_scifi.cli`)."""
    proc = subprocess.run(
        [sys.executable, "-m", "swift_scifi.cli", *args],
        cwd=cwd or REPO,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"swift-scifi {' '.join(args)} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """The tiny Qwen3 (random weights, corpus-trained BPE), built once per test session."""
    from swift_scifi.model.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The full public-domain corpus beside the checkout (../shared/data/corpus); tests skip without it."""
    path = SHARED_DATA / "corpus"
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path}")
    return path
