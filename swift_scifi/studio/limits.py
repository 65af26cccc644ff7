"""Size limits on every studio input (UTF-8 bytes unless stated) and their checks; a breach is a
``ValueError`` naming the field, its size and the limit."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from typing import Any

TEXT_BYTES = 200_000  # project setting / style notes, chapter, version, candidate and edit texts
PROMPT_BYTES = 1_000_000  # a generation prompt holds earlier chapters and the world bible
NOTE_BYTES = 2_000
NAME_CHARS = 200  # project, chapter and model names
EDITOR_CHARS = 64
PASSWORD_CHARS = (8, 1024)
GLOSSARY_TERMS = 5_000
TERM_CHARS = 200
JSON_BYTES = 64_000  # candidate settings / rewards, version meta
CANDIDATES_PER_CALL = 64
RANKING_ITEMS = 64
TAGS = 7
REQUEST_ID_CHARS = 128
RATING_RANGE = (1, 5)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_text(field: str, value: Any, limit: int = TEXT_BYTES, *, allow_empty: bool = True) -> str:
    """``value`` if it is a str of at most ``limit`` UTF-8 bytes (no NUL), else ValueError."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ValueError(f"{field}: {size:,} bytes is over the limit of {limit:,} bytes")
    if "\x00" in value:
        raise ValueError(f"{field}: contains a NUL character")
    if not allow_empty and not value.strip():
        raise ValueError(f"{field}: must not be empty")
    return value


def check_name(field: str, value: Any, limit: int = NAME_CHARS) -> str:
    """A one-line, non-empty name of at most ``limit`` characters, stripped."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise ValueError(f"{field}: must not be empty")
    if len(value) > limit:
        raise ValueError(f"{field}: {len(value):,} characters is over the limit of {limit:,}")
    if _CONTROL.search(value):
        raise ValueError(f"{field}: must be one line without control characters")
    return value


def check_glossary(terms: Iterable[str] | None) -> list[str]:
    """Glossary terms: at most ``GLOSSARY_TERMS``, each a one-line name of at most ``TERM_CHARS``
    characters; blanks dropped, duplicates kept once in first-seen order."""
    if terms is None:
        return []
    if isinstance(terms, str):
        raise ValueError("glossary: expected a list of terms, got one string")
    items = list(itertools.islice(terms, GLOSSARY_TERMS + 1))
    if len(items) > GLOSSARY_TERMS:
        raise ValueError(f"glossary: more than {GLOSSARY_TERMS:,} terms")
    out: dict[str, None] = {}
    for i, term in enumerate(items):
        if isinstance(term, str) and not term.strip():
            continue
        out[check_name(f"glossary term {i}", term, TERM_CHARS)] = None
    return list(out)


def check_json(field: str, value: Any, limit: int = JSON_BYTES) -> dict:
    """A JSON-serialisable dict of at most ``limit`` bytes when serialised."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{field}: expected a dict, got {type(value).__name__}")
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: not JSON-serialisable ({exc})") from None
    if size > limit:
        raise ValueError(f"{field}: {size:,} bytes of JSON is over the limit of {limit:,} bytes")
    return value


def check_request_id(value: Any) -> str | None:
    if value is None:
        return None
    return check_name("request_id", value, REQUEST_ID_CHARS)
