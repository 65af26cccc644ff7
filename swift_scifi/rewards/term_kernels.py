"""Compiled code of term consistency: the phrase index's hash scan, and the first pass of
:meth:`term_consistency.TermMatcher.report` over its hits.

One module on purpose: numba's on-disk cache of a function is invalidated by changes to its own source file
only, so a compiled function that calls one of another module's would keep running the old code after that
module changed.

The scan (:class:`phrase_index.PhraseIndex`): at each end position, a filter table of the last code point
and one of the last 4 give the key lengths that can end there; each window's hash is checked in a Bloom bit
set and an open-addressing key table whose entries carry hash check bits, key length and group, then
compared code point by code point. Keys that count only at a word start are looked up at word starts only,
and only where the word there is the first word of such a key (a Bloom set of the keys' first words).

Most hits need no Python: a caseless CJK term written as listed (a correct use), a Latin key inside a longer
word (rejected), an exact term written as listed (a correct use), a prefix/suffix anchor inside a correct use
(no fuzzy near miss can sit there). :func:`triage` settles those with the same checks, in the same order, as
the Python loop did, and hands back only the rest, in order, for the per-item checks (case, capitalised
edit-1 forms, word swaps, allowed forms, fuzzy near misses).
"""

from __future__ import annotations

import functools

import numpy as np

from ..jit import njit

# ---- the phrase index's hash scan (rewards/phrase_index.py holds its Python side) ----

_Q = 4  # keys of 4+ code points are filtered by 4 of their code points (a table of the lengths they carry)
_LONG = 15  # key lengths >= this share the length filter's top bit and are tried one by one
_KEY_BITS = 23  # a key table entry: hash check bits 32-63, key length 24-31 (255: longer), word_start 23, key index + 1 below
_BMP = 0x10000
# per BMP code point (classes, :func:`code_classes`): a key or a mask may end here (pass 0), a mask's
# second to last (the next code point is looked at too), a word_start key may start here, a word character
_C_END, _C_BEFORE, _C_START, _C_WORD = 1, 2, 4, 8
# flag of a word_start key's first code point (flags' second half): a key that may end inside a word starts with
# it, so a word starting with it is not filtered by its first word
_OPEN = 16


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
def _two_bits(word, s):
    """Whether the Bloom word ``word`` has both bits that hash ``s`` picks (bits 32-37 and 40-45 of it)."""
    return (word >> ((s >> np.uint64(32)) & np.uint64(63))) & (
        word >> ((s >> np.uint64(40)) & np.uint64(63))
    ) & np.uint64(1) == np.uint64(1)


@njit(cache=True, inline="always")
def _len_class(n):
    """Bit of the first/last-character filter for a key of ``n`` code points: 1, 2, 3, or 4+."""
    return np.uint8(1) << np.uint8(min(n, _Q) - 1)


