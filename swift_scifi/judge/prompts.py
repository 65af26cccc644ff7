"""Judge prompt templates, loaded from ``swift_scifi/data/judge_prompts/*.yaml``.

A template has ``id``, ``version``, and ``system``/``user`` texts per language (``en``, ``zh``) with
``$placeholders`` filled by :class:`string.Template`. ``sha256`` (of the file bytes) goes into run manifests
and criteria-cache keys, so editing a prompt invalidates what was computed with the old one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

import yaml

PROMPT_DIR = "judge_prompts"


@dataclass(frozen=True)
class JudgePrompt:
    id: str
    version: int
    system: dict[str, str]
    user: dict[str, str]
    sha256: str

    def messages(self, lang: str = "en", **fields: str) -> list[dict[str, str]]:
        """Chat messages for language ``lang`` ('en' or 'zh'; others fall back to 'en')."""
        lang = lang if lang in self.user else "en"
        user = Template(self.user[lang]).substitute(**fields)
        return [
            {"role": "system", "content": self.system.get(lang, self.system["en"])},
            {"role": "user", "content": user},
        ]


def _data_dir(kind: str) -> Path:
    return Path(str(resources.files("swift_scifi") / "data" / kind))


@cache
def load_prompt(prompt_id: str, path: str | None = None) -> JudgePrompt:
    """Load template ``prompt_id`` from the package data, or from ``path`` (a .yaml file) when given."""
    file = Path(path) if path else _data_dir(PROMPT_DIR) / f"{prompt_id}.yaml"
    if not file.is_file():
        raise FileNotFoundError(f"judge prompt {prompt_id!r} not found at {file}")
    raw = file.read_bytes()
    data = yaml.safe_load(raw)
    for key in ("system", "user"):
        if not isinstance(data.get(key), dict) or "en" not in data[key]:
            raise ValueError(f"{file}: '{key}' must map languages to text and include 'en'")
    return JudgePrompt(
        id=str(data.get("id", prompt_id)),
        version=int(data.get("version", 1)),
        system=data["system"],
        user=data["user"],
        sha256=hashlib.sha256(raw).hexdigest(),
    )
