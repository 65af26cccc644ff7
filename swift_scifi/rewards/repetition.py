"""Repetition: n-gram loops (Chinese character n-grams, English word n-grams) and duplicated paragraphs.

``ngram_rate = 1 - unique n-grams / n-grams`` (whitespace ignored for Chinese).
``ngram_penalty = clip((ngram_rate - baseline) / (1 - baseline), 0, 1)``: the first ``repetition_baseline``
of repeats is what ordinary prose has and costs nothing.
``dup_share`` = share of characters in paragraphs (10+ chars) that repeat an earlier paragraph exactly.
Score (0-1, higher is better) = ``(1 - ngram_penalty) * (1 - dup_share)``. Text shorter than n units scores 1.
N-grams are hashed into uint32 with numpy, so one text costs a few vectorised passes.
"""

from __future__ import annotations

import numpy as np

from .config import DEFAULTS, RewardConfig
from .view import TextView

_MIX = np.uint32(0x9E3779B1)  # odd: multiplication mod 2**32 is a bijection
_MIN_PARA = 10


def _rolling(ids: np.ndarray, n: int) -> np.ndarray:
    """uint32 hash of every window of ``n`` consecutive uint32 ids (multiply-xor, wrapping).

    For a few thousand n-grams the chance of any collision is about 1e-3, far below the rates measured.
    """
    m = ids.size - n + 1
    h = ids[:m] * _MIX
    for k in range(1, n):
        h ^= ids[k : k + m]
        h *= _MIX
    return h


def _distinct_rate(ids: np.ndarray, n: int) -> float:
    if ids.size < n:
        return 0.0
    h = _rolling(ids, n)
    h.sort()
    distinct = 1 + int(np.count_nonzero(h[1:] != h[:-1]))
    return 1.0 - distinct / h.size


def char_ngram_rate(text: str | np.ndarray, n: int) -> float:
    """Repeated share of character n-grams (whitespace removed); ``text`` may be a uint32 code point array."""
    ids = text if isinstance(text, np.ndarray) else np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ids = ids[(ids > 32) & (ids != 0x3000)]  # drop ASCII whitespace/controls and the ideographic space
    return _distinct_rate(ids, n)


def word_ngram_rate(words: list[str], n: int) -> float:
    """Repeated share of word n-grams."""
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).astype(np.uint32)
    return _distinct_rate(ids, n)


def duplicate_share(paragraphs: list[str]) -> float:
    """Share of characters in paragraphs that exactly repeat an earlier one (paragraphs of 10+ chars)."""
    seen: set[str] = set()
    dup = total = 0
    for p in paragraphs:
        total += len(p)
        if len(p) < _MIN_PARA:
            continue
        if p in seen:
            dup += len(p)
        seen.add(p)
    return dup / total if total else 0.0


def repetition_report(view: TextView, cfg: RewardConfig = DEFAULTS) -> dict:
    """ngram_rate, ngram_penalty, dup_share and score for one text."""
    if view.lang == "zh":
        rate = char_ngram_rate(view.codepoints, cfg.repetition_n_zh)
    else:
        rate = word_ngram_rate(view.words, cfg.repetition_n_en)
    b = cfg.repetition_baseline
    penalty = min(1.0, max(0.0, (rate - b) / (1 - b)))
    dup = duplicate_share(view.paragraphs)
    return {
        "ngram_rate": rate,
        "ngram_penalty": penalty,
        "dup_share": dup,
        "score": (1 - penalty) * (1 - dup),
    }


def repetition_score(view: TextView, cfg: RewardConfig = DEFAULTS) -> float:
    """Repetition score in [0, 1]; 1 = no loops."""
    return repetition_report(view, cfg)["score"]