@njit(cache=True)
def _build(codes, offsets, word_start, word_end, literal, bits):
    """The key table (slot -> hash check bits and key index + 1, 0 = empty); a Bloom bit set of the keys;
    per BMP code point, the length classes of the keys ending (``word_start`` ones: starting) with it; and
    the 4+ key lengths by the slot of their last (``word_start``: first) 4 code points, a table per group
    (``bits``: log2 sizes of the key table, group 0 filter, Bloom set, group 1 filter): bit L for the
    ``word_end`` keys of L code points, bit 16 + L for the others. Every table is
    small enough for the caches: the scan's cost is its cache misses. Keys not ``literal`` are left out
    (found through :func:`_build_masks`' tables). Also a Bloom set (2 bits per entry in one 64-bit word,
    log2 size ``bits[5]``) of the first words of the ``word_start`` keys (their leading run of word
    characters, maybe empty), for :func:`_find` to skip a word start whose word begins no key; a
    ``word_start`` key that is one word and not ``word_end`` (it may end inside a text's word) marks its first
    code point :data:`_OPEN` in ``flags`` instead."""
    nkeys = offsets.shape[0] - 1
    mul = np.uint64(0x9E3779B97F4A7C15)  # as _hash
    first = np.zeros(1 << (bits[5] - 6), np.uint64)  # Bloom set of the word_start keys' first words (bits[5])
    wmask = np.uint64((1 << (bits[5] - 6)) - 1)
    p4 = np.uint64(1)
    for _ in range(_Q):
        p4 *= mul
    table = np.zeros(1 << bits[0], np.uint64)
    lenmask = np.zeros((1 << bits[1]) + (1 << bits[3]), np.uint32)
    bloom = np.zeros((1 << (bits[2] - 6)) + (1 << (bits[4] - 6)), np.uint64)  # [group 0 | group 1]
    flags = np.zeros(2 * _BMP, np.uint8)  # [by end | word_start keys by start]
    tmask = np.uint64((1 << bits[0]) - 1)
    fmask = (np.uint64((1 << bits[1]) - 1), np.uint64((1 << bits[3]) - 1))
    fbase = (0, 1 << bits[1])
    bmask = (np.uint64((1 << bits[2]) - 1), np.uint64((1 << bits[4]) - 1))
    bbase = (0, 1 << (bits[2] - 6))
    for k in range(nkeys):
        if not literal[k]:
            continue
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
        if word_start[k]:  # the key's first word: its leading run of word characters (maybe empty)
            hw = np.uint64(0)
            r = 0
            while r < n and _word_char(codes[a + r]):
                hw = hw * mul + np.uint64(codes[a + r]) + np.uint64(1)
                r += 1
            if r == n and not word_end[k]:  # the key may end inside a text's word: no filter by its first
                if edge < _BMP:
                    flags[_BMP + edge] |= _OPEN
            else:
                w = _slot(hw, r)
                first[w & wmask] |= (np.uint64(1) << ((w >> np.uint64(32)) & np.uint64(63))) | (
                    np.uint64(1) << ((w >> np.uint64(40)) & np.uint64(63))
                )  # as _two_bits reads them
        if n >= _Q:
            four = head if word_start[k] else h - rest * p4
            lenmask[fbase[group] + (_slot(four, _Q) & fmask[group])] |= np.uint32(1) << np.uint32(
                min(n, _LONG) + (0 if word_end[k] else 16)
            )
    return table, lenmask, bloom, flags, first


def code_classes(flags: np.ndarray, m_flags: np.ndarray) -> np.ndarray:
    """uint8 per BMP code point, the bits _C_END, _C_BEFORE, _C_START and _C_WORD of :func:`_find`'s first
    loop (one table read per code point instead of three): from :func:`_build`'s ``flags`` and
    :func:`_build_masks`' ``m_flags``."""
    cps = np.arange(_BMP)
    word = ((cps >= 0x30) & (cps <= 0x39)) | ((cps >= 0x41) & (cps <= 0x5A)) | ((cps >= 0x61) & (cps <= 0x7A))
    word |= (cps >= 0xC0) & (cps < 0x250)
    end, masked, start = flags[:_BMP] != 0, m_flags != 0, flags[_BMP:] != 0
    return ((end | masked) * _C_END | masked * _C_BEFORE | start * _C_START | word * _C_WORD).astype(np.uint8)


_MASK_MAX = 8  # keys of 2-8 code points one substitution away from a base string go through masks


