"""The format rules (``swift_scifi/data/format/format.yaml``, versioned): categories of assistant-answer
failures and their patterns, read, checked and compiled. No scoring here (that is :mod:`format`), so the
shared pattern pass (:mod:`scan`) can run these patterns with the principles' and the slop's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .pattern_scan import Pattern, PatternSet, check_pattern

FORMAT_FILE = Path(__file__).resolve().parent.parent / "data" / "format" / "format.yaml"
SCOPES = ("all", "start", "end")


@dataclass(frozen=True)
class FormatRules:
    """The compiled rules: category names, each pattern's category index and the scope limits."""

    version: int
    categories: tuple[str, ...]
    scopes: tuple[str, ...]
    owners: tuple[int, ...]
    patterns: PatternSet
    head_chars: int
    tail_chars: int


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> FormatRules:
    """Read, check and compile the format rules (default: the bundled file). Raises ValueError naming a bad
    entry."""
    import yaml

    p = Path(path) if path else FORMAT_FILE
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    cats = data.get("categories")
    if not isinstance(data.get("version"), int) or not isinstance(cats, dict) or not cats:
        raise ValueError(f"{p}: needs an integer `version` and a non-empty `categories` mapping")
    names, scopes, owners, patterns = [], [], [], []
    for name, cat in cats.items():
        scope = cat.get("scope", "all")
        if scope not in SCOPES:
            raise ValueError(f"{p}: category {name!r}: scope {scope!r} not in {SCOPES}")
        if not cat.get("patterns"):
            raise ValueError(f"{p}: category {name!r} has no patterns")
        for pat in cat["patterns"]:
            try:
                check_pattern(pat)
            except ValueError as e:
                raise ValueError(f"{p}: category {name!r}: {e}") from None
            patterns.append(Pattern(pat, caseless=bool(cat.get("ignore_case"))))
            owners.append(len(names))
        names.append(name)
        scopes.append(scope)
    return FormatRules(
        version=data["version"],
        categories=tuple(names),
        scopes=tuple(scopes),
        owners=tuple(owners),
        patterns=PatternSet(patterns),
        head_chars=int(data.get("head_chars", 300)),
        tail_chars=int(data.get("tail_chars", 400)),
    )
