"""A compact adjacent-pair association model: does the text put its units in an order the language uses?

Both languages give, for an adjacent pair (a, b), the pointwise mutual information in nats,
``pmi = ln P(b|a) / P(b)``, clipped to ``[-CLIP, CLIP]`` so one rare collocation does not dominate. Real prose
has a clearly positive mean over its pairs (function words and collocations follow each other: "of the",
"he was"); frequent words in no grammatical order have a mean near or below 0 whatever their vocabulary (for
pairs drawn independently the expectation is ``−KL ≤ 0``).

- Chinese: characters (traditional mapped to simplified) within a run of CJK characters. Counts of
  characters, of their distinct followers and of hashed character pairs (2**20 buckets), stored as
  ``round(8·log2(1 + c))`` in uint8; Witten-Bell smoothing ``P(b|a) = (c_ab + T_a·P(b)) / (c_a + T_a)``.
  A pair whose either character was never seen is not scored (:func:`zh_pmi` gives NaN).
- English: the ``WORD_RE`` word hashes of :func:`profile.words`. The ``EN_CLASSES`` most frequent training
  words have a class each, every other word is class 0; the table is the class-pair pmi (add-½ smoothing),
  int8 in 1/16 nats. Pairs of two class-0 words are skipped (no evidence), so rare or modern words cost
  nothing.

Built from public-domain books by ``scripts/build_fluency_ngram.py`` (data in ``swift_scifi/data/fluency/``,
provenance in ``ngram.json``); measured in docs/rewards.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit

DATA = Path(__file__).resolve().parent.parent / "data" / "fluency" / "ngram.npz"
CLIP = 4.0  # |pmi| of one pair is clipped to this many nats
EN_CLASSES = 1000  # English words with a class of their own (the most frequent in training)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


class NgramModel(NamedTuple):
    """zh: hashed log-count tables (uint8 ``round(8·log2(1+c))``) of characters and character pairs, and the
    corpus size (characters). en: the ``EN_CLASSES`` most frequent words' hashes in an open-addressing
    table (``en_keys``, 0 = empty) with their class 1..K (``en_cls``; every other word is class 0) and the
    class-pair pmi, int8 in 1/16 nats, ``(K+1)²`` row-major (``en_pmi``)."""

    zh_uni: np.ndarray  # 65,536: simplified BMP code point -> count
    zh_types: np.ndarray  # 65,536: code point -> number of distinct characters seen after it
    zh_bi: np.ndarray  # 2**k: hashed (a, b) code point pair -> count
    zh_total: float
    en_keys: np.ndarray  # uint64, power of two
    en_cls: np.ndarray  # uint16, same size
    en_pmi: np.ndarray  # int8, (K+1)**2


@njit(cache=True, inline="always")
def zh_pair_slot(a, b, bits):
    """Bucket of the simplified code point pair (a, b) in a table of 2**bits."""
    key = (np.uint64(a) << np.uint64(21)) | np.uint64(b)
    return ((key * _GOLD) ^ (key >> np.uint64(17))) * _MIX >> np.uint64(64 - bits)


@njit(cache=True, inline="always")
def en_slot(h, mask):
    """First probe of the word hash ``h`` in the open-addressing table (``mask`` = size - 1)."""
    return ((h ^ (h >> np.uint64(31))) * _GOLD >> np.uint64(20)) & mask


@njit(cache=True, inline="always")
def en_class(h, keys, cls):
    """Class of the word hash ``h``: 1..K for the model's K most frequent words, else 0."""
    h = h | np.uint64(1)
    mask = np.uint64(keys.size - 1)
    j = en_slot(h, mask)
    while keys[j] != 0:
        if keys[j] == h:
            return int(cls[j])
        j = (j + np.uint64(1)) & mask
    return 0


DECODE = 2.0 ** (np.arange(256) / 8.0) - 1.0  # stored byte -> count


@njit(cache=True, inline="always")
def decode(q):
    """The count stored as ``q = round(8·log2(1 + c))``."""
    return DECODE[q]


@njit(cache=True, inline="always")
def pair_pmi(c_ab, c_a, t_a, c_b, total):
    """Clipped pmi (nats) of a pair from its counts (Witten-Bell: ``t_a`` distinct followers of a)."""
    p_b = c_b / total
    t = max(t_a, 1.0)
    x = np.log((c_ab + t * p_b) / ((c_a + t) * p_b))
    return min(CLIP, max(-CLIP, x))


@njit(cache=True)
def en_association(word_hashes, keys, cls, pmi, stride):
    """(scored pairs, sum of pmi in nats) over every ``stride``-th adjacent word pair, skipping pairs of two
    words outside the model's frequent classes (content word next to content word: no evidence)."""
    k1 = int(np.sqrt(pmi.size))
    n = 0
    s = 0
    prev = -1
    for i in range(0, word_hashes.size - 1, stride):
        a = en_class(word_hashes[i], keys, cls) if prev < 0 else prev
        b = en_class(word_hashes[i + 1], keys, cls)
        prev = b if stride == 1 else -1
        if a == 0 and b == 0:
            continue
        s += pmi[a * k1 + b]
        n += 1
    return n, s / 16.0


@njit(cache=True, inline="always")
def zh_pmi(a, b, uni, types, bi, bbits, total):
    """pmi of the simplified code point pair (a, b), or NaN when either was never seen."""
    qa = uni[a]
    qb = uni[b]
    if qa == 0 or qb == 0:
        return np.nan
    return pair_pmi(decode(bi[zh_pair_slot(a, b, bbits)]), decode(qa), decode(types[a]), decode(qb), total)


@lru_cache(maxsize=1)
def load_model() -> NgramModel:
    """The shipped model (read once per process, about 2 ms)."""
    with np.load(DATA) as z:
        return NgramModel(*(z[f] if f != "zh_total" else float(z[f]) for f in NgramModel._fields))


def log_count(counts: np.ndarray) -> np.ndarray:
    """uint8 ``round(8·log2(1 + c))`` of counts (capped at 255)."""
    return np.minimum(np.round(8.0 * np.log2(1.0 + counts.astype(np.float64))), 255).astype(np.uint8)