@njit(cache=True)
def _build_masks(m_codes, m_off, m_pos, pair_m, pair_x, pair_k, bits):
    """Tables of the masks (a base string with one position wildcarded) and of the keys they stand for.
    Returns the mask table (slot -> hash check bits, length and mask index + 1), its Bloom bit set, per BMP
    code point the masks' lengths (bit L - 1) ending with it when the wildcard is not last (low byte) and
    with it second to last when the wildcard is last (high byte), and the (mask, code point) -> key table
    (keys ``mask << 32 | code point`` + 1, values key indexes). ``bits``: log2 sizes of the mask table, its
    Bloom set and the pair table."""
    mul = np.uint64(0x9E3779B97F4A7C15)  # as _build
    table = np.zeros(1 << bits[0], np.uint64)
    bloom = np.zeros(1 << (bits[1] - 6), np.uint64)
    flags = np.zeros(_BMP, np.uint16)
    tmask = np.uint64((1 << bits[0]) - 1)
    bmask = np.uint64((1 << bits[1]) - 1)
    for m in range(m_off.shape[0] - 1):
        a, b = m_off[m], m_off[m + 1]
        n = b - a
        h = np.uint64(0)
        for i in range(a, b):  # the wildcard adds 0, a code point c adds c + 1
            h = h * mul + (np.uint64(0) if i - a == m_pos[m] else np.uint64(m_codes[i]) + np.uint64(1))
        s = _slot(h, n)
        slot = s & tmask
        while table[slot] != 0:
            slot = (slot + np.uint64(1)) & tmask
        table[slot] = (
            ((s >> np.uint64(32)) << np.uint64(32)) | (np.uint64(n) << np.uint64(24)) | np.uint64(m + 1)
        )
        bit = (s >> np.uint64(20)) & bmask
        bloom[bit >> np.uint64(6)] |= np.uint64(1) << (bit & np.uint64(63))
        if m_pos[m] < n - 1:
            if m_codes[b - 1] < _BMP:
                flags[m_codes[b - 1]] |= np.uint16(1) << np.uint16(n - 1)
        elif m_codes[b - 2] < _BMP:
            flags[m_codes[b - 2]] |= np.uint16(1) << np.uint16(n - 1 + 8)
    pkeys = np.zeros(1 << bits[2], np.uint64)
    pvals = np.zeros(1 << bits[2], np.int64)
    pmask = np.uint64((1 << bits[2]) - 1)
    for i in range(pair_m.shape[0]):
        key = (np.uint64(pair_m[i]) << np.uint64(32)) | np.uint64(pair_x[i])
        slot = _mix(key) & pmask
        while pkeys[slot] != 0:
            slot = (slot + np.uint64(1)) & pmask
        pkeys[slot] = key + np.uint64(1)
        pvals[slot] = pair_k[i]
    return table, bloom, flags, pkeys, pvals


# ---- the index's tables in four pools, one per dtype: a call unboxes 4 arrays instead of 25 ----

_SLOTS = 10  # slots per pool; the i64 pool starts with the header: (start, end) of every slot of every pool
U64_TABLE, U64_BLOOM, U64_FIRST, U64_MTABLE, U64_MBLOOM, U64_PKEYS = range(6)
U32_CODES, U32_LENMASK, U32_MCODES, U32_MFLAGS, U32_TERM_CODES, U32_LOWER = range(6)
U8_WEND, U8_FLAGS, U8_CLASSES = range(3)
I64_OFFSETS, I64_LONG, I64_BITS, I64_MOFF, I64_MPOS, I64_MBITS, I64_PVALS, I64_INFO, I64_TERM_OFF = range(9)


def pack(u64s, u32s, u8s, i64s) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Four lists of arrays (slot order: the ``U64_*``, ``U32_*``, ``U8_*``, ``I64_*`` numbers) end to end in
    one array per dtype; the i64 pool starts with the header :func:`_part` reads."""
    header = np.zeros(2 * 4 * _SLOTS, np.int64)
    pools = []
    for p, (arrays, dtype) in enumerate(
        ((u64s, np.uint64), (u32s, np.uint32), (u8s, np.uint8), (i64s, np.int64))
    ):
        if len(arrays) > _SLOTS:
            raise ValueError("too many arrays for a pool")
        at = header.shape[0] if p == 3 else 0
        parts = [header] if p == 3 else []
        for slot, a in enumerate(arrays):
            a = np.ascontiguousarray(a, dtype=dtype).ravel()
            header[2 * (p * _SLOTS + slot)] = at
            at += a.shape[0]
            header[2 * (p * _SLOTS + slot) + 1] = at
            parts.append(a)
        pools.append(np.concatenate(parts) if parts else np.zeros(0, dtype))
    return pools[0], pools[1], pools[2], pools[3]


def part(pools, p: int, slot: int) -> np.ndarray:
    """Slot ``slot`` of pool ``p`` of :func:`pack`'s ``pools``, a view (in Python)."""
    h = 2 * (p * _SLOTS + slot)
    return pools[p][pools[3][h] : pools[3][h + 1]]


