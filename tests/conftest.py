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
# One cache folder for this process, its xdist workers and every subprocess: numba kernels (swift_scifi/jit.py),
# Hyperscan databases and glossaries are compiled once per test run, not once per process kind.
os.environ.setdefault("SCIFI_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "swift-scifi-cache"))
SWIFT_FLAGS_TINY = ["--model_type", "qwen3", "--template", "qwen3_nothinking", "--check_model", "false"]


# The slowest test files, slowest first (seconds from `--durations` on the loaded 2-core box, 2026-11-30:
# 430, 340, 270, 110, 100, 80, 55, 50, 50, 45, 40, 40). Under pytest-xdist (examples/run_tests.sh:
# `-n 2 --dist loadfile --no-loadscope-reorder`) each worker takes whole files in collection order, so these
# start first and the many short files fill in at the end instead of one long file running alone.
SLOWEST_FILES = (
    "serve/test_serve_e2e.py",
    "foundation/test_swift_runs.py",
    "experiment/test_proof_smoke.py",
    "foundation/test_quickstart_script.py",
    "studio/test_export.py",
    "rewards/test_reward_grpo.py",
    "synth/test_teacher.py",
    "studio/test_ui_browser.py",
    "synth/test_rejection.py",
    "eval/test_eval_generate.py",
    "eval/test_judge_grpo.py",
    "integrations/test_swift_sample.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    """In an xdist worker, move the files of SLOWEST_FILES to the front (in that order; every file's own test
    order is kept). Single-process runs keep pytest's order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {f"tests/{name}": i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


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
