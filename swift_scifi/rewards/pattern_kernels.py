"""Compiled counters for the library regexes that cost the shared scan most, keyed by their exact text.

Two Chinese principle regexes held about half of Hyperscan's time on Chinese text, because their first
character is frequent (的, any ideograph): the 的-chain and the half-width-punctuation check; the
ASCII-space check is here because its hit positions, which Python ``re`` found otherwise, come free; the
English -ly adverb check because it is the commonest match in English (one callback each). Each has a
numba loop here over the view's code points that counts exactly what :class:`pattern_scan.PatternSet`
counts under Hyperscan (same counting rule: non-overlapping leftmost-start matches taken in order of end,
or every match end), and :mod:`scan` runs it instead of the regex when the library holds that exact
pattern text (edit the regex in the data file and the scan runs the edited regex through Hyperscan again).
``tests/rewards/test_pattern_scan.py`` checks each kernel against Hyperscan on the real corpus and on
random punctuation-heavy text.

A kernel returns the character offsets of the starts of the counted matches (int64, in order of end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numba import njit

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


@njit(cache=True)
def de_chain(cp):
    """Starts of the counted matches of the 的-chain regex (:data:`DE_CHAIN`): for each end, the leftmost
    start of either alternative; a match is kept when it starts at or after the end of the last kept one."""
    out = np.empty(cp.size // 3 + 1, np.int64)
    k = 0
    last = 0
    for f in range(cp.size):
        if cp[f] != DE:
            continue
        a = _chain_start_a(cp, f)
        b = _chain_start_b(cp, f)
        s = a if b < 0 or (0 <= a < b) else b
        if s >= 0 and s >= last:
            out[k] = s
            k += 1
            last = f + 1
    return out[:k]


@njit(cache=True, inline="always")
def _is_ideograph(c):
    return 0x4E00 <= c <= 0x9FFF


@njit(cache=True, inline="always")
def _is_half_width_mark(c):
    return c == 0x2C or c == 0x3B or c == 0x3A or c == 0x3F or c == 0x21 or c == 0x2E  # , ; : ? ! .


@njit(cache=True)
def half_width_after_ideograph(cp):
    """Starts of the counted matches of ``[\\u4e00-\\u9fff][,;:?!.](?:[\\u4e00-\\u9fff“\\s]|$)`` (every match
    end counts): an ideograph and a half-width mark, then an ideograph, “ or whitespace, or the end of a
    line; before a newline both alternatives end a match (two ends, counted twice, as Hyperscan reports)."""
    n = cp.size
    out = np.empty(2 * (n // 2) + 2, np.int64)
    k = 0
    for i in range(n - 1):
        if not (_is_half_width_mark(cp[i + 1]) and _is_ideograph(cp[i])):
            continue
        if i + 2 == n:
            out[k] = i
            k += 1
            continue
        c = cp[i + 2]
        if _is_ideograph(c) or c == 0x201C or _is_ascii_space(c):
            out[k] = i
            k += 1
        if c == 0x0A:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def ascii_space_between_ideographs(cp):
    """Starts of the matches of ``[\u4e00-\u9fff] +[\u4e00-\u9fff]`` (every match end counts; each end has
    one start: the ideograph before the spaces, which is also where ``re`` finds each match)."""
    n = cp.size
    out = np.empty(n // 2 + 1, np.int64)
    k = 0
    i = 0
    while i < n:
        if cp[i] != 0x20 or i == 0 or not _is_ideograph(cp[i - 1]):
            i += 1
            continue
        j = i
        while j < n and cp[j] == 0x20:
            j += 1
        if j < n and _is_ideograph(cp[j]):
            out[k] = i - 1
            k += 1
        i = j
    return out[:k]


_ASCII_WORD = np.zeros(128, np.uint8)  # ``\\w`` in ASCII mode: 1 for a letter, 2 for a digit or _
_ASCII_WORD[[*range(0x41, 0x5B), *range(0x61, 0x7B)]] = 1
_ASCII_WORD[[*range(0x30, 0x3A), 0x5F]] = 2


@njit(cache=True)
def ly_adverbs(cp):
    """Starts of the matches of ``\\b[a-z]{3,}ly\\b`` (ASCII case-insensitive, every match end counts): each
    ASCII word-character run made of 5 or more letters only and ending in "ly" is one match, found at its
    start (a run has no inner word boundary)."""
    n = cp.size
    out = np.empty(n // 6 + 1, np.int64)
    k = 0
    i = 0
    while i < n:
        c = cp[i]
        if c >= 128 or _ASCII_WORD[c] == 0:
            i += 1
            continue
        s = i
        kinds = 0
        while i < n and cp[i] < 128 and _ASCII_WORD[cp[i]] != 0:
            kinds |= _ASCII_WORD[cp[i]]
            i += 1
        if kinds == 1 and i - s >= 5 and cp[i - 1] | 0x20 == 0x79 and cp[i - 2] | 0x20 == 0x6C:
            out[k] = s
            k += 1
    return out[:k]


DE_CHAIN = "的[^的，。！？、；：“”\\s]{1,4}的[^的，。！？、；：“”\\s]{1,4}的|的[，、][^，。！？；\\n]{1,10}的[，、][^，。！？；\\n]{1,10}的"
HALF_WIDTH = "[\\u4e00-\\u9fff][,;:?!.](?:[\\u4e00-\\u9fff“\\s]|$)"
ASCII_SPACE = "[\\u4e00-\\u9fff] +[\\u4e00-\\u9fff]"
LY_ADVERB = "\\b[a-z]{3,}ly\\b"


class Kernel(NamedTuple):
    """A compiled counter: the function, whether the regex is counted with overlaps (the rule it
    reproduces), whether its starts are the hit positions the windowed counting of :mod:`principles`
    uses (the scan's starts for a non-overlap regex, ``re``'s match starts for an overlap one), and whether
    the regex is matched ASCII case-insensitively."""

    fn: Callable[[np.ndarray], np.ndarray]
    overlap: bool
    positions: bool
    caseless: bool = False


# regex text -> its kernel
KERNELS: dict[str, Kernel] = {
    DE_CHAIN: Kernel(de_chain, False, True),
    HALF_WIDTH: Kernel(half_width_after_ideograph, True, False),  # two ends before a newline, one start
    ASCII_SPACE: Kernel(ascii_space_between_ideographs, True, True),
    LY_ADVERB: Kernel(ly_adverbs, True, True, caseless=True),
}
