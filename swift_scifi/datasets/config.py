"""Options of the dataset builders, from code or from environment variables (how ms-swift runs reach them).

| variable            | meaning                                                        | default                  |
|---------------------|----------------------------------------------------------------|--------------------------|
| SCIFI_CORPUS        | corpus: .txt file, folder of .txt/.jsonl, or .jsonl of books   | the sample in the package |
| SCIFI_MAX_TOKENS    | a sample's budget in tokens (prompt + response)                | 2048                     |
| SCIFI_TOKENIZER     | model folder or tokenizer.json for exact token counts           | conservative estimate    |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class BuildConfig:
    """How corpus text becomes samples. Lengths are in tokens unless named otherwise."""

    corpus: Path | None = None  # None: the sample shipped in the package
    max_tokens: int = 2048  # whole sample: system + prompt + response
    tokenizer: Path | None = None  # None: estimate_tokens (an upper bound)
    response_share: float = 0.6  # share of max_tokens for the response; the prompt gets the rest
    min_chapter_length: int = 200  # 字 + words; shorter stretches between headings are front matter
    glossary_size: int = 20  # terms per sample, at most
    glossary: Path | None = None  # user glossary file; None: each book's extracted glossary

    def __post_init__(self) -> None:
        if self.max_tokens < 128:
            raise ValueError(f"max_tokens must be at least 128, got {self.max_tokens}")
        if not 0.1 <= self.response_share <= 0.9:
            raise ValueError(f"response_share must be within [0.1, 0.9], got {self.response_share}")

    @classmethod
    def from_env(cls, **overrides) -> BuildConfig:
        """Read SCIFI_CORPUS, SCIFI_MAX_TOKENS, SCIFI_TOKENIZER and SCIFI_GLOSSARY; keyword overrides win."""
        env: dict = {}
        if os.environ.get("SCIFI_CORPUS"):
            env["corpus"] = Path(os.environ["SCIFI_CORPUS"])
        if os.environ.get("SCIFI_MAX_TOKENS"):
            raw = os.environ["SCIFI_MAX_TOKENS"]
            if not raw.isdigit():
                raise ValueError(f"SCIFI_MAX_TOKENS must be a positive integer, got {raw!r}")
            env["max_tokens"] = int(raw)
        if os.environ.get("SCIFI_TOKENIZER"):
            env["tokenizer"] = Path(os.environ["SCIFI_TOKENIZER"])
        if os.environ.get("SCIFI_GLOSSARY"):
            env["glossary"] = Path(os.environ["SCIFI_GLOSSARY"])
        return replace(cls(), **{**env, **overrides})
