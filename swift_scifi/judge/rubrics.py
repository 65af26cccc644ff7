"""Rubrics (lists of criteria in WritingBench's checklist shape) and their text form for judge prompts.

A criterion is ``{"name", "criteria_description", "1-2", "3-4", "5-6", "7-8", "9-10"}``; scores are 1..10.
Rubric files live in ``swift_scifi/data/rubrics/NAME.yaml`` with one block per language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .parsing import BANDS
from .prompts import _data_dir

Criterion = dict[str, str]


@cache
def _rubric_file(name: str) -> dict[str, Any]:
    file = Path(name) if name.endswith((".yaml", ".yml")) else _data_dir("rubrics") / f"{name}.yaml"
    if not file.is_file():
        raise FileNotFoundError(f"rubric {name!r} not found at {file}")
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def load_rubric(name: str = "scifi", lang: str = "en") -> list[Criterion]:
    """Criteria of rubric ``name`` (a packaged name or a .yaml path) in ``lang`` ('en' | 'zh')."""
    data = _rubric_file(name)
    out = []
    for item in data["criteria"]:
        block = item.get(lang) or item["en"]
        out.append(
            {
                "name": block["name"],
                "criteria_description": block["criteria_description"],
                **{b: block.get(b, "") for b in BANDS},
            }
        )
    return out


def format_criterion(criterion: Criterion) -> str:
    """Text of one criterion with its bands, as shown to the judge."""
    lines = [f"{criterion['name']}: {criterion.get('criteria_description', '')}"]
    lines += [f"  {b}: {criterion[b]}" for b in BANDS if criterion.get(b)]
    return "\n".join(lines)


def format_rubric(criteria: list[Criterion]) -> str:
    return "\n\n".join(format_criterion(c) for c in criteria)


def coerce_rubric(value: Any, lang: str) -> list[Criterion]:
    """A rubric from a dataset column: None (the sci-fi rubric), a rubric name, a JSON string or a list."""
    if value is None or value == "":
        return load_rubric("scifi", lang)
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.startswith("["):
            return load_rubric(stripped, lang)
        value = json.loads(stripped)
    if not isinstance(value, list) or not all(isinstance(c, dict) and c.get("name") for c in value):
        raise ValueError("rubric must be a list of criteria with 'name'")
    return value
