"""The one pattern pass over a completion shared by the principle, slop and format scorers.

Per language, every phrase and regex of the principle library (:mod:`principle_library`), every slop
entry (:mod:`slop_lists`) and every format rule (:mod:`format_rules`) is compiled into one
:class:`~pattern_scan.PatternSet`; :func:`scan` runs it once per :class:`TextView` (one UTF-8 encoding, one
Hyperscan call per database) and returns the hits per principle (``scope`` applied) with the start of each
where the scan knows it, the slop hits and the format matches. A slop hit that overlaps a phrase a weighted
principle counts is left to the principle (counted once, by span). No scorer owns this module:
:mod:`principles`, :mod:`slop` and :mod:`format` import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .format_rules import FormatRules, load_rules
from .pattern_kernels import KERNELS, Kernel
from .pattern_scan import Pattern, PatternSet, char_offset, match_end
from .principle_library import Principle, rule_principles
from .slop_lists import SlopIndex, char_offsets, slop_index
from .view import TextView


@dataclass(frozen=True)
class Scanner:
    """The compiled patterns of one language. Pattern id -> ``owners[id]`` (principle index in
    ``principles``, or -1 for a slop pattern, whose id in ``slop`` is the pattern id less ``slop_base``);
    ``claims``: the principles whose phrase hits take their span from slop."""

    principles: tuple[Principle, ...]
    patterns: PatternSet
    owners: tuple[int, ...]
    slop: SlopIndex
    slop_base: int
    scoped: dict[int, str]  # principle index -> 'start' / 'end'
    claims: frozenset[int]
    positioned: frozenset[int]  # principles whose hits' starts the scan knows (literal phrases, non-overlap)
    format_rules: FormatRules  # the bundled format rules: pattern id - ``format_base`` is their pattern index
    format_base: int
    kernels: tuple = ()  # (principle index, Kernel) of the patterns counted by :mod:`pattern_kernels`
    plain: tuple[
        bool, ...
    ] = ()  # pattern id -> its hits are only counted (a principle's, no scope/claim/start)


class Hits(NamedTuple):
    """Phrase/regex hits per principle index (principles without hits absent), the slop hits: (entry index
    in ``slop_lists.slop_index().entries``, start, end) in characters, in order; and for the ``positioned``
    principles of the :class:`Scanner`, the start of each counted hit (UTF-8 byte offsets into ``buf`` when
    it is not None, else characters: :func:`hit_starts` gives characters)."""

    counts: dict[int, int]
    slop: list[tuple[int, int, int]]
    starts: dict[int, list[int]] = {}
    buf: bytes | None = None
    format: list[tuple[int, int, int]] = []  # (format pattern index, start, end) in characters, by end
    # starts (characters) of the counted kernel hits, of positioned principles only
    kernel_starts: dict[int, list[int]] = {}


@lru_cache(maxsize=8)
def scanner(lang: str, path: str | None = None) -> Scanner:
    """The compiled scanner of ``lang`` for the principle library at ``path`` (default: bundled)."""
    principles = rule_principles(lang, path)
    patterns, owners, kernels = [], [], []
    for i, p in enumerate(principles):
        for q in p.patterns(lang):
            kernel = _kernel(q, p.scope)
            if kernel is not None:
                kernels.append((i, kernel))
            else:
                patterns.append(q)
                owners.append(i)
    slop = slop_index()
    base = len(patterns)
    patterns += slop.pattern_list
    owners += [-1] * len(slop.pattern_list)
    rules = load_rules()
    format_base = len(patterns)
    patterns += rules.patterns.patterns
    owners += [-2] * len(rules.patterns.patterns)
    scoped = {i: p.scope for i, p in enumerate(principles) if p.scope != "all"}
    claims = frozenset(
        i
        for i, p in enumerate(principles)
        if p.check["type"] == "phrases" and p.weight > 0 and lang not in p.observed
    )
    patterns_of = [p.patterns(lang) for p in principles]
    positioned = frozenset(
        i
        for i, (p, pats) in enumerate(zip(principles, patterns_of, strict=True))
        if pats and all(q.literal or not q.overlap or _kernel_positions(q, p.scope) for q in pats)
    )
    plain = tuple(i >= 0 and i not in scoped and i not in claims and i not in positioned for i in owners)
    return Scanner(
        principles,
        PatternSet(patterns),
        tuple(owners),
        slop,
        base,
        scoped,
        claims,
        positioned,
        rules,
        format_base,
        tuple(kernels),
        plain,
    )


def _kernel(q: Pattern, scope: str) -> Kernel | None:
    """The compiled counter of :mod:`pattern_kernels` for pattern ``q`` when there is one for its exact text
    and counting rule (and the principle counts over the whole text), else None."""
    got = KERNELS.get(q.regex)
    if got is None or got.overlap != q.overlap or got.caseless != q.caseless or scope != "all":
        return None
    return got


def _kernel_positions(q: Pattern, scope: str) -> bool:
    """Whether ``q`` is counted by a kernel whose starts are the hit positions (:mod:`pattern_kernels`)."""
    got = _kernel(q, scope)
    return got is not None and got.positions


def scan(view: TextView, path: str | None = None) -> Hits:
    """The hits of ``view``'s text, scanned once per view and library (cached in ``view.derived``)."""
    return view.derive(_scan_with(path))


