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


__all__ = ["__version__", "plugin_path", "register"]
