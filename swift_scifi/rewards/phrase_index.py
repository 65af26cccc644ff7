"""Every occurrence of many literal strings in one pass over a text: a compiled hash scan.

At each end position of the text, a filter table indexed by the last two code points says which key
lengths end there; each such window's hash (from prefix hashes, O(1)) is looked up in an open-addressing
table of the keys and compared code point by code point. On a 190,000-key glossary (2,000 terms with their
variants) this costs about 10 ns a character, with no table that misses the cache on every step as a
190,000-key Aho-Corasick DFA does (about 4x faster on the bench batch, ``benchmarks/bench_rewards.py``).
numba compiles the loops on first use and caches them on disk (``NUMBA_CACHE_DIR`` to move the cache).

Matches: every occurrence of every key, overlapping ones included, as (key index, start, end) code point
offsets in order of end, then of start (the longer of two keys ending together first): the order of
``ahocorasick_rs``' overlapping search, which this replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit

_Q = 4  # keys of 4+ code points are filtered by 4 of their code points (a table of the lengths they carry)
_LONG = 15  # key lengths >= this share the length filter's top bit and are tried one by one
_KEY_BITS = 23  # a key table entry: hash check bits 32-63, key length 24-31 (255: longer), word_start 23, key index + 1 below
_BMP = 0x10000


@njit(cache=True, inline="always")
def _mix(h):
    """A 64-bit finaliser (splitmix64): spreads a hash over the bits a table index takes."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


@njit(cache=True, inline="always")
def _slot(h, n):
    """Table hash of a window of ``n`` code points whose polynomial hash is ``h``."""
    return _mix(h ^ (np.uint64(n) << np.uint64(56)))


@njit(cache=True, inline="always")
def _word_char(c):
    """ASCII letters and digits, U+00C0-U+024F (the Latin word characters of ``text.WORD_RE``)."""
    return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or (0xC0 <= c < 0x250)


@njit(cache=True, inline="always")
def _len_class(n):
    """Bit of the first/last-character filter for a key of ``n`` code points: 1, 2, 3, or 4+."""
    return np.uint8(1) << np.uint8(min(n, _Q) - 1)


@njit(cache=True)
def _build(codes, offsets, word_start, bits):
    """The key table (slot -> hash check bits and key index + 1, 0 = empty); a Bloom bit set of the keys;
    per BMP code point, the length classes of the keys ending (``word_start`` ones: starting) with it; and
    the 4+ key lengths by the slot of their last (``word_start``: first) 4 code points, a table per group
    (``bits``: log2 sizes of the key table, group 0 filter, Bloom set, group 1 filter). Every table is
    small enough for the caches: the scan's cost is its cache misses."""
    nkeys = offsets.shape[0] - 1
    mul = np.uint64(0x9E3779B97F4A7C15)  # as _hash
    p4 = np.uint64(1)
    for _ in range(_Q):
        p4 *= mul
    table = np.zeros(1 << bits[0], np.uint64)
    lenmask = np.zeros((1 << bits[1]) + (1 << bits[3]), np.uint16)
    bloom = np.zeros((1 << (bits[2] - 6)) + (1 << (bits[4] - 6)), np.uint64)  # [group 0 | group 1]
    flags = np.zeros(2 * _BMP, np.uint8)  # [by end | word_start keys by start]
    tmask = np.uint64((1 << bits[0]) - 1)
    fmask = (np.uint64((1 << bits[1]) - 1), np.uint64((1 << bits[3]) - 1))
    fbase = (0, 1 << bits[1])
    bmask = (np.uint64((1 << bits[2]) - 1), np.uint64((1 << bits[4]) - 1))
    bbase = (0, 1 << (bits[2] - 6))
    for k in range(nkeys):
        a, b = offsets[k], offsets[k + 1]
        n = b - a
        h = np.uint64(0)
        head = np.uint64(0)  # hash of the first 4 code points
        rest = np.uint64(0)  # hash of all but the last 4
        for i in range(a, b):
            h = h * mul + np.uint64(codes[i]) + np.uint64(1)
            if i == a + _Q - 1:
                head = h
            if i == b - _Q - 1:
                rest = h
        s = _slot(h, n)
        slot = s & tmask
        while table[slot] != 0:
            slot = (slot + np.uint64(1)) & tmask
        table[slot] = (
            ((s >> np.uint64(32)) << np.uint64(32))
            | (np.uint64(min(n, 255)) << np.uint64(24))
            | (np.uint64(1 if word_start[k] else 0) << np.uint64(_KEY_BITS))
            | np.uint64(k + 1)
        )
        group = 1 if word_start[k] else 0
        bit = (s >> np.uint64(20)) & bmask[group]
        bloom[bbase[group] + (bit >> np.uint64(6))] |= np.uint64(1) << (bit & np.uint64(63))
        edge = codes[a] if word_start[k] else codes[b - 1]
        if edge < _BMP:
            flags[group * _BMP + edge] |= _len_class(n)
        if n >= _Q:
            four = head if word_start[k] else h - rest * p4
            lenmask[fbase[group] + (_slot(four, _Q) & fmask[group])] |= np.uint16(1) << np.uint16(
                min(n, _LONG)
            )
    return table, lenmask, bloom, flags