@njit(cache=True, inline="always")
def _part(pool, i64, p, slot):
    """Slot ``slot`` of pool ``p`` (0: u64, 1: u32, 2: u8, 3: i64), a view (:func:`pack`)."""
    h = 2 * (p * _SLOTS + slot)
    return pool[i64[h] : i64[h + 1]]


@njit(cache=True)
def _find(text, words, u64, u32, u8, i64, out):
    """Every occurrence in ``text`` (uint32 code points) into ``out`` (3 x capacity int64: keys, starts,
    ends), in order of end then start; a ``word_start`` key only where the code point before it is no word
    character of ``words`` (the text the offsets index, before lower-casing), a ``word_end`` key only where
    the code point after it is none (or a plural ending, s or es, that ends the word). Returns the count, or -1 when
    ``out`` is too small. ``u64``, ``u32``, ``u8``, ``i64``: the index's tables in four pools (:func:`pack`,
    slots ``U64_*``...): :func:`_build`'s, and :func:`_build_masks`' with the masks (codes, offsets, wildcard
    positions) for the keys found through them.

    One loop body and no helper that takes an array: numba counts references of every array a function
    (inlined or not) receives, with atomic instructions, and in this loop that cost more than the scan
    itself (28% of the time in NRT_incref/NRT_decref). A first loop lists the positions each pass looks at
    (those the filter tables flag), so the passes skip the rest of the text; a word start is listed only when
    its word (in ``text``; less a plural s / es) is in the first-word Bloom set, unless a key may end inside a
    word there, or ``text`` and ``words`` disagree on a word character in it (a Kelvin sign lowers to k): on
    English prose 3% of the word starts are left. Two passes: keys by their end (longest first), then
    ``word_start`` keys at word starts (shortest first); per position the candidate lengths are a bit mask
    (bits 1-14, bit 15: the long lengths, tried one by one). At one place and length the key table and the
    masks never both hold the text: a key is in one of them."""
    table = _part(u64, i64, 0, U64_TABLE)
    bloom = _part(u64, i64, 0, U64_BLOOM)
    first_words = _part(u64, i64, 0, U64_FIRST)
    m_table = _part(u64, i64, 0, U64_MTABLE)
    m_bloom = _part(u64, i64, 0, U64_MBLOOM)
    p_keys = _part(u64, i64, 0, U64_PKEYS)
    codes = _part(u32, i64, 1, U32_CODES)
    lenmask = _part(u32, i64, 1, U32_LENMASK)
    m_codes = _part(u32, i64, 1, U32_MCODES)
    m_flags = _part(u32, i64, 1, U32_MFLAGS)
    word_end = _part(u8, i64, 2, U8_WEND)
    flags = _part(u8, i64, 2, U8_FLAGS)
    classes = _part(u8, i64, 2, U8_CLASSES)
    offsets = _part(i64, i64, 3, I64_OFFSETS)
    long_lens = _part(i64, i64, 3, I64_LONG)
    bits = _part(i64, i64, 3, I64_BITS)
    m_off = _part(i64, i64, 3, I64_MOFF)
    m_pos = _part(i64, i64, 3, I64_MPOS)
    m_bits = _part(i64, i64, 3, I64_MBITS)
    p_vals = _part(i64, i64, 3, I64_PVALS)
    n = text.shape[0]
    cap = out.shape[1]
    mul = np.uint64(0x9E3779B97F4A7C15)  # as _build
    tmask = np.uint64(table.shape[0] - 1)
    mtmask = np.uint64(m_table.shape[0] - 1)
    mbmask = np.uint64((1 << m_bits[1]) - 1)
    pmask = np.uint64(p_keys.shape[0] - 1)
    n_masks = m_off.shape[0] - 1
    n_long = long_lens.shape[0]
    wmask = np.uint64(first_words.shape[0] - 1)
    count = 0
    n_ends = 0
    # the positions each pass looks at, listed in one read of the filter tables per code point: pass 0
    # where a key or a mask may end (its last code point, or a mask's second to last), pass 1 at a word
    # start whose code point starts a word_start key; an English text leaves pass 0 nothing, a Chinese one
    # pass 1
    pos = np.empty(2 * n, np.int32)  # pass 0's from 0, pass 1's from n
    n0 = 0
    n1 = 0
    before = False  # the code point before is a mask's second to last (or outside the BMP)
    start = True  # no word character before (in words): a word_start key may start here
    for i in range(n):
        c = text[i]
        cl = classes[c] if c < _BMP else np.uint8(_C_END | _C_BEFORE | _C_START)
        here0 = cl & _C_END != 0 or before
        here1 = start and cl & _C_START != 0
        before = cl & _C_BEFORE != 0
        cw = words[i]
        start = cw >= _BMP or classes[cw] & _C_WORD == 0
        if here0:
            pos[n0] = i
            n0 += 1
        if here1:
            # a word start: skipped unless the word (lower-cased, less a plural s / es) is the first word of a
            # word_start key, or a key starting with this code point may end inside a word
            if c < _BMP and not flags[_BMP + c] & _OPEN:
                h = np.uint64(0)  # hashes of the word's first r, r - 1, r - 2 code points
                h1 = np.uint64(0)
                h2 = np.uint64(0)
                j = i
                same = True  # text and words agree on which code points are word characters
                while j < n and _word_char(text[j]):
                    if not _word_char(words[j]):
                        same = False
                        break
                    h2, h1 = h1, h
                    h = h * mul + np.uint64(text[j]) + np.uint64(1)
                    j += 1
                if same and j < n and _word_char(words[j]):
                    same = False
                if same:
                    r = j - i
                    fw = _slot(h, r)
                    here1 = _two_bits(first_words[np.int64(fw & wmask)], fw)
                    if not here1 and r >= 1 and text[j - 1] == 0x73:  # s
                        fw = _slot(h1, r - 1)
                        here1 = _two_bits(first_words[np.int64(fw & wmask)], fw)
                        if not here1 and r >= 2 and text[j - 2] == 0x65:  # es
                            fw = _slot(h2, r - 2)
                            here1 = _two_bits(first_words[np.int64(fw & wmask)], fw)
            if here1:
                pos[n + n1] = i
                n1 += 1
    for phase in range(2):  # 0: keys by their end; 1: word_start keys at word starts
        if phase == 0:
            fmask, fbase = np.uint64((1 << bits[1]) - 1), 0
            bmask, bbase = np.uint64((1 << bits[2]) - 1), 0
            group = np.uint64(0)
        else:
            n_ends = count
            fmask, fbase = np.uint64((1 << bits[3]) - 1), 1 << bits[1]
            bmask, bbase = np.uint64((1 << bits[4]) - 1), 1 << (bits[2] - 6)
            group = np.uint64(1) << np.uint64(_KEY_BITS)
        for ii in range(n0 if phase == 0 else n1):
            i = np.int64(pos[phase * n + ii])
            c = text[i]
            at = i + 1 - _Q if phase == 0 else i  # where the filter's 4 code points start
            f = np.int64(flags[phase * _BMP + c]) if c < _BMP else np.int64(15)
            # masks of length L (bit L) with the wildcard before the last code point / at it
            m_last = np.int64(0)
            m_prev = np.int64(0)
            if phase == 0 and n_masks:
                m_last = (np.int64(m_flags[c]) & 255 if c < _BMP else np.int64(255)) << 1
                if i > 0:
                    cp = text[i - 1]
                    m_prev = (np.int64(m_flags[cp]) >> 8 if cp < _BMP else np.int64(255)) << 1
            if f == 0 and m_last == 0 and m_prev == 0:
                continue
            # bit L: a key of L code points may sit here (``lo``: only where it ends a word)
            hi = (f & 7) << 1
            lo = np.int64(0)
            if f & 8 and at >= 0 and at + _Q <= n:
                h4 = np.uint64(0)
                for j in range(at, at + _Q):
                    h4 = h4 * mul + np.uint64(text[j]) + np.uint64(1)
                lm = np.int64(lenmask[fbase + np.int64(_slot(h4, _Q) & fmask)])
                hi |= lm >> 16
                lo = lm & 0xFFFF
            m_cand = m_last | m_prev
            if hi == 0 and lo == 0 and m_cand == 0:
                continue
            nl = n_long if (hi | lo) >> _LONG else 0
            for idx in range(nl + _LONG - 1):
                if phase == 0:  # longest first
                    if idx < nl:
                        L = long_lens[nl - 1 - idx]
                        bit = _LONG
                    else:
                        L = _LONG - 1 - (idx - nl)
                        bit = L
                    start = i + 1 - L
                else:  # shortest first
                    if idx < _LONG - 1:
                        L = idx + 1
                        bit = L
                    else:
                        L = long_lens[idx - (_LONG - 1)]
                        bit = _LONG
                    start = i
                any_key = (hi >> bit) & 1 == 1
                end_key = (lo >> bit) & 1 == 1
                masked = L <= _MASK_MAX and (m_cand >> L) & 1 == 1
                if not (any_key or end_key or masked) or start < 0 or start + L > n:
                    continue
                # whether text[start + L] ends the word: no word character there, or a plural ending that does
                p = start + L
                ends = True
                if p < n and _word_char(words[p]):
                    ends = False
                    if words[p] == 0x73:  # s
                        ends = p + 1 >= n or not _word_char(words[p + 1])
                    if not ends and words[p] == 0x65 and p + 1 < n and words[p + 1] == 0x73:  # es
                        ends = p + 2 >= n or not _word_char(words[p + 2])
                literal = any_key or (end_key and ends)
                k = -1
                if literal:  # the key equal to text[start:start + L] in this group: Bloom bit, then the table
                    h = np.uint64(0)
                    for j in range(start, start + L):
                        h = h * mul + np.uint64(text[j]) + np.uint64(1)
                    s = _slot(h, L)
                    bit = (s >> np.uint64(20)) & bmask
                    if (bloom[bbase + np.int64(bit >> np.uint64(6))] >> (bit & np.uint64(63))) & np.uint64(1):
                        # the entry's check bits, length and group are compared before any other array is read
                        want = (
                            ((s >> np.uint64(32)) << np.uint64(32))
                            | (np.uint64(min(L, 255)) << np.uint64(24))
                            | group
                        ) >> np.uint64(_KEY_BITS)
                        slot = s & tmask
                        while table[slot] != 0:
                            entry = table[slot]
                            if entry >> np.uint64(_KEY_BITS) == want:
                                kk = np.int64(entry & np.uint64((1 << _KEY_BITS) - 1)) - 1
                                a = offsets[kk]
                                if L < 255 or offsets[kk + 1] - a == L:
                                    same = True
                                    for j in range(L):
                                        if codes[a + j] != text[start + j]:
                                            same = False
                                            break
                                    if same:
                                        k = kk
                                        break
                            slot = (slot + np.uint64(1)) & tmask
                if k < 0 and masked:  # one wildcarded position, then the code point there
                    for w in range(L):
                        if not ((m_prev if w == L - 1 else m_last) >> L) & 1:
                            continue
                        h = np.uint64(0)
                        for j in range(start, start + L):
                            h = h * mul + (
                                np.uint64(0) if j - start == w else np.uint64(text[j]) + np.uint64(1)
                            )
                        s = _slot(h, L)
                        bit = (s >> np.uint64(20)) & mbmask
                        if not (m_bloom[np.int64(bit >> np.uint64(6))] >> (bit & np.uint64(63))) & np.uint64(
                            1
                        ):
                            continue
                        want = ((s >> np.uint64(32)) << np.uint64(32)) | (np.uint64(L) << np.uint64(24))
                        slot = s & mtmask
                        while m_table[slot] != 0:
                            entry = m_table[slot]
                            if entry >> np.uint64(24) == want >> np.uint64(24):
                                m = np.int64(entry & np.uint64((1 << 24) - 1)) - 1
                                a = m_off[m]
                                same = m_pos[m] == w
                                if same:
                                    for j in range(L):
                                        if j != w and m_codes[a + j] != text[start + j]:
                                            same = False
                                            break
                                if same:
                                    key = (np.uint64(m) << np.uint64(32)) | np.uint64(text[start + w])
                                    ps = _mix(key) & pmask
                                    while p_keys[ps] != 0:
                                        if p_keys[ps] == key + np.uint64(1):
                                            k = p_vals[ps]
                                            break
                                        ps = (ps + np.uint64(1)) & pmask
                                    break  # one mask per string
                            slot = (slot + np.uint64(1)) & mtmask
                        if k >= 0:
                            break
                if k < 0 or (word_end[k] and not ends):
                    continue
                if count == cap:
                    return -1
                out[0, count], out[1, count], out[2, count] = k, start, start + L
                count += 1
    if count > n_ends:  # merge in the word-start matches: order of end, then start
        order = np.argsort(out[2, :count] * (n + 1) + out[1, :count])
        tmp = out[:, :count][:, order]
        out[:, :count] = tmp
    return count


