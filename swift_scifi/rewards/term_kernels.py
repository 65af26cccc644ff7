"""Compiled first pass of :meth:`term_consistency.TermMatcher.report` over the index's hits.

Most hits need no Python: a caseless CJK term written as listed (a correct use), a Latin key inside a longer
word (rejected), an exact term written as listed (a correct use), a prefix/suffix anchor inside a correct use
(no fuzzy near miss can sit there). :func:`triage` settles those with the same checks, in the same order, as
the Python loop did, and hands back only the rest, in order, for the per-item checks (case, capitalised
edit-1 forms, word swaps, allowed forms, fuzzy near misses).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .phrase_index import _find


@njit(cache=True, inline="always")
def _word_char(c):
    """A character of ``WORD_RE``'s runs: ASCII letters and digits, U+00C0-U+024F."""
    return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or (0xC0 <= c < 0x250)


@njit(cache=True, inline="always")
def plural_end(text, end):
    """``text[end:]`` starts with a plural ending (s, es) that ends the word: Morlocks, Heat-Rays."""
    n = text.shape[0]
    if end < n and text[end] == 0x73:  # s
        if end + 1 >= n or not _word_char(text[end + 1]):
            return True
    if end + 1 < n and text[end] == 0x65 and text[end + 1] == 0x73:  # es
        if end + 2 >= n or not _word_char(text[end + 2]):
            return True
    return False


_EDGE_START, _EDGE_END, _ANCHOR_ONLY = 1 << 60, 1 << 61, 1 << 62
_TERM_MASK = (1 << 24) - 1


def key_info(fast, single, edge_start, edge_end, anchor_only) -> np.ndarray:
    """What :func:`triage` needs of each key, packed in one int64 (one memory access per hit): ``fast`` and
    ``single`` term index + 1 (0 for none, as TermMatcher's -1) in bits 0-23 and 24-47, then the flags
    ``edge_start``/``edge_end`` (every item needs a word edge there) and ``anchor_only`` (a fuzzy anchor
    and nothing else)."""
    if len(fast) and max(max(fast), max(single)) >= _TERM_MASK:
        raise ValueError("too many terms for the packed key table")
    info = np.array([f + 1 + ((s + 1) << 24) for f, s in zip(fast, single, strict=True)], dtype=np.int64)
    for flag, values in ((_EDGE_START, edge_start), (_EDGE_END, edge_end), (_ANCHOR_ONLY, anchor_only)):
        info[np.array(values, dtype=bool)] |= flag
    return info


@njit(cache=True)
def triage(keys, starts, ends, text, info, term_codes, term_off):
    """Settle the hits (key, start, end) of ``text`` (uint32 code points, original case) that need no
    per-item check. Returns (correct uses per term index, starts and ends of those correct uses, indexes of
    the other hits in order). ``info``: per key, :func:`key_info`."""
    n = text.shape[0]
    nh = keys.shape[0]
    counts = np.zeros(term_off.shape[0] - 1, np.int64)
    span_s = np.empty(nh, np.int64)
    span_e = np.empty(nh, np.int64)
    ns = 0
    rest = np.empty(nh, np.int64)
    nr = 0
    for i in range(nh):
        k, start, end = keys[i], starts[i], ends[i]
        ki = info[k]
        ti = (ki & _TERM_MASK) - 1
        if ti >= 0:  # a caseless CJK term written as listed: a correct use
            counts[ti] += 1
            span_s[ns], span_e[ns] = start, end
            ns += 1
            continue
        if ki & _EDGE_START and start > 0 and _word_char(text[start - 1]):
            continue  # inside a longer word (Ares in 'squares')
        if ki & _EDGE_END and end < n and _word_char(text[end]):
            c = text[end]
            if not ((c == 0x73 or c == 0x65) and plural_end(text, end)):
                continue
        ti = ((ki >> 24) & _TERM_MASK) - 1
        if ti >= 0:
            a, b = term_off[ti], term_off[ti + 1]
            same = b - a == end - start
            if same:
                for j in range(end - start):
                    if term_codes[a + j] != text[start + j]:
                        same = False
                        break
            if same:  # edges checked above: a correct use as listed
                counts[ti] += 1
                span_s[ns], span_e[ns] = start, end
                ns += 1
                continue
        rest[nr] = i
        nr += 1
    # an anchor with nothing else is dropped when it overlaps a correct use: the fuzzy pass skips it then
    covered = np.zeros(n + 1, np.uint8)
    for j in range(ns):
        for p in range(span_s[j], span_e[j]):
            covered[p] = 1
    kept = 0
    for j in range(nr):
        i = rest[j]
        if info[keys[i]] & _ANCHOR_ONLY:
            hit = False
            for p in range(starts[i], ends[i]):
                if covered[p]:
                    hit = True
                    break
            if hit:
                continue
        rest[kept] = i
        kept += 1
    return counts, span_s[:ns].copy(), span_e[:ns].copy(), rest[:kept].copy()


@njit(cache=True)
def scan(low, codes, index, out, info, term_codes, term_off):
    """:func:`phrase_index._find` then :func:`triage` in one call, the result packed into one int64 array
    (one conversion to Python): ``[n_terms, n_spans, n_rest, (term index, uses) * n_terms, (start, end) *
    n_spans, (key, start, end) * n_rest]``; ``[-1]`` when ``out`` (3 x capacity) is too small for the hits.
    ``index``: the :class:`PhraseIndex` arrays (``PhraseIndex.arrays``); ``low``/``codes``: the lower-cased
    and the original text's code points."""
    count = _find(low, codes, *index, out)
    if count < 0:
        return np.full(1, -1, np.int64)
    keys, starts, ends = out[0, :count], out[1, :count], out[2, :count]
    counts, span_s, span_e, rest = triage(keys, starts, ends, codes, info, term_codes, term_off)
    nt = 0
    for ti in range(counts.shape[0]):
        if counts[ti]:
            nt += 1
    ns, nr = span_s.shape[0], rest.shape[0]
    res = np.empty(3 + 2 * nt + 2 * ns + 3 * nr, np.int64)
    res[0], res[1], res[2] = nt, ns, nr
    p = 3
    for ti in range(counts.shape[0]):
        if counts[ti]:
            res[p], res[p + 1] = ti, counts[ti]
            p += 2
    for j in range(ns):
        res[p], res[p + 1] = span_s[j], span_e[j]
        p += 2
    for j in range(nr):
        i = rest[j]
        res[p], res[p + 1], res[p + 2] = keys[i], starts[i], ends[i]
        p += 3
    return res
