"""Repetition: n-gram loops (Chinese character n-grams, English word n-grams) and duplicated paragraphs.

``ngram_rate = 1 - unique n-grams / n-grams`` (whitespace ignored for Chinese).
``ngram_penalty = clip((ngram_rate - baseline) / (1 - baseline), 0, 1)``: the first ``repetition_baseline``
of repeats is what ordinary prose has and costs nothing.
``dup_share`` = share of characters in paragraphs (10+ chars) that repeat an earlier paragraph exactly.
Score (0-1, higher is better) = ``(1 - ngram_penalty) * (1 - dup_share)``. Text shorter than n units scores 1.
N-grams are hashed to 64 bits and counted in an open-addressing table by a numba-compiled loop, so one text
costs one pass (the chance of any hash collision among a few thousand n-grams is about 1e-12).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..text.profile import FNV_OFFSET, codepoints, mix
from .config import DEFAULTS, RewardConfig
from .view import TextView

_MIN_PARA = 10


@njit(cache=True)
def _distinct_ngrams(ids, n):
    """(distinct, total) windows of ``n`` consecutive uint64 ids, via an open-addressing hash table."""
    m = ids.size - n + 1
    if m <= 0:
        return 0, 0
    size = 1
    while size < 2 * m:
        size *= 2
    table = np.zeros(size, np.uint64)
    mask = np.uint64(size - 1)
    distinct = 0
    for i in range(m):
        h = FNV_OFFSET
        for k in range(n):
            h = mix(h, ids[i + k])
        h = h | np.uint64(1)  # 0 marks an empty slot
        j = (h ^ (h >> np.uint64(29))) & mask
        while table[j] != 0 and table[j] != h:
            j = (j + np.uint64(1)) & mask
        if table[j] == 0:
            table[j] = h
            distinct += 1
    return distinct, m


@njit(cache=True)
def _visible(cp):
    """``cp`` without ASCII whitespace/controls and the ideographic space, as uint64."""
    out = np.empty(cp.size, np.uint64)
    k = 0
    for c in cp:
        if c > 32 and c != 0x3000:
            out[k] = c
            k += 1
    return out[:k]


def _rate(ids: np.ndarray, n: int) -> float:
    distinct, total = _distinct_ngrams(ids, n)
    return 1.0 - distinct / total if total else 0.0


def char_ngram_rate(text: str | np.ndarray, n: int) -> float:
    """Repeated share of character n-grams (whitespace removed); ``text`` may be a uint32 code point array."""
    cp = text if isinstance(text, np.ndarray) else codepoints(text)
    return _rate(_visible(cp), n)


def word_ngram_rate(word_hashes: np.ndarray, n: int) -> float:
    """Repeated share of word n-grams, from word hashes (``TextView.word_hashes``)."""
    return _rate(word_hashes, n)


def duplicate_share(paragraphs: list[str] | tuple[np.ndarray, np.ndarray]) -> float:
    """Share of characters in paragraphs that exactly repeat an earlier one (paragraphs of 10+ chars).

    ``paragraphs`` is a list of strings or (lengths, hashes) arrays as in ``TextView.paragraphs``."""
    if isinstance(paragraphs, list):
        lengths, keys = [len(p) for p in paragraphs], paragraphs
    else:
        lengths, keys = paragraphs[0].tolist(), paragraphs[1].tolist()
    seen: set = set()
    dup = 0
    for length, key in zip(lengths, keys, strict=True):
        if length < _MIN_PARA:
            continue
        if key in seen:
            dup += length
        seen.add(key)
    total = sum(lengths)
    return dup / total if total else 0.0


def repetition_report(view: TextView, cfg: RewardConfig = DEFAULTS) -> dict:
    """ngram_rate, ngram_penalty, dup_share and score for one text."""
    if view.lang == "zh":
        rate = char_ngram_rate(view.codepoints, cfg.repetition_n_zh)
    else:
        rate = word_ngram_rate(view.word_hashes, cfg.repetition_n_en)
    b = cfg.repetition_baseline
    penalty = min(1.0, max(0.0, (rate - b) / (1 - b)))
    dup = duplicate_share(view.paragraphs[:2])
    return {
        "ngram_rate": rate,
        "ngram_penalty": penalty,
        "dup_share": dup,
        "score": (1 - penalty) * (1 - dup),
    }


def repetition_score(view: TextView, cfg: RewardConfig = DEFAULTS) -> float:
    """Repetition score in [0, 1]; 1 = no loops."""
    return repetition_report(view, cfg)["score"]
