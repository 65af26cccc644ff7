"""Format and meta failures: what makes a completion an assistant's answer instead of a story.

Categories (data: ``swift_scifi/data/format/format.yaml``, versioned): an assistant preamble ("Sure! Here's…",
以下是…) in the first ``head_chars`` characters, a closing offer ("Let me know…", 希望你喜欢) in the last
``tail_chars``, AI identity talk, markdown headings, lists and bold, and moral/summary/title/word-count
labels. All patterns run in one :mod:`pattern_scan` pass.

``failures`` = number of categories that fire (0-7; several hits of one category count once), and
score (0-1, higher is better) ``= (1 - p) ** failures`` with ``p = format_penalty`` (default 0.6: one
failure gives 0.4). The count is absolute, not a density, so padding cannot dilute it; the composite
``writing`` multiplies by this score (see :mod:`composite`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import DEFAULTS, RewardConfig
from .pattern_scan import Pattern, PatternSet, char_offset, check_pattern
from .view import TextView

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


def format_hits(view: TextView, path: str | None = None) -> list[tuple[str, int, int]]:
    """(category, start, end) character spans of every in-scope match, in order of end; once per view."""
    return view.derive(_hits_with(path))


@lru_cache(maxsize=4)
def _hits_with(path: str | None):
    def hits(view: TextView) -> list[tuple[str, int, int]]:
        rules = load_rules(path)
        text = view.text
        found, buf = rules.patterns.matches(text)
        n = len(text)
        out = []
        for pid, start, end in found:
            cat = rules.owners[pid]
            scope = rules.scopes[cat]
            s, e = char_offset(buf, start), char_offset(buf, end)
            if (scope == "start" and s >= rules.head_chars) or (scope == "end" and e <= n - rules.tail_chars):
                continue
            out.append((rules.categories[cat], s, e))
        return out

    return hits


def format_failures(view: TextView, path: str | None = None) -> int:
    """Number of categories (0-7) with at least one in-scope match."""
    return len({cat for cat, _, _ in format_hits(view, path)})


def format_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """``(1 - format_penalty) ** failures`` in [0, 1]; 1 = reads as a story, not an assistant's answer."""
    return (1.0 - cfg.format_penalty) ** format_failures(view, path)


def format_report(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> dict:
    """failures, the matched text of each hit by category, the data version and the score."""
    hits: dict[str, list[str]] = {}
    for cat, s, e in format_hits(view, path):
        hits.setdefault(cat, []).append(view.text[s:e][:120])
    return {
        "failures": len(hits),
        "hits": hits,
        "version": load_rules(path).version,
        "score": format_score(view, cfg, path),
    }
