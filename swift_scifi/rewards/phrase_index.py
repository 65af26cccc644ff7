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

from .term_kernels import _KEY_BITS, _LONG, _Q, _build, _find


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