# ---- term consistency's triage of the hits ----


@njit(cache=True, inline="always")
def es_stem(text, end):
    """Whether the word ending at ``end`` ends as the stem of an -es plural does: s x z o ch sh, or i of -ies
    (boxes, Studi-es; not Nam-es, Lin-es: those are names, lines)."""
    c = text[end - 1] | 0x20  # ASCII lower case
    if c == 0x73 or c == 0x78 or c == 0x7A or c == 0x6F or c == 0x69:
        return True
    return c == 0x68 and end >= 2 and (text[end - 2] | 0x20 == 0x63 or text[end - 2] | 0x20 == 0x73)


@njit(cache=True, inline="always")
def plural_end(text, end):
    """``text[end:]`` starts with a plural ending that ends the word: s (Morlocks, Heat-Rays), or es after a
    stem that takes it (:func:`es_stem`)."""
    n = text.shape[0]
    if end < n and text[end] == 0x73:  # s
        if end + 1 >= n or not _word_char(text[end + 1]):
            return True
    if end + 1 < n and text[end] == 0x65 and text[end + 1] == 0x73 and end > 0 and es_stem(text, end):  # es
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
            if same:  # edges checked above: a correct use as listed (an anchor here lies inside it: no fuzzy)
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


# ---- lower-casing as str.lower does, code point by code point ----

