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


def build_dataset(name: str, corpus: str | Path | None = None, **options) -> list[dict]:
    """Rows of a scifi-* dataset from ``corpus`` (default: the bundled sample). ``options``: max_tokens,
    tokenizer, response_share, min_chapter_length, glossary_size (see BuildConfig); ``langs`` ('zh', 'en')."""
    from .datasets.build import build_rows
    from .datasets.config import BuildConfig

    langs = options.pop("langs", ("zh", "en"))
    return build_rows(name, BuildConfig.from_env(corpus=Path(corpus) if corpus else None, **options), langs)


def score_text(text: str, **columns) -> dict:
    """Every rule reward of one passage, each in [0, 1]; see :func:`swift_scifi.rewards.score_text`."""
    from .rewards import score_text as _score

    return _score(text, **columns)


def rerank(candidates, **kwargs):
    """Rank passages by the scifi rewards, best first; see :func:`swift_scifi.serve.api.rerank`."""
    from .serve.api import rerank as _rerank

    return _rerank(candidates, **kwargs)


def generate(messages, **kwargs):
    """n completions from an OpenAI-compatible endpoint, ranked; see :func:`swift_scifi.serve.api.generate`."""
    from .serve.api import generate as _generate

    return _generate(messages, **kwargs)


__all__ = ["__version__", "build_dataset", "generate", "plugin_path", "register", "rerank", "score_text"]
