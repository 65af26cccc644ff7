"""Chinese new-word discovery over a whole book: frequency, cohesion (PMI) and boundary freedom (entropy).

Every 1-5 character n-gram inside a run of Han characters is counted (punctuation and Latin break runs).
A 2-4 character n-gram ``w`` that occurs ``min_count``+ times is a *new-word candidate* when

- cohesion: for every split ``w = a + b``, ``log2(p(w) / (p(a) p(b)))`` >= ``min_pmi`` (bits, n-gram
  probabilities per character);
- boundary freedom: the entropy of the character before ``w`` and of the one after it are both
  >= ``min_entropy`` (bits; a run edge counts as a new neighbour each time), so a fragment of a longer word
  (率引 of 曲率引擎) or a word glued to a fixed neighbour is left out.

This is the usual unsupervised method (Matrix67, "互联网时代的社会语言学：基于SNS的文本数据挖掘", 2012).
The counting is vectorised: characters become 12-bit ids (by frequency; the rarest share one id) packed
into one int64 per n-gram, counted with ``numpy.unique``. About 3-5 MB/s of Chinese on one core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_LEN = 4  # longest candidate in characters (longer coined terms come from the suffix patterns)
_BITS = 12
_RARE = (1 << _BITS) - 1  # shared id of characters past the 4,094 most frequent


def _is_han(cp: np.ndarray) -> np.ndarray:
    """Han characters, and Latin capitals (ASCII or full-width), which Chinese names borrow (阿Q, 小D)."""
    han = ((cp >= 0x3400) & (cp <= 0x9FFF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
    return han | ((cp >= 0x41) & (cp <= 0x5A)) | ((cp >= 0xFF21) & (cp <= 0xFF3A))


@dataclass
class NgramStats:
    """A book's Han n-gram counts (lengths 1..MAX_LEN+1) as sorted packed keys, and lookups on them."""

    chars: np.ndarray  # id -> code point (index 0 unused: separator)
    keys: list[np.ndarray]  # keys[n]: sorted unique packed n-grams
    freqs: list[np.ndarray]  # freqs[n]: their counts
    total: int  # Han characters in the book
    left_h: list[np.ndarray]  # entropy (bits) of the character before each n-gram
    right_h: list[np.ndarray]  # entropy (bits) of the character after each n-gram

    def decode(self, key: int, n: int) -> str:
        ids = [(key >> (_BITS * (n - 1 - k))) & _RARE for k in range(n)]
        return "".join(chr(self.chars[i]) for i in ids)

    def encode(self, w: str) -> int | None:
        lookup = self._lookup
        key = 0
        for ch in w:
            i = lookup.get(ch)
            if i is None:
                return None
            key = (key << _BITS) | i
        return key

    @property
    def _lookup(self) -> dict[str, int]:
        if not hasattr(self, "_lk"):
            self._lk = {chr(c): i for i, c in enumerate(self.chars) if i and i != _RARE}
        return self._lk

    def ending_with(self, suffix: str, min_count: int) -> dict[str, int]:
        """{X: count of X + suffix} for every X of 1..(longest n-gram - len(suffix)) characters."""
        sk = self.encode(suffix)
        out: dict[str, int] = {}
        if sk is None:
            return out
        m, mask = len(suffix), (1 << (_BITS * len(suffix))) - 1
        for n in range(m + 1, len(self.keys)):
            keys, freqs = self.keys[n], self.freqs[n]
            sel = np.nonzero(((keys & mask) == sk) & (freqs >= min_count))[0]
            for j in sel:
                out[self.decode(int(keys[j]) >> (_BITS * m), n - m)] = int(freqs[j])
        return out

    def top_right(self, w: str) -> tuple[str, int]:
        """The Han character that most often follows ``w`` (1..longest n-gram - 1 characters) and how often
        it does; ("", 0) when none does."""
        n, key = len(w), self.encode(w)
        if key is None or not 1 <= n < len(self.keys) - 1:
            return "", 0
        keys = self.keys[n + 1]
        lo, hi = np.searchsorted(keys, key << _BITS), np.searchsorted(keys, (key + 1) << _BITS)
        if lo == hi:
            return "", 0
        j = lo + int(np.argmax(self.freqs[n + 1][lo:hi]))
        return chr(self.chars[int(keys[j]) & _RARE]), int(self.freqs[n + 1][j])

    def top_left(self, w: str) -> tuple[str, int]:
        """The Han character that most often stands before ``w`` (1..longest n-gram - 1 characters) and how
        often it does; ("", 0) when none does. The first call per length indexes the n-grams by their ends."""
        n, key = len(w), self.encode(w)
        if key is None or not 1 <= n < len(self.keys) - 1:
            return "", 0
        if not hasattr(self, "_left"):
            self._left: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        if n not in self._left:
            ext, freqs = self.keys[n + 1], self.freqs[n + 1]
            ends = ext & ((1 << (_BITS * n)) - 1)
            order = np.lexsort((-freqs, ends))  # by end, the most frequent first character first
            pick = order[np.unique(ends[order], return_index=True)[1]]  # each end's most frequent extension
            self._left[n] = (ends[pick], ext[pick] >> (_BITS * n), freqs[pick])
        ends, heads, counts = self._left[n]
        i = int(np.searchsorted(ends, key))
        if i == len(ends) or int(ends[i]) != key:
            return "", 0
        return chr(self.chars[int(heads[i])]), int(counts[i])

    def ids(self, chars: str) -> np.ndarray:
        """The ids of ``chars`` (characters the book never writes left out), for :meth:`count_after`."""
        lookup = self._lookup
        return np.array([lookup[c] for c in chars if c in lookup], dtype=np.int64)

    def count_after(self, left: np.ndarray, w: str) -> int:
        """Uses of ``w`` right after any of the characters ``left`` (ids from :meth:`ids`), in one lookup."""
        n, key = len(w), self.encode(w)
        if key is None or not left.size or not 1 <= n < len(self.keys) - 1:
            return 0
        keys, freqs = self.keys[n + 1], self.freqs[n + 1]
        if not keys.size:
            return 0
        want = (left << (_BITS * n)) | key
        i = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        return int(freqs[i][keys[i] == want].sum())

    def count(self, w: str) -> int:
        n = len(w)
        key = self.encode(w)
        if key is None or not 1 <= n < len(self.keys):
            return 0
        i = np.searchsorted(self.keys[n], key)
        return int(self.freqs[n][i]) if i < len(self.keys[n]) and self.keys[n][i] == key else 0


