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
Counting checks allow ``max + per_1000`` hits in any stretch of about 1,000 units (``window_chars`` of the
library: 1,200 characters zh, 5,600 en; a shorter text is one stretch), in ``scope`` (``all``, ``start`` or
``end``: the first/last 15% of the text, at least 200 characters); every hit beyond the allowance of the
stretch that ends at it is one excess, and adherence = ``1 / (1 + excess)``. Clean text added before or
after never lowers the excess (no dilution incentive). Check parameters may be given per language.
A phrases or regex check with ``narration: true`` counts only its hits outside quoted dialogue.
Principles marked ``observed`` are checked and reported (:func:`principles_report`,
:func:`principle_violations`, training telemetry) but weigh 0 in the score unless ``principle_weights``
gives them a weight; they are not checked at all when only the score is asked for.
Score (0-1) = weighted mean adherence over the scored principles that apply to the text's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .config import DEFAULTS, RewardConfig
from .principle_checks import CHECKERS, in_narration, window_excess
from .principle_library import (
    CHECK_TYPES,
    PRINCIPLES_FILE,
    Principle,
    lang_param,
    library_info,
    load_principles,
    per_lang,
)
from .principle_spans import Span, chars_spans, custom_spans, pattern_spans, starts
from .scan import Hits, hit_starts, scan, scanner
from .view import TextView

__all__ = [
    "CHECK_TYPES",
    "PRINCIPLES_FILE",
    "Principle",
    "library_info",
    "load_principles",
    "principle_violations",
    "principles_report",
    "principles_score",
    "rule_matches",
]


