"""swift-scifi: sci-fi and creative-prose datasets, rewards, presets, evaluation and serving for ms-swift.

``import swift_scifi`` is light: it imports neither torch nor ms-swift. Call :func:`register` to add the
``scifi-*`` datasets and ``scifi_*`` rewards to ms-swift's registries in this process.
"""

from __future__ import annotations

from pathlib import Path

from .registration import register

__version__ = "0.1.0"


def plugin_path() -> str:
    """Absolute path of the shim file for ``--external_plugins``."""
    return str(Path(__file__).resolve().parent / "_plugin" / "scifi_plugin.py")


def rerank(candidates, **kwargs):
    """Rank passages by the scifi rewards, best first; see :func:`swift_scifi.serve.api.rerank`."""
    from .serve.api import rerank as _rerank

    return _rerank(candidates, **kwargs)


def generate(messages, **kwargs):
    """n completions from an OpenAI-compatible endpoint, ranked; see :func:`swift_scifi.serve.api.generate`."""
    from .serve.api import generate as _generate

    return _generate(messages, **kwargs)


__all__ = ["__version__", "generate", "plugin_path", "register", "rerank"]