@lru_cache(maxsize=8)
def _scan_with(path: str | None):
    def scan_view(view: TextView) -> Hits:
        s = scanner(view.lang, path)
        found, buf = s.patterns.matches(view.text, ordered=False)  # what is kept here is order-free but fmt
        counts: dict[int, int] = {}
        starts: dict[int, list[int]] = {}
        slop, claimed, fmt = [], [], []
        owners, plain, n, base = s.owners, s.plain, len(view.text), s.slop_base
        scoped, positioned = s.scoped, s.positioned
        get = counts.get
        for pid, start, end in found:
            i = owners[pid]
            if plain[pid]:
                counts[i] = get(i, 0) + 1
                continue
            if i < 0:
                if i == -1:
                    slop.append((pid - base, start, end))
                else:
                    fmt.append((pid - s.format_base, start, end))
                continue
            if i in s.claims:
                claimed.append((start, end))
            if i not in scoped or _in_scope(char_offset(buf, start), n, scoped[i]):
                counts[i] = counts.get(i, 0) + 1
                if i in positioned:
                    starts.setdefault(i, []).append(start)
        kernel_starts: dict[int, list[int]] = {}
        passes: dict = {}  # kernel pass -> its results (one pass serves several regexes)
        for i, kernel in s.kernels:
            done = passes.get(kernel.fn)
            if done is None:
                done = passes[kernel.fn] = kernel.fn(view.codepoints)
            got = done[kernel.index]
            if got.size:
                counts[i] = counts.get(i, 0) + got.size
                if i in positioned:
                    kernel_starts.setdefault(i, []).extend(got.tolist())
        if fmt:
            fmt.sort(key=match_end)  # in order of end, as ``matches`` orders them
            to_char = char_offsets(buf, [x for _, a, b in fmt for x in (a, b)])
            fmt = [(k, to_char[a], to_char[b]) for k, a, b in fmt]
        if not slop:
            return Hits(counts, [], starts, buf, fmt, kernel_starts)
        spans = [x for _, a, b in slop for x in ((a, b) if a >= 0 else (b,))]
        to_char = char_offsets(buf, spans + [x for span in claimed for x in span])
        slop = [(p, to_char[a] if a >= 0 else -1, to_char[b]) for p, a, b in slop]
        claimed = [(to_char[a], to_char[b]) for a, b in claimed]
        raw = s.slop.raw(view.text, slop, buf is not None)  # Hyperscan's ends bound the regexes' re runs
        return Hits(counts, s.slop.reduce(raw, claimed), starts, buf, fmt, kernel_starts)

    return scan_view


def hit_starts(hits: Hits, i: int) -> list[int] | None:
    """Character offsets, sorted, of the counted hits of principle ``i`` when the scan knows them (None for a
    principle that is not ``positioned``, or without hits)."""
    got, native = hits.starts.get(i), hits.kernel_starts.get(i)
    if got is None and native is None:
        return None
    out = list(native or ())
    if got:
        to_char = char_offsets(hits.buf, got)
        out += [to_char[o] for o in got]
    return sorted(out)


def _in_scope(pos: int, n: int, scope: str) -> bool:
    if scope == "start":
        return pos < max(200, n * 0.15)
    if scope == "end":
        return pos >= n - max(200, n * 0.15)
    return True