@dataclass
class _Table:
    """What scoring needs per principle of one language, built once: ``allow`` (hits allowed in one counting
    window), ``window`` (its characters), ``chars`` (``chars`` checks), ``custom`` (checker and params, per
    language resolved) and weights per config."""

    lang: str
    principles: tuple[Principle, ...]
    allow: list[float]
    window: int
    chars: list[tuple[int, tuple[str, ...]]]
    custom: dict[int, tuple[Any, dict[str, Any]]]
    narration: frozenset[int]  # checks that count only the hits outside quoted dialogue
    weights: dict[int, tuple[RewardConfig, list[float]]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _table(lang: str, path: str | None = None) -> _Table:
    prs = scanner(lang, path).principles
    return _Table(
        lang=lang,
        principles=prs,
        allow=[
            float(lang_param(p.check.get("max", 0), lang))
            + float(lang_param(p.check.get("per_1000", 0), lang))
            for p in prs
        ],
        window=int(library_info(path)["window_chars"][lang]),
        chars=[
            (i, tuple(per_lang(p.check["chars"], lang) or ()))
            for i, p in enumerate(prs)
            if p.check["type"] == "chars"
        ],
        custom={
            i: (
                CHECKERS[p.check["name"]],
                {k: lang_param(v, lang) for k, v in p.check.items() if k not in ("type", "name")},
            )
            for i, p in enumerate(prs)
            if p.check["type"] == "custom"
        },
        narration=frozenset(i for i, p in enumerate(prs) if p.check.get("narration")),
    )


def rule_matches(view: TextView, path: str | None = None) -> Hits:
    """(principle index -> phrase/regex hits, slop phrases found in order): the shared scan of :mod:`scan`."""
    return scan(view, path)


def _counts(table: _Table, view: TextView, path: str | None) -> dict[int, int]:
    counts = dict(scan(view, path).counts)
    for i, chars in table.chars:
        counts[i] = sum(view.count(s) for s in chars)
    return counts


def hit_spans(view: TextView, i: int, path: str | None = None) -> list[Span]:
    """Spans of the hits of the ``i``-th rule principle of the view's language (see :mod:`principle_spans`)."""
    table = _table(view.lang, path)
    p = table.principles[i]
    kind = p.check["type"]
    if kind in ("phrases", "regex", "line_regex"):
        spans = pattern_spans(view.text, p.patterns(view.lang), p.scope)
        if i in table.narration and spans:
            keep = set(in_narration(view, starts(spans)).tolist())
            spans = [sp for sp in spans if sp.start in keep]
        return spans
    if kind == "chars":
        return chars_spans(view.text, per_lang(p.check["chars"], view.lang) or ())
    if kind == "custom":
        return custom_spans(view, p.check["name"], table.custom[i][1])
    return []


def _hit_positions(table: _Table, view: TextView, i: int, path: str | None) -> np.ndarray:
    """Sorted character offsets of the counted hits of principle ``i``: from the shared scan where it knows
    them (literal phrases, non-overlap regexes), from the code points for single-character ``chars``, else
    from :func:`hit_spans` (Python ``re``). The same offsets as ``starts(hit_spans(...))``."""
    p = table.principles[i]
    if p.check["type"] == "chars":
        subs = per_lang(p.check["chars"], view.lang) or ()
        if all(len(c) == 1 for c in subs):
            cp = view.codepoints
            hit = (
                cp == ord(subs[0])
                if len(subs) == 1
                else np.isin(cp, np.array([ord(c) for c in subs], np.uint32))
            )
            return np.flatnonzero(hit).astype(np.int64)
    else:
        got = hit_starts(scan(view, path), i)
        if got is not None:
            return np.array(got, np.int64)
    return starts(hit_spans(view, i, path))


def _adherences(
    table: _Table, view: TextView, path: str | None, weights: list[float] | None = None
) -> dict[int, float]:
    """Adherence (0-1) of the principles that are not fully followed (the rest are 1), by index:
    ``1 / (1 + excess hits)``, or the custom checker's value. With ``weights``, principles of weight 0 are
    not checked."""
    out = {}
    for i, hits in _counts(table, view, path).items():
        allow = table.allow[i]
        if hits <= allow or (weights is not None and not weights[i]):
            continue
        if i in table.narration:  # the hits outside quoted dialogue, in windows
            excess = window_excess(
                in_narration(view, _hit_positions(table, view, i, path)), allow, table.window
            )
        elif len(view.text) > table.window:  # several windows: where the hits are matters
            excess = window_excess(_hit_positions(table, view, i, path), allow, table.window)
        else:
            excess = hits - allow
        if excess > 0:
            out[i] = 1.0 / (1.0 + excess)
    for i, (fn, params) in table.custom.items():
        if weights is not None and not weights[i]:
            continue
        a = fn(view, **params)
        if a < 1.0:
            out[i] = float(a)
    return out


def principles_report(view: TextView, path: str | None = None) -> dict[str, float]:
    """Adherence (0-1) of every rule principle that applies to the text's language, by id."""
    table = _table(view.lang, path)
    below = _adherences(table, view, path)
    return {p.id: below.get(i, 1.0) for i, p in enumerate(table.principles)}


def principles_adherence(view: TextView, ids: Iterable[str], path: str | None = None) -> dict[str, float]:
    """Adherence (0-1) of the rule principles ``ids`` that apply to the text's language, by id: the values of
    :func:`principles_report`, with only these principles checked (the others' custom checkers never run)."""
    table = _table(view.lang, path)
    want = set(ids)
    mask = [1.0 if p.id in want else 0.0 for p in table.principles]
    below = _adherences(table, view, path, mask)
    return {p.id: below.get(i, 1.0) for i, p in enumerate(table.principles) if mask[i]}


def _weights(table: _Table, cfg: RewardConfig) -> list[float]:
    """Weight per principle (library weight, 0 where it is observed, unless ``cfg.principle_weights``
    overrides it); cached per cfg."""
    cached = table.weights.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        default = [0.0 if table.lang in p.observed else p.weight for p in table.principles]
        cached = table.weights[id(cfg)] = (
            cfg,
            [
                float(cfg.principle_weights.get(p.id, d))
                for p, d in zip(table.principles, default, strict=True)
            ],
        )
    return cached[1]


def principles_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """Weighted mean adherence in [0, 1]; weights from the library, overridden by ``cfg.principle_weights``."""
    table = _table(view.lang, path)
    weights = _weights(table, cfg)
    total = sum(weights)
    if not total:
        return 1.0
    below = _adherences(table, view, path, weights)
    return (total - sum(weights[i] * (1.0 - a) for i, a in below.items())) / total


def principle_violations(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> list[dict]:
    """Every hit of every rule principle that is not fully followed, in text order: ``principle`` (id),
    ``start``/``end`` (character offsets in the scored text; None where the verdict is about the whole text,
    e.g. variety), ``text`` (the matched text), ``weight`` (its weight in the score: 0 for an observed
    principle), ``adherence`` (0-1) and ``observed``."""
    table = _table(view.lang, path)
    weights = _weights(table, cfg)
    out = []
    for i, a in sorted(_adherences(table, view, path).items()):
        p = table.principles[i]
        common = {
            "principle": p.id,
            "weight": weights[i],
            "adherence": a,
            "observed": view.lang in p.observed,
        }
        spans = hit_spans(view, i, path)
        out += [{**common, "start": sp.start, "end": sp.end, "text": sp.text} for sp in spans]
        if not spans:
            out.append({**common, "start": None, "end": None, "text": None})
    out.sort(key=lambda v: (v["start"] is None, v["start"] or 0))
    return out
