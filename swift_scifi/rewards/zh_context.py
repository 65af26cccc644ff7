"""A character bigram model of general Chinese, asked at a term's near miss which of two readings fits the
sentence: the word the text writes (宛如, 八届) or the term it may stand for (婉如, 八戒).

Witten-Bell smoothed P(b | a) over simplified Han characters; anything else is one boundary symbol ``#``.
Shipped model: ``data/terms/zh_bigram.npz``, built by ``scripts/build_term_context.py`` from jieba's
dictionary (MIT: each word, between boundaries, as often as its frequency) and the ``train`` half of
WritingBench's Chinese queries (Apache-2.0); provenance in ``zh_bigram.json`` beside it. No book is in it, so
it knows no book's names better than a new book's (a model that had read 镜花缘 would prefer 婉如 to the word
宛如 everywhere), and the benchmark scores every book with the model a user gets. Rare pairs are pruned;
their mass backs off to the unigram through the follower counts, which are kept whole.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "terms" / "zh_bigram.npz"
BOUNDARY = "#"
MIN_PAIR_COUNT = 2  # pairs seen fewer times are left out of the shipped model (back-off covers them)
LP_MEMO = 1 << 16  # pairs whose ln P a model keeps (~10 MB at most)


def normalise(text: str) -> str:
    """Han characters kept, every other character the boundary symbol ``#``."""
    return "".join(c if "\u4e00" <= c <= "\u9fff" else BOUNDARY for c in text)


class BigramModel:
    """Witten-Bell bigram model over characters. ``lp(a, b)`` is ln P(b | a) (nats, <= 0)."""

    def __init__(
        self,
        chars: np.ndarray,
        uni: np.ndarray,
        followers: np.ndarray,
        totals: np.ndarray,
        pair_keys: np.ndarray,
        pair_counts: np.ndarray,
    ) -> None:
        self.chars = chars.astype(np.uint32)  # sorted code points
        self.uni = uni.astype(np.int64)  # uses of each character
        self.followers = followers.astype(np.int64)  # distinct characters seen after it (Witten-Bell T)
        self.totals = totals.astype(np.int64)  # pairs starting with it
        self.pair_keys = pair_keys.astype(np.uint64)  # sorted (a << 32 | b)
        self.pair_counts = pair_counts.astype(np.int64)
        self.n = int(self.uni.sum())
        self.v = len(self.chars) + 1
        # code point -> (uses, distinct followers, pair total) as Python ints: lp's per-character lookups
        # (a scalar numpy search and three numpy scalars cost ~15 us a pair; this dict ~2 us, same values)
        self._of = dict(
            zip(
                self.chars.tolist(),
                zip(self.uni.tolist(), self.followers.tolist(), self.totals.tolist(), strict=True),
                strict=True,
            )
        )
        self._lp: dict[tuple[str, str], float] = {}  # lp memo (same values; pairs near a term recur)

    @staticmethod
    def count(
        texts: Iterable[str], weight: int = 1, uni: Counter | None = None, pairs: Counter | None = None
    ):
        """Add the characters and adjacent pairs of ``texts`` (normalised), ``weight`` times each, to the
        counters ``uni`` and ``pairs`` (new ones if None); returns them."""
        uni = Counter() if uni is None else uni
        pairs = Counter() if pairs is None else pairs
        for t in texts:
            s = normalise(t)
            for c in s:
                uni[c] += weight
            for p in zip(s, s[1:], strict=False):
                pairs[p] += weight
        return uni, pairs

    @classmethod
    def from_counts(cls, uni: Counter, pairs: Counter, min_pair_count: int = MIN_PAIR_COUNT) -> BigramModel:
        """The model of character counts ``uni`` and pair counts ``pairs``; pairs below ``min_pair_count`` are
        left out (the follower counts keep them, so their mass backs off to the unigram)."""
        chars = sorted(uni)
        index = {c: i for i, c in enumerate(chars)}
        followers = np.zeros(len(chars), np.int64)
        totals = np.zeros(len(chars), np.int64)
        for (a, _), c in pairs.items():
            followers[index[a]] += 1
            totals[index[a]] += c
        kept = sorted((ord(a) << 32 | ord(b), c) for (a, b), c in pairs.items() if c >= min_pair_count)
        return cls(
            np.array([ord(c) for c in chars], np.uint32),
            np.array([uni[c] for c in chars], np.int64),
            followers,
            totals,
            np.array([k for k, _ in kept], np.uint64),
            np.array([c for _, c in kept], np.int64),
        )

    @classmethod
    def from_texts(cls, texts: Iterable[str], min_pair_count: int = MIN_PAIR_COUNT) -> BigramModel:
        """The model of ``texts`` (tests and benchmarks build small ones)."""
        return cls.from_counts(*cls.count(texts), min_pair_count=min_pair_count)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> BigramModel:
        with np.load(path) as z:
            return cls(z["chars"], z["uni"], z["followers"], z["totals"], z["pair_keys"], z["pair_counts"])

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            chars=self.chars,
            uni=self.uni.astype(np.uint32),
            followers=self.followers.astype(np.uint32),
            totals=self.totals.astype(np.uint32),
            pair_keys=self.pair_keys,
            pair_counts=self.pair_counts.astype(np.uint32),
        )

    def lp(self, a: str, b: str) -> float:
        """ln P(b | a), Witten-Bell: (c(a,b) + T(a) P(b)) / (c(a) + T(a)); P(b) add-half unigram. Memoised
        (at most ``LP_MEMO`` pairs, then started afresh)."""
        v = self._lp.get((a, b))
        if v is None:
            if len(self._lp) >= LP_MEMO:
                self._lp.clear()
            v = self._lp[a, b] = self._lp_uncached(a, b)
        return v

    def _lp_uncached(self, a: str, b: str) -> float:
        of_a, of_b = self._of.get(ord(a)), self._of.get(ord(b))
        p1 = ((of_b[0] if of_b is not None else 0) + 0.5) / (self.n + 0.5 * self.v)  # add-half unigram
        if of_a is None or of_a[2] == 0:
            return math.log(p1)
        key = ord(a) << 32 | ord(b)
        j = int(self.pair_keys.searchsorted(np.uint64(key)))
        c = int(self.pair_counts[j]) if j < len(self.pair_keys) and int(self.pair_keys[j]) == key else 0
        t = of_a[1]
        return math.log((c + t * p1) / (of_a[2] + t))

    def score(self, s: str) -> float:
        """ln P of the pairs of the normalised string ``s`` (its first character not scored)."""
        return sum(self.lp(a, b) for a, b in zip(s, s[1:], strict=False))