_DOTTED_I = 0x130  # the one code point whose lower case is two (i + combining dot): str.lower changes length
_SIGMA = 0x3A3  # lower-cases by context (final sigma): left to str.lower


_PAGES = 0x1100  # 256-code-point pages of the code space


@functools.cache
def lower_table() -> np.ndarray:
    """uint32: the lower case of every code point as this Python's ``str.lower`` gives it (computed, so it
    follows the Unicode version), as deltas by page: ``table[c >> 8]`` is the page's block, ``c +
    table[_PAGES + 256 * block + (c & 255)]`` (mod 2**32) the lower case; block 0 is all zeros, shared by
    every page that lowers to itself (the CJK ideographs), so the table is small (about 60 KB) and lowering
    has no branch. :data:`_DOTTED_I` and :data:`_SIGMA` map to themselves (:func:`lower_codes` handles
    them)."""
    cps = np.arange(0x110000, dtype=np.uint32)
    cps[[_DOTTED_I, _SIGMA]] = 0x20  # kept out of the string: their lower case is not one fixed code point
    low = np.frombuffer(
        cps.tobytes().decode("utf-32-le", "surrogatepass").lower().encode("utf-32-le", "surrogatepass"),
        dtype=np.uint32,
    ).copy()
    low[[_DOTTED_I, _SIGMA]] = [_DOTTED_I, _SIGMA]
    delta = (low - np.arange(0x110000, dtype=np.uint32)).reshape(_PAGES, 256)  # uint32, wraps
    blocks = [np.zeros(256, np.uint32)]
    page_block = np.zeros(_PAGES, np.uint32)
    for page in np.flatnonzero(delta.any(axis=1)):
        page_block[page] = len(blocks)
        blocks.append(delta[page])
    return np.concatenate([page_block, *blocks])


