"""Principle adherence: a bilingual library of writing principles kept as data
(``swift_scifi/data/principles/principles.yaml``), each with an id, domain, description, one example that
follows it, one that violates it, and a rule check (or ``judge`` for the LLM-judge side).

Rule checks (``check.type``):
- ``phrases``: phrases per language (case-insensitive; ASCII-edged ones match whole words only);
- ``regex``: a regex over the text; ``line_regex``: a regex matched at the start of a line (after spaces);
- ``chars``: substrings counted with ``str.count``;
- ``custom``: a function in :mod:`principle_checks` that returns adherence directly.
The library is read and validated by :mod:`principle_library`. Every phrase and regex of a language, and
the slop phrases, run in one pass over the text (:mod:`scan`, on :mod:`pattern_scan`: Hyperscan, or Python
``re`` where it is not installed); patterns use the subset both
accept (no lookaround), ASCII ``\\b``/``\\s``/``\\d``, and ``ignore_case`` for ASCII case-insensitivity.
Regex options: ``ignore_case``, and ``overlap`` (count every match position, overlaps included: much faster
under Hyperscan for patterns that start with a frequent character; see :mod:`pattern_scan`).
Counting checks allow ``max + per_1000 * units / 1000`` hits (units = 字 + words) in ``scope``
(``all``, ``start`` or ``end``: the first/last 15% of the text, at least 200 characters);
adherence = ``1 / (1 + excess)``.
Score (0-1) = weighted mean adherence over the principles that apply to the text's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .config import DEFAULTS, RewardConfig
from .principle_checks import CHECKERS
from .principle_library import CHECK_TYPES, PRINCIPLES_FILE, Principle, load_principles, per_lang
from .scan import Hits, scan, scanner
from .view import TextView

__all__ = [
    "CHECK_TYPES",
    "PRINCIPLES_FILE",
    "Principle",
    "load_principles",
    "principles_report",
    "principles_score",
    "rule_matches",
]


@dataclass
class _Table:
    """What scoring needs per principle of one language, built once: ``limits`` (hits allowed at 0 units and
    per unit), ``chars`` (``chars`` checks), ``custom`` (checker and params) and weights per config."""

    principles: tuple[Principle, ...]
    limits: list[tuple[float, float]]
    chars: list[tuple[int, tuple[str, ...]]]
    custom: dict[int, tuple[Any, dict[str, Any]]]
    weights: dict[int, tuple[RewardConfig, list[float]]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _table(lang: str, path: str | None = None) -> _Table:
    prs = scanner(lang, path).principles
    return _Table(
        principles=prs,
        limits=[(p.check.get("max", 0), p.check.get("per_1000", 0) / 1000) for p in prs],
        chars=[
            (i, tuple(per_lang(p.check["chars"], lang) or ()))
            for i, p in enumerate(prs)
            if p.check["type"] == "chars"
        ],
        custom={
            i: (CHECKERS[p.check["name"]], {k: v for k, v in p.check.items() if k not in ("type", "name")})
            for i, p in enumerate(prs)
            if p.check["type"] == "custom"
        },
    )


def rule_matches(view: TextView, path: str | None = None) -> Hits:
    """(principle index -> phrase/regex hits, slop phrases found in order): the shared scan of :mod:`scan`."""
    return scan(view, path)


def _counts(table: _Table, view: TextView, path: str | None) -> dict[int, int]:
    counts = dict(scan(view, path).counts)
    for i, chars in table.chars:
        counts[i] = sum(view.count(s) for s in chars)
    return counts


def _adherences(table: _Table, view: TextView, path: str | None) -> dict[int, float]:
    """Adherence (0-1) of the principles that are not fully followed (the rest are 1), by index:
    ``1 / (1 + excess hits)``, or the custom checker's value."""
    limits, units = table.limits, view.length
    out = {}
    for i, hits in _counts(table, view, path).items():
        base, per_unit = limits[i]
        excess = hits - base - per_unit * units
        if excess > 0:
            out[i] = 1.0 / (1.0 + excess)
    for i, (fn, params) in table.custom.items():
        a = fn(view, **params)
        if a < 1.0:
            out[i] = float(a)
    return out


def principles_report(view: TextView, path: str | None = None) -> dict[str, float]:
    """Adherence (0-1) of every rule principle that applies to the text's language, by id."""
    table = _table(view.lang, path)
    below = _adherences(table, view, path)
    return {p.id: below.get(i, 1.0) for i, p in enumerate(table.principles)}


def _weights(table: _Table, cfg: RewardConfig) -> list[float]:
    """Weight per principle (library weight unless ``cfg.principle_weights`` overrides it); cached per cfg."""
    cached = table.weights.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        cached = table.weights[id(cfg)] = (
            cfg,
            [float(cfg.principle_weights.get(p.id, p.weight)) for p in table.principles],
        )
    return cached[1]


def principles_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """Weighted mean adherence in [0, 1]; weights from the library, overridden by ``cfg.principle_weights``."""
    table = _table(view.lang, path)
    weights = _weights(table, cfg)
    total = sum(weights)
    if not total:
        return 1.0
    return (total - sum(weights[i] * (1.0 - a) for i, a in _adherences(table, view, path).items())) / total