@njit(cache=True, inline="always")
def _hash(text, start, n):
    """Polynomial hash of ``text[start:start + n]`` (as :func:`_build` hashes keys)."""
    mul = np.uint64(0x9E3779B97F4A7C15)
    h = np.uint64(0)
    for i in range(start, start + n):
        h = h * mul + np.uint64(text[i]) + np.uint64(1)
    return h


@njit(cache=True, inline="always")
def _lookup(text, start, n, codes, offsets, table, bloom, bbase, bmask, want_word_start, word_start):
    """The key equal to ``text[start:start + n]`` in the group asked for, or -1."""
    h = _hash(text, start, n)
    s = _slot(h, n)
    bit = (s >> np.uint64(20)) & bmask
    if not (bloom[bbase + (bit >> np.uint64(6))] >> (bit & np.uint64(63))) & np.uint64(1):
        return -1
    tmask = np.uint64(table.shape[0] - 1)
    # the entry's check bits, length and group are compared before any other array is read
    want = ((s >> np.uint64(32)) << np.uint64(32)) | (np.uint64(min(n, 255)) << np.uint64(24))
    if want_word_start:
        want |= np.uint64(1) << np.uint64(_KEY_BITS)
    slot = s & tmask
    while table[slot] != 0:
        entry = table[slot]
        if entry >> np.uint64(_KEY_BITS) == want >> np.uint64(_KEY_BITS):
            k = np.int64(entry & np.uint64((1 << _KEY_BITS) - 1)) - 1
            a = offsets[k]
            if n < 255 or offsets[k + 1] - a == n:
                same = True
                for i in range(n):
                    if codes[a + i] != text[start + i]:
                        same = False
                        break
                if same:
                    return k
        slot = (slot + np.uint64(1)) & tmask
    return -1


@njit(cache=True)
def _find(text, words, codes, offsets, word_start, table, lenmask, bloom, flags, long_lens, bits, out):
    """Every occurrence in ``text`` (uint32 code points) into ``out`` (3 x capacity int64: keys, starts,
    ends), in order of end then start; a ``word_start`` key only where the code point before it is no word
    character of ``words`` (the text the offsets index, before lower-casing). Returns the count, or -1 when
    ``out`` is too small. Tight loops with no array allocated or reassigned: numba's reference counting in
    a loop costs more than the scan."""
    n = text.shape[0]
    cap = out.shape[1]
    fmask0 = np.uint64((1 << bits[1]) - 1)
    fmask1 = np.uint64((1 << bits[3]) - 1)
    fbase1 = 1 << bits[1]
    bmask0 = np.uint64((1 << bits[2]) - 1)
    bmask1 = np.uint64((1 << bits[4]) - 1)
    bbase1 = 1 << (bits[2] - 6)
    n_long = long_lens.shape[0]
    count = 0
    for end in range(1, n + 1):  # keys by their end, longest first
        c = text[end - 1]
        f = flags[c] if c < _BMP else np.uint8(15)
        if f == 0:
            continue
        if f & np.uint8(8) and end >= _Q:
            m = lenmask[_slot(_hash(text, end - _Q, _Q), _Q) & fmask0]
            if m != 0:
                for j in range(n_long - 1, -1, -1):
                    L = long_lens[j]
                    if m >> np.uint16(_LONG) and L <= end:
                        k = _lookup(
                            text, end - L, L, codes, offsets, table, bloom, 0, bmask0, False, word_start
                        )
                        if k >= 0:
                            if count == cap:
                                return -1
                            out[0, count], out[1, count], out[2, count] = k, end - L, end
                            count += 1
                for L in range(min(_LONG - 1, end), _Q - 1, -1):
                    if (m >> np.uint16(L)) & np.uint16(1):
                        k = _lookup(
                            text, end - L, L, codes, offsets, table, bloom, 0, bmask0, False, word_start
                        )
                        if k >= 0:
                            if count == cap:
                                return -1
                            out[0, count], out[1, count], out[2, count] = k, end - L, end
                            count += 1
        for L in range(min(_Q - 1, end), 0, -1):
            if f & (np.uint8(1) << np.uint8(L - 1)):
                k = _lookup(text, end - L, L, codes, offsets, table, bloom, 0, bmask0, False, word_start)
                if k >= 0:
                    if count == cap:
                        return -1
                    out[0, count], out[1, count], out[2, count] = k, end - L, end
                    count += 1
    n_ends = count
    for start in range(n):  # word_start keys at word starts, shortest first
        if start > 0 and _word_char(words[start - 1]):
            continue
        c = text[start]
        f = flags[_BMP + c] if c < _BMP else np.uint8(15)
        if f == 0:
            continue
        for L in range(1, min(_Q - 1, n - start) + 1):
            if f & (np.uint8(1) << np.uint8(L - 1)):
                k = _lookup(text, start, L, codes, offsets, table, bloom, bbase1, bmask1, True, word_start)
                if k >= 0:
                    if count == cap:
                        return -1
                    out[0, count], out[1, count], out[2, count] = k, start, start + L
                    count += 1
        if f & np.uint8(8) and start + _Q <= n:
            m = lenmask[fbase1 + (_slot(_hash(text, start, _Q), _Q) & fmask1)]
            if m != 0:
                for L in range(_Q, min(_LONG - 1, n - start) + 1):
                    if (m >> np.uint16(L)) & np.uint16(1):
                        k = _lookup(
                            text, start, L, codes, offsets, table, bloom, bbase1, bmask1, True, word_start
                        )
                        if k >= 0:
                            if count == cap:
                                return -1
                            out[0, count], out[1, count], out[2, count] = k, start, start + L
                            count += 1
                if m >> np.uint16(_LONG):
                    for j in range(n_long):
                        L = long_lens[j]
                        if start + L <= n:
                            k = _lookup(
                                text, start, L, codes, offsets, table, bloom, bbase1, bmask1, True, word_start
                            )
                            if k >= 0:
                                if count == cap:
                                    return -1
                                out[0, count], out[1, count], out[2, count] = k, start, start + L
                                count += 1
    if count > n_ends:  # merge in the word-start matches: order of end, then start
        order = np.argsort(out[2, :count] * (n + 1) + out[1, :count])
        tmp = out[:, :count][:, order]
        out[:, :count] = tmp
    return count