def ngram_stats(text: str, max_len: int = MAX_LEN + 1) -> NgramStats:
    """Count every Han n-gram of length 1..``max_len`` (at most 5) and the boundary entropies of each."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    han = _is_han(cp)
    uniq, inv, cnt = np.unique(np.where(han, cp, 0), return_inverse=True, return_counts=True)
    han_u = _is_han(uniq)
    order = np.argsort(-np.where(han_u, cnt, -1), kind="stable")  # most frequent Han characters first
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(1, len(uniq) + 1)
    rank = np.where(han_u, np.minimum(rank, _RARE), 0)
    ids = rank[inv].astype(np.int64)  # 0 = separator
    chars = np.zeros(_RARE + 1, dtype=np.int64)
    top = order[: _RARE - 1]
    chars[rank[top]] = uniq[top]
    keys: list[np.ndarray] = [np.zeros(0, np.int64)]
    freqs: list[np.ndarray] = [np.zeros(0, np.int64)]
    packed = ids.copy()
    valid = ids > 0
    for n in range(1, max_len + 1):
        if n > 1:
            packed = (packed[:-1] << _BITS) | ids[n - 1 :]
            valid = valid[:-1] & (ids[n - 1 :] > 0)
        k, c = np.unique(packed[valid], return_counts=True)
        keys.append(k)
        freqs.append(c)
    # entropy of neighbours: H(w) = log2 T - sum_c c log2 c / T over the (n+1)-grams extending w (edges: c=1)
    left_h, right_h = [np.zeros(0)], [np.zeros(0)]
    for n in range(1, max_len + 1):
        t = freqs[n].astype(np.float64)
        lh = np.log2(t)
        rh = np.log2(t)
        if n < max_len:
            ext, ec = keys[n + 1], freqs[n + 1].astype(np.float64)
            clogc = ec * np.log2(ec)
            mask = (1 << (_BITS * n)) - 1
            for parent, out in ((ext >> _BITS, rh), (ext & mask, lh)):
                idx = np.searchsorted(keys[n], parent)
                np.subtract.at(out, idx, clogc / t[idx])
        else:
            lh[:] = rh[:] = 0.0
        left_h.append(lh)
        right_h.append(rh)
    return NgramStats(chars, keys, freqs, int(valid.size and (ids > 0).sum()), left_h, right_h)


@dataclass(frozen=True)
class NewWord:
    word: str
    count: int
    pmi: float  # bits, minimum over splits
    left_entropy: float  # bits
    right_entropy: float  # bits


def discover(
    stats: NgramStats,
    min_count: int = 3,
    min_pmi: float = 3.0,
    min_entropy: float = 1.0,
    drop_last: frozenset[str] | set[str] = frozenset(),
    drop_first: frozenset[str] | set[str] = frozenset(),
) -> list[NewWord]:
    """Cohesive, freely bounded n-grams of 2..MAX_LEN characters, most frequent first; those ending in a
    character of ``drop_last`` or starting with one of ``drop_first`` are left out before decoding."""
    out: list[NewWord] = []

    def ids(chars) -> np.ndarray:
        return np.array([i for i in (stats.encode(c) for c in chars) if i is not None], dtype=np.int64)

    bad_last, bad_first = ids(drop_last), ids(drop_first)
    logn = math.log2(max(stats.total, 1))
    for n in range(2, min(MAX_LEN, len(stats.keys) - 2) + 1):
        keys, freqs = stats.keys[n], stats.freqs[n]
        sel = (freqs >= min_count) & (stats.left_h[n] >= min_entropy) & (stats.right_h[n] >= min_entropy)
        if len(bad_last):
            sel &= ~np.isin(keys & _RARE, bad_last)
        if len(bad_first):
            sel &= ~np.isin(keys >> (_BITS * (n - 1)), bad_first)
        if not sel.any():
            continue
        k, c = keys[sel], freqs[sel].astype(np.float64)
        pmi = np.full(len(k), np.inf)
        for i in range(1, n):
            a = k >> (_BITS * (n - i))
            b = k & ((1 << (_BITS * (n - i))) - 1)
            ca = stats.freqs[i][np.searchsorted(stats.keys[i], a)]
            cb = stats.freqs[n - i][np.searchsorted(stats.keys[n - i], b)]
            pmi = np.minimum(pmi, np.log2(c) + logn - np.log2(ca) - np.log2(cb))
        rare = np.zeros(len(k), dtype=bool)
        for j in range(n):
            rare |= ((k >> (_BITS * j)) & _RARE) == _RARE
        keep = np.nonzero((pmi >= min_pmi) & ~rare)[0]
        lh, rh = stats.left_h[n][sel], stats.right_h[n][sel]
        out.extend(
            NewWord(stats.decode(int(k[j]), n), int(c[j]), float(pmi[j]), float(lh[j]), float(rh[j]))
            for j in keep
        )
    out.sort(key=lambda x: (-x.count, x.word))
    return out
