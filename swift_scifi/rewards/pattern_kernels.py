"""Compiled counters for the library regexes that cost the shared scan most, keyed by their exact text.

Two Chinese principle regexes held about half of Hyperscan's time on Chinese text, because their first
character is frequent (的, any ideograph): the 的-chain and the half-width-punctuation check; the
ASCII-space check is here because its hit positions, which Python ``re`` found otherwise, come free. (A
kernel for the English -ly adverb regex, the commonest English match, was slower than Hyperscan.) Each has a
numba loop here over the view's code points that counts exactly what :class:`pattern_scan.PatternSet`
counts under Hyperscan (same counting rule: non-overlapping leftmost-start matches taken in order of end,
or every match end), and :mod:`scan` runs it instead of the regex when the library holds that exact
pattern text (edit the regex in the data file and the scan runs the edited regex through Hyperscan again).
``tests/rewards/test_pattern_scan.py`` checks each kernel against Hyperscan on the real corpus and on
random punctuation-heavy text.

A kernel gives the character offsets of the starts of the counted matches (int64, in order of end); the
Chinese ones share one pass over the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..jit import njit

DE = 0x7684  # 的


@njit(cache=True, inline="always")
def _is_ascii_space(c):
    """``\\s`` in ASCII mode: tab, newline, vertical tab, form feed, carriage return, space."""
    return c == 0x20 or 0x09 <= c <= 0x0D


@njit(cache=True, inline="always")
def _de_gap(c):
    """``[^的，。！？、；：“”\\s]``."""
    return not (
        c == DE
        or c == 0xFF0C
        or c == 0x3002
        or c == 0xFF01
        or c == 0xFF1F
        or c == 0x3001
        or c == 0xFF1B
        or c == 0xFF1A
        or c == 0x201C
        or c == 0x201D
        or _is_ascii_space(c)
    )


@njit(cache=True, inline="always")
def _list_gap(c):
    """``[^，。！？；\\n]``."""
    return not (c == 0xFF0C or c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0xFF1B or c == 0x0A)


@njit(cache=True)
def _chain_start_a(cp, f):
    """Start of ``的[^…]{1,4}的[^…]{1,4}的`` ending with the 的 at ``f`` (-1: none). The gaps hold no 的,
    so each earlier 的 is the nearest one."""
    p = f
    for _ in range(2):
        g = 0
        j = p - 1
        while j >= 0 and g <= 4 and cp[j] != DE:
            if not _de_gap(cp[j]):
                return -1
            g += 1
            j -= 1
        if j < 0 or g < 1 or g > 4:
            return -1
        p = j
    return p


@njit(cache=True)
def _chain_start_b(cp, f):
    """Leftmost start of ``的[，、][^，。！？；\\n]{1,10}的[，、][^，。！？；\\n]{1,10}的`` ending with the 的 at
    ``f`` (-1: none)."""
    best = -1
    g1 = 0
    while g1 < 10 and f - 1 - g1 >= 0 and _list_gap(cp[f - 1 - g1]):
        g1 += 1
        p1 = f - 2 - g1
        if p1 < 0 or cp[p1] != DE or not (cp[p1 + 1] == 0xFF0C or cp[p1 + 1] == 0x3001):
            continue
        g0 = 0
        while g0 < 10 and p1 - 1 - g0 >= 0 and _list_gap(cp[p1 - 1 - g0]):
            g0 += 1
            p0 = p1 - 2 - g0
            if p0 >= 0 and cp[p0] == DE and (cp[p0 + 1] == 0xFF0C or cp[p0 + 1] == 0x3001):
                if best < 0 or p0 < best:
                    best = p0
    return best


@njit(cache=True, inline="always")
def _is_ideograph(c):
    return 0x4E00 <= c <= 0x9FFF


@njit(cache=True, inline="always")
def _is_half_width_mark(c):
    return c == 0x2C or c == 0x3B or c == 0x3A or c == 0x3F or c == 0x21 or c == 0x2E  # , ; : ? ! .


@njit(cache=True)
def chinese_hits(cp):
    """One pass for the three Chinese regexes; the starts (character offsets, int64) of the counted matches of
    each, as Hyperscan counts them:

    - the 的-chain regex (:data:`DE_CHAIN`, non-overlapping): for each end, the leftmost start of either
      alternative; a match is kept when it starts at or after the end of the last kept one (in order of end);
    - ``[\\u4e00-\\u9fff][,;:?!.](?:[\\u4e00-\\u9fff“\\s]|$)`` (every match end counts): an ideograph and a
      half-width mark, then an ideograph, “ or whitespace, or the end of a line; before a newline both
      alternatives end a match (two ends, counted twice, as Hyperscan reports);
    - ``[\\u4e00-\\u9fff] +[\\u4e00-\\u9fff]`` (every match end counts; each end has one start: the ideograph
      before the spaces, which is also where ``re`` finds each match).
    """
    n = cp.size
    chain = np.empty(n // 3 + 1, np.int64)
    half = np.empty(n + 2, np.int64)
    space = np.empty(n // 2 + 1, np.int64)
    kc = kh = ks = 0
    last = 0
    for i in range(n):
        c = cp[i]
        if c >= 0x40 and c != DE:  # one test for most characters: the cases below are 的 and ASCII marks
            continue
        if c == DE:
            a = _chain_start_a(cp, i)
            b = _chain_start_b(cp, i)
            s = a if b < 0 or (0 <= a < b) else b
            if s >= 0 and s >= last:
                chain[kc] = s
                kc += 1
                last = i + 1
        elif c == 0x20:
            if i == 0 or not _is_ideograph(cp[i - 1]):
                continue  # not the first space after an ideograph
            j = i + 1
            while j < n and cp[j] == 0x20:
                j += 1
            if j < n and _is_ideograph(cp[j]):
                space[ks] = i - 1
                ks += 1
        elif _is_half_width_mark(c) and i > 0 and _is_ideograph(cp[i - 1]):
            if i + 1 == n:
                half[kh] = i - 1
                kh += 1
                continue
            d = cp[i + 1]
            if _is_ideograph(d) or d == 0x201C or _is_ascii_space(d):
                half[kh] = i - 1
                kh += 1
            if d == 0x0A:
                half[kh] = i - 1
                kh += 1
    return chain[:kc], half[:kh], space[:ks]


DE_CHAIN = "的[^的，。！？、；：“”\\s]{1,4}的[^的，。！？、；：“”\\s]{1,4}的|的[，、][^，。！？；\\n]{1,10}的[，、][^，。！？；\\n]{1,10}的"
HALF_WIDTH = "[\\u4e00-\\u9fff][,;:?!.](?:[\\u4e00-\\u9fff“\\s]|$)"
ASCII_SPACE = "[\\u4e00-\\u9fff] +[\\u4e00-\\u9fff]"


class Kernel(NamedTuple):
    """A compiled counter: the pass that counts it (``fn(cp)`` gives a tuple of start arrays, one pass for
    several regexes) and its ``index`` there, whether the regex is counted with overlaps (the rule it
    reproduces), whether its starts are the hit positions the windowed counting of :mod:`principles` uses
    (the scan's starts for a non-overlap regex, ``re``'s match starts for an overlap one), and whether the
    regex is matched ASCII case-insensitively."""

    fn: Callable[[np.ndarray], tuple[np.ndarray, ...]]
    index: int
    overlap: bool
    positions: bool
    caseless: bool = False

    def starts(self, cp: np.ndarray) -> np.ndarray:
        """The starts of the counted matches in the code points ``cp`` (int64, in order of end)."""
        return self.fn(cp)[self.index]


# regex text -> its kernel
KERNELS: dict[str, Kernel] = {
    DE_CHAIN: Kernel(chinese_hits, 0, False, True),
    HALF_WIDTH: Kernel(chinese_hits, 1, True, False),  # two ends before a newline, one start
    ASCII_SPACE: Kernel(chinese_hits, 2, True, True),
}