_override: list[BigramModel] = []


@lru_cache(maxsize=1)
def _shipped() -> BigramModel:
    return BigramModel.load()


def model() -> BigramModel:
    """The model in use: the shipped one, or the one set by :func:`use_model` (benchmarks: leave one out)."""
    return _override[-1] if _override else _shipped()


def use_model(m: BigramModel | None) -> None:
    """Score with ``m`` from now on (None: back to the shipped model)."""
    _override.clear()
    _reads_better.cache_clear()  # its entries hold the models they were computed with
    if m is not None:
        _override.append(m)


def reads_better(text: str, start: int, end: int, term: str, context: int = 1) -> float:
    """How much better (nats; > 0: better) ``text[start:end]`` reads than ``term`` would in its place, with
    ``context`` characters on each side: ln P(written) - ln P(term) under :func:`model`. Only the pairs that
    touch a changed character differ, so one character of context is all the model can use."""
    left = text[max(0, start - context) : start]
    return _reads_better(model(), left, text[start:end], text[end : end + context], term)


@lru_cache(maxsize=1 << 14)
def _reads_better(m: BigramModel, left: str, written: str, right: str, term: str) -> float:
    """:func:`reads_better` of ``written`` against ``term`` between ``left`` and ``right`` under ``m`` (cached:
    GRPO's generations of a prompt write its terms' near misses in the same few surroundings)."""
    left, right = normalise(left), normalise(right)
    return m.score(left + normalise(written) + right) - m.score(left + normalise(term) + right)