def codepoints(text: str) -> np.ndarray:
    """``text`` as a uint32 array of code points (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class PhraseIndex:
    """Literal keys (unique, non-empty) with one payload each; :meth:`find` lists every occurrence.

    ``word_start[i]``: key ``i`` counts only where it starts a word (no Latin word character just before it,
    in the text the offsets index); such keys are looked up at word starts only, which on English prose
    skips most positions."""

    def __init__(
        self, keys: Sequence[str], payloads: Sequence[Any], word_start: Sequence[bool] | None = None
    ):
        self.keys = list(keys)
        self.payloads = list(payloads)
        self.empty = not self.keys
        if len(set(self.keys)) != len(self.keys) or any(not k for k in self.keys):
            raise ValueError("PhraseIndex keys must be unique and non-empty")
        arrays = [codepoints(k) for k in self.keys]
        lengths = np.fromiter((a.shape[0] for a in arrays), dtype=np.int64, count=len(arrays))
        self._offsets = np.zeros(len(arrays) + 1, np.int64)
        np.cumsum(lengths, out=self._offsets[1:])
        self._codes = np.concatenate(arrays) if arrays else np.zeros(0, np.uint32)
        self._word_start = np.zeros(len(arrays), np.bool_)
        if word_start is not None:
            self._word_start[:] = list(word_start)
        self._long = np.array(sorted({int(n) for n in lengths if n >= _LONG}), dtype=np.int64)
        # key table at most half full, Bloom bits 8-16 per key
        n = len(arrays)
        if n >= 1 << _KEY_BITS:
            raise ValueError(f"PhraseIndex holds at most {(1 << _KEY_BITS) - 1} keys")
        # filters sized by what they hold: the distinct first (word_start keys) / last 4 code points
        four = (
            {k[:_Q] for k, w in zip(self.keys, self._word_start, strict=True) if w and len(k) >= _Q},
            {k[-_Q:] for k, w in zip(self.keys, self._word_start, strict=True) if not w and len(k) >= _Q},
        )
        n1 = int(self._word_start.sum())
        self._bits = np.array(
            [
                max(4, (2 * n).bit_length()),
                max(4, (4 * len(four[1])).bit_length()),
                max(10, (8 * (n - n1)).bit_length()),
                max(4, (4 * len(four[0])).bit_length()),
                max(10, (8 * n1).bit_length()),
            ],
            dtype=np.int64,
        )
        self._table, self._lenmask, self._bloom, self._flags = _build(
            self._codes, self._offsets, self._word_start, self._bits
        )

    @property
    def arrays(self) -> tuple:
        """The compiled tables, in the order :func:`_find` takes them after the text."""
        return (
            self._codes,
            self._offsets,
            self._word_start,
            self._table,
            self._lenmask,
            self._bloom,
            self._flags,
            self._long,
            self._bits,
        )

    def find_codes(
        self, codes: np.ndarray, words: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(key indexes, starts, ends) int64 arrays of every occurrence in ``codes`` (uint32 code points),
        overlapping included, in order of end then start. ``words``: the code points that decide word starts
        (the text before lower-casing, same length), ``codes`` if None."""
        cap = 64 + codes.shape[0] // 4
        while True:
            out = np.empty((3, cap), np.int64)
            count = _find(codes, codes if words is None else words, *self.arrays, out)
            if count >= 0:
                return out[0, :count], out[1, :count], out[2, :count]
            cap *= 4

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(key index, start, end) of every occurrence, overlapping included, in order of end then start."""
        if self.empty or not text:
            return []
        keys, starts, ends = self.find_codes(codepoints(text))
        return list(zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True))
