"""The builders' prompt templates, read from ``data/datasets/prompts.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=1)
def _templates() -> dict[str, dict[str, str]]:
    path = Path(__file__).resolve().parent.parent / "data" / "datasets" / "prompts.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def render(lang: str, key: str, **fields) -> str:
    """Template ``key`` in ``lang`` ('zh' or 'en') with ``fields`` filled in."""
    return _templates()[lang][key].format(**fields)


def join_terms(terms: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(terms)
