"""The bundled slop phrase lists as data: ``swift_scifi/data/slop/{en,zh}.txt`` (provenance in the README
there). No scoring here (that is :mod:`slop`), so the shared pattern scan (:mod:`scan`) can import it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=4)
def _load(lang: str) -> tuple[str, ...]:
    raw = (DATA_DIR / "slop" / f"{lang}.txt").read_text(encoding="utf-8")
    return tuple(ln.strip().lower() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#"))


def load_phrases(lang: str) -> list[str]:
    """The bundled slop phrases for ``lang`` ('en' or 'zh'), lower-cased, without comments."""
    return list(_load(lang))


def scan_phrases() -> list[str]:
    """The phrases the scan looks for in a text of either language: both lists, deduplicated (a zh text can
    hold English slop and the reverse)."""
    return list(dict.fromkeys(load_phrases("en") + load_phrases("zh")))
