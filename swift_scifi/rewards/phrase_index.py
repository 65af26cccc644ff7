"""Every occurrence of many literal strings in one pass over a text: a compiled hash scan.

At each end position, filter tables (by the last code point, then by the last 4) give the key lengths that
can end there; each such window's hash is checked in a Bloom bit set and looked up in an open-addressing
table of the keys, then compared code point by code point. Keys marked ``word_start`` are looked up only
where a word starts. The compiled loops live in :mod:`.term_kernels` (numba, cached on disk;
``NUMBA_CACHE_DIR`` to move the cache). On the bench's 190,000-key glossary (2,000 terms with their
variants), finding the hits of 128 Chinese texts of 4,000 characters took 4-8 ms against 10-17 ms for the
``ahocorasick_rs`` DFA it replaced, 128 English ones 6-12 ms against 5-6 ms (docs/rewards.md, "Speed").

Matches: every occurrence of every key, overlapping ones included, as (key index, start, end) code point
offsets in order of end, then of start (the longer of two keys ending together first): the order of
``ahocorasick_rs``' overlapping search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .term_kernels import (
    _KEY_BITS,
    _LONG,
    _MASK_MAX,
    _Q,
    _build,
    _build_masks,
    _find,
    code_classes,
    pack,
    part,
)

_MASK_MIN_KEYS = 4  # a mask stands for this many keys or more (fewer stay in the key table)
# smaller indexes fit the caches as they are: no masks (routing costs a few us a key at build)
_MASK_MIN_INDEX = 20_000


def codepoints(text: str) -> np.ndarray:
    """``text`` as a uint32 array of code points (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class PhraseIndex:
    """Literal keys (unique, non-empty) with one payload each; :meth:`find` lists every occurrence.

    ``word_start[i]``: key ``i`` counts only where it starts a word (no Latin word character just before it,
    in the text the offsets index); such keys are looked up at word starts only, which on English prose
    skips most positions. ``word_end[i]``: key ``i`` counts only where it ends a word (no Latin word
    character just after it, or a plural ending, s or es, that ends the word: Morlocks), so at a word start
    the lengths that do not reach a word's end are not looked up.

    ``bases``: strings (a glossary's terms) whose one-substitution forms are keys by the thousand (homophone
    swaps). In an index of 20,000+ keys, a key of 2-8 code points, not ``word_start``, one substitution
    away from a base of its length, is not put in the key table but found through a mask: the base with
    that position wildcarded, then the code point there in a pair table read only on a mask hit (the
    bench's 150,000 swap keys become 2,000 masks), so the tables the scan reads at every position fit the
    caches. The matches are the same."""

    def __init__(
        self,
        keys: Sequence[str],
        payloads: Sequence[Any],
        word_start: Sequence[bool] | None = None,
        bases: Sequence[str] = (),
        word_end: Sequence[bool] | None = None,
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
        self._word_end = np.zeros(len(arrays), np.bool_)
        if word_end is not None:
            self._word_end[:] = list(word_end)
        self._long = np.array(sorted({int(n) for n in lengths if n >= _LONG}), dtype=np.int64)
        literal = self._masks_of(bases)
        # key table at most half full, Bloom bits 8-16 per key
        n = len(arrays)
        if n >= 1 << _KEY_BITS:
            raise ValueError(f"PhraseIndex holds at most {(1 << _KEY_BITS) - 1} keys")
        # filters sized by what they hold: the distinct first (word_start keys) / last 4 code points
        kept = [(k, w) for k, w, lit in zip(self.keys, self._word_start, literal, strict=True) if lit]
        four = (
            {k[:_Q] for k, w in kept if w and len(k) >= _Q},
            {k[-_Q:] for k, w in kept if not w and len(k) >= _Q},
        )
        n1 = sum(1 for _, w in kept if w)
        n = len(kept)
        self._bits = np.array(
            [
                max(4, (2 * n).bit_length()),
                max(4, (4 * len(four[1])).bit_length()),
                max(10, (8 * (n - n1)).bit_length()),
                max(4, (4 * len(four[0])).bit_length()),
                max(10, (8 * n1).bit_length()),
                max(10, (8 * n1).bit_length()),  # first words of the word_start keys (2 bits each)
            ],
            dtype=np.int64,
        )
        self._table, self._lenmask, self._bloom, self._flags, self._first_words = _build(
            self._codes, self._offsets, self._word_start, self._word_end, literal, self._bits
        )
        self._classes = code_classes(self._flags, self._masks[2])
        self._pools: tuple | None = None  # self.pools(), made at the first find_codes or by a caller

    def _masks_of(self, bases: Sequence[str]) -> np.ndarray:
        """Route the keys one substitution away from a base through masks (see the class docstring); sets
        ``self._masks`` (the tables :func:`_find` takes) and returns which keys stay in the key table."""
        literal = np.ones(len(self.keys), np.bool_)
        mask_of: dict[str, int] = {}
        m_strings: list[str] = []
        m_pos: list[int] = []
        for b in dict.fromkeys(bases if len(self.keys) >= _MASK_MIN_INDEX else ()):
            if 2 <= len(b) <= _MASK_MAX and "\0" not in b:
                for j in range(len(b)):
                    if mask_of.setdefault(b[:j] + "\0" + b[j + 1 :], len(m_strings)) == len(m_strings):
                        m_strings.append(b)
                        m_pos.append(j)
        base_set = set(bases)
        chosen: dict[int, list[tuple[int, int]]] = {}  # mask -> (code point, key) of the keys it would find
        if mask_of:
            for k, key in enumerate(self.keys):
                if self._word_start[k] or not 2 <= len(key) <= _MASK_MAX or key in base_set or "\0" in key:
                    continue
                for j in range(len(key)):
                    m = mask_of.get(key[:j] + "\0" + key[j + 1 :])
                    if m is not None:
                        chosen.setdefault(m, []).append((ord(key[j]), k))
                        break
        # a mask is probed at every place its other code points allow: worth it for many keys only
        kept = [m for m in sorted(chosen) if len(chosen[m]) >= _MASK_MIN_KEYS]
        pairs = [(new, x, k) for new, m in enumerate(kept) for x, k in chosen[m]]
        for _, _, k in pairs:
            literal[k] = False
        self.n_masked = len(pairs)  # keys found through masks
        m_strings = [m_strings[m] for m in kept]
        m_pos = [m_pos[m] for m in kept]
        m_codes = codepoints("".join(m_strings))
        m_off = np.zeros(len(m_strings) + 1, np.int64)
        np.cumsum([len(x) for x in m_strings], out=m_off[1:])
        pm, px, pk = (np.array([p[c] for p in pairs], dtype=np.int64) for c in range(3))
        m_bits = np.array(
            [
                max(4, (2 * len(m_strings)).bit_length()),
                max(10, (16 * len(m_strings)).bit_length()),
                max(4, (2 * len(pairs)).bit_length()),
            ],
            dtype=np.int64,
        )
        tables = _build_masks(m_codes, m_off, np.array(m_pos, dtype=np.int64), pm, px, pk, m_bits)
        self._masks = (*tables, m_codes, m_off, np.array(m_pos, dtype=np.int64), m_bits)
        return literal

    def pools(self, u32=(), i64=()) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The compiled tables in the four pools :func:`_find` takes after the text (:func:`term_kernels.pack`),
        with ``u32`` and ``i64`` arrays appended to their pools (a caller's own tables: slots after the
        index's). The index then holds its tables as views into these pools (not twice) and :meth:`find_codes`
        takes them too (its slots come first)."""
        m_table, m_bloom, m_flags, p_keys, p_vals, m_codes, m_off, m_pos, m_bits = self._masks
        pools = pack(
            [self._table, self._bloom, self._first_words, m_table, m_bloom, p_keys],
            [self._codes, self._lenmask, m_codes, m_flags, *u32],
            [self._word_end, self._flags, self._classes],
            [self._offsets, self._long, self._bits, m_off, m_pos, m_bits, p_vals, *i64],
        )
        self._table, self._bloom, self._first_words, m_table, m_bloom, p_keys = (
            part(pools, 0, k) for k in range(6)
        )
        self._codes, self._lenmask, m_codes, m_flags = (part(pools, 1, k) for k in range(4))
        self._word_end, self._flags, self._classes = (part(pools, 2, k) for k in range(3))
        self._offsets, self._long, self._bits, m_off, m_pos, m_bits, p_vals = (
            part(pools, 3, k) for k in range(7)
        )
        self._masks = (m_table, m_bloom, m_flags, p_keys, p_vals, m_codes, m_off, m_pos, m_bits)
        self._pools = pools
        return pools

    def find_codes(
        self, codes: np.ndarray, words: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(key indexes, starts, ends) int64 arrays of every occurrence in ``codes`` (uint32 code points),
        overlapping included, in order of end then start. ``words``: the code points that decide word starts
        (the text before lower-casing, same length), ``codes`` if None."""
        if self._pools is None:
            self._pools = self.pools()
        cap = 64 + codes.shape[0] // 4
        while True:
            out = np.empty((3, cap), np.int64)
            count = _find(codes, codes if words is None else words, *self._pools, out)
            if count >= 0:
                return out[0, :count], out[1, :count], out[2, :count]
            cap *= 4

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(key index, start, end) of every occurrence, overlapping included, in order of end then start."""
        if self.empty or not text:
            return []
        keys, starts, ends = self.find_codes(codepoints(text))
        return list(zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True))
