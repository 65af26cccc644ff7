"""A compact adjacent-pair association model: does the text put its units in an order the language uses?

Both languages give, for an adjacent pair (a, b), the pointwise mutual information in nats,
``pmi = ln P(b|a) / P(b)``, clipped to ``[-CLIP, CLIP]`` so one rare collocation does not dominate. Real prose
has a clearly positive mean over its pairs (function words and collocations follow each other: "of the",
"he was"); frequent words in no grammatical order have a mean near or below 0 whatever their vocabulary (for
pairs drawn independently the expectation is ``−KL ≤ 0``).

- Chinese: characters (traditional mapped to simplified) and the Chinese punctuation marks ``ZH_PUNCT``,
  within a run of them (anything else breaks it). The ``ZH_CLASSES`` most frequent training characters
  (punctuation included: where a comma or full stop may follow or precede a character is strong order
  evidence) have a class each (``zh_id``: any BMP code point, traditional or
  simplified, to its class 1..K, 0 for every other character); the table is the exact pmi of every class
  pair, int8 in 1/16 nats (``K²``, row-major), with Witten-Bell smoothing
  ``P(b|a) = (c_ab + T_a·P(b)) / (c_a + T_a)`` (``T_a`` distinct followers of a) over the exact pair counts.
  A pair with a character outside the classes is not scored.
- English: the ``WORD_RE`` word hashes of :func:`profile.words`. The ``EN_CLASSES`` most frequent training
  words have a class each, every other word is class 0; the table is the class-pair pmi (add-½ smoothing),
  int8 in 1/16 nats. Pairs of two class-0 words are skipped (no evidence), so rare or modern words cost
  nothing.

Built by ``scripts/build_fluency_ngram.py`` from public-domain books (en, zh) and, for modern Chinese, one
half of WritingBench's Chinese queries (Apache-2.0); data in ``swift_scifi/data/fluency/``, provenance in
``ngram.json``; measured in docs/rewards.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..jit import njit

DATA = Path(__file__).resolve().parent.parent / "data" / "fluency" / "ngram.npz"
CLIP = 4.0  # |pmi| of one pair is clipped to this many nats
EN_CLASSES = 1000  # English words with a class of their own (the most frequent in training)
ZH_CLASSES = 1024  # Chinese characters with a class of their own (the most frequent in training)
ZH_PUNCT = "，。、；：？！“”‘’「」『』《》（）…—"  # punctuation counted as units of the Chinese model
_GOLD = np.uint64(0x9E3779B97F4A7C15)


class NgramModel(NamedTuple):
    """zh: code point -> class (``zh_id``), each class's simplified character (``zh_chars``) and the class-pair
    pmi, int8 in 1/16 nats, ``K²`` row-major for classes 1..K (``zh_pmi``). en: the ``EN_CLASSES`` most frequent words' hashes in an open-addressing
    table (``en_keys``, 0 = empty) with their class 1..K (``en_cls``; every other word is class 0) and the
    class-pair pmi, int8 in 1/16 nats, ``(K+1)²`` row-major (``en_pmi``)."""

    zh_id: np.ndarray  # uint16, 65,536: BMP code point (traditional or simplified) -> class 1..K, else 0
    zh_chars: np.ndarray  # uint32, K: the simplified character of class k + 1
    zh_pmi: np.ndarray  # int8, K**2
    en_keys: np.ndarray  # uint64, power of two
    en_cls: np.ndarray  # uint16, same size
    en_pmi: np.ndarray  # int8, (K+1)**2


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


@lru_cache(maxsize=1)
def load_model() -> NgramModel:
    """The shipped model (read once per process, about 2 ms)."""
    with np.load(DATA) as z:
        return NgramModel(*(z[f] for f in NgramModel._fields))