@njit(cache=True)
def lower_codes(codes, table):
    """The code points of ``str.lower`` of the text ``codes``, or of the text itself when lowering changes its
    length (a dotted capital I, as :meth:`TermMatcher.report` does); an empty array when the text holds a
    capital sigma (its lower case depends on the letters around it: the caller asks ``str.lower``), whichever
    of the two comes first. ``table``: :func:`lower_table`."""
    n = codes.shape[0]
    low = np.empty(n, np.uint32)
    odd = False
    for i in range(n):
        c = codes[i]
        low[i] = c + table[_PAGES + 256 * np.int64(table[c >> 8]) + np.int64(c & 255)]
        odd |= (c == _DOTTED_I) | (c == _SIGMA)
    if odd:
        for i in range(n):
            if codes[i] == _DOTTED_I:
                return codes
            if codes[i] == _SIGMA:
                return np.empty(0, np.uint32)
    return low


@njit(cache=True)
def scan(low, codes, u64, u32, u8, i64):
    """:func:`phrase_index._find` then :func:`triage` in one call, the result packed into one int64 array
    (one conversion to Python): ``[n_terms, n_spans, n_rest, (term index, uses) * n_terms, (start, end) *
    n_spans, (key, start, end) * n_rest]``; ``[-2]`` when ``low`` is needed (:func:`lower_codes` could not
    lower the text). ``u64``...``i64``: the pools (:func:`pack`) of the :class:`PhraseIndex` tables with the
    matcher's (``U32_TERM_CODES``, ``U32_LOWER``: :func:`lower_table`, ``I64_INFO``: :func:`key_info`,
    ``I64_TERM_OFF``); ``codes``: the text's code points; ``low``: those of its lower case, or an empty array
    to have them computed."""
    if low.shape[0] != codes.shape[0]:
        low = lower_codes(codes, _part(u32, i64, 1, U32_LOWER))
        if low.shape[0] != codes.shape[0]:
            return np.full(1, -2, np.int64)
    cap = 64 + codes.shape[0] // 4
    while True:
        out = np.empty((3, cap), np.int64)
        count = _find(low, codes, u64, u32, u8, i64, out)
        if count >= 0:
            break
        cap *= 4
    info, term_codes, term_off = (
        _part(i64, i64, 3, I64_INFO),
        _part(u32, i64, 1, U32_TERM_CODES),
        _part(i64, i64, 3, I64_TERM_OFF),
    )
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
