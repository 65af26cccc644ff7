"""The one pattern pass over a completion shared by the principle and slop scorers.

Per language, every phrase and regex of the principle library (:mod:`principle_library`) and every slop
phrase (:mod:`slop_lists`) is compiled into one :class:`~pattern_scan.PatternSet`; :func:`scan` runs it once
per :class:`TextView` and returns the hits per principle (``scope`` applied) and the slop phrases found.
Neither scorer owns this module: :mod:`principles` and :mod:`slop` both import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .pattern_scan import PatternSet, char_offset, phrase
from .principle_library import Principle, rule_principles
from .slop_lists import scan_phrases
from .view import TextView


@dataclass(frozen=True)
class Scanner:
    """The compiled patterns of one language. Pattern id -> ``owners[id]`` (principle index in
    ``principles``, or -1 for a slop phrase, whose text is ``slop[id]``)."""

    principles: tuple[Principle, ...]
    patterns: PatternSet
    owners: tuple[int, ...]
    slop: tuple[str | None, ...]
    scoped: dict[int, str]  # principle index -> 'start' / 'end'


class Hits(NamedTuple):
    """Phrase/regex hits per principle index (principles without hits absent) and slop phrases in order."""

    counts: dict[int, int]
    slop: list[str]


@lru_cache(maxsize=8)
def scanner(lang: str, path: str | None = None) -> Scanner:
    """The compiled scanner of ``lang`` for the principle library at ``path`` (default: bundled)."""
    principles = rule_principles(lang, path)
    patterns, owners, slop = [], [], []
    for i, p in enumerate(principles):
        found = p.patterns(lang)
        patterns += found
        owners += [i] * len(found)
    slop = [None] * len(patterns)
    phrases = scan_phrases()
    patterns += [phrase(x) for x in phrases]
    owners += [-1] * len(phrases)
    scoped = {i: p.scope for i, p in enumerate(principles) if p.scope != "all"}
    return Scanner(principles, PatternSet(patterns), tuple(owners), tuple(slop + phrases), scoped)


def scan(view: TextView, path: str | None = None) -> Hits:
    """The hits of ``view``'s text, scanned once per view and library (cached in ``view.derived``)."""
    return view.derive(_scan_with(path))


@lru_cache(maxsize=8)
def _scan_with(path: str | None):
    def scan_view(view: TextView) -> Hits:
        s = scanner(view.lang, path)
        found, buf = s.patterns.matches(view.text)
        counts: dict[int, int] = {}
        slop = []
        owners, n = s.owners, len(view.text)
        for pid, start, _ in found:
            i = owners[pid]
            if i < 0:
                slop.append(s.slop[pid])
            elif i not in s.scoped or _in_scope(char_offset(buf, start), n, s.scoped[i]):
                counts[i] = counts.get(i, 0) + 1
        return Hits(counts, slop)

    return scan_view


def _in_scope(pos: int, n: int, scope: str) -> bool:
    if scope == "start":
        return pos < max(200, n * 0.15)
    if scope == "end":
        return pos >= n - max(200, n * 0.15)
    return True
