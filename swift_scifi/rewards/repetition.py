"""Repetition: n-gram loops (Chinese character n-grams, English word n-grams) and duplicated paragraphs,
measured in the densest stretch of the text, so that the score neither falls with length (ordinary prose
reuses words over pages) nor rises when neutral text is added (no dilution incentive).

An n-gram (whitespace ignored for Chinese) is *repeated* when the same n-gram started fewer than ``W``
units earlier (``W`` = ``repetition_window_zh`` characters / ``repetition_window_en`` words: a loop
repeats close by; vocabulary reuse over pages is not a loop).
``ngram_rate`` = the largest number of repeated n-grams among any ``W`` consecutive n-grams, over
``min(W, n-grams in the text)``: a count of nearby repeats in a stretch of fixed size, so text added before
or after never lowers it once the text holds ``W`` units (a shorter text is one stretch).
``ngram_penalty = clip((ngram_rate - baseline) / (1 - baseline), 0, 1)``: up to ``repetition_baseline`` of
repeats in one stretch is what ordinary prose has (the 99.9th percentile of 1,000-character / 250-word
stretches of the shared corpus is 0.11 zh for 8-grams, 0.07 en for 3-grams) and costs nothing.
``dup_share`` = characters of paragraphs (20+ chars) that exactly repeat one that ended fewer than
``repetition_dup_window`` characters earlier, in the densest stretch of that many characters (hits whose
ends lie within it), over ``min(window, text characters)``, capped at 1.
Score (0-1, higher is better) = ``(1 - ngram_penalty) * (1 - dup_share)``. Text shorter than n units scores 1.
N-grams are hashed to 64 bits (a rolling hash: one multiply per n-gram, whatever n) and counted in an
open-addressing table (with each n-gram's last position) by a numba-compiled loop, so one text costs one pass (the chance of any hash collision among a few
thousand n-grams is about 1e-12).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..text.profile import codepoints
from .config import DEFAULTS, RewardConfig
from .view import TextView

_MIN_PARA = 20  # shorter lines are refrains and formulae (“是。”他说。), not paragraph loops


_ROLL = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling n-gram hash
_SPREAD = np.uint64(0xBF58476D1CE4E5B9)  # odd multiplier that spreads a hash's bits into the table index


@njit(cache=True)
def _local_repeats(ids, n, window):
    """(repeated, total, densest) windows of ``n`` consecutive uint64 ids, where a window is repeated when the
    same n-gram started fewer than ``window`` positions earlier (``window`` <= 0: anywhere earlier), and
    ``densest`` is the largest number of repeated ones among any ``window`` consecutive n-grams (``window``
    <= 0: all). N-grams are keyed by a rolling polynomial hash (one multiply per position, mod 2^64) in an
    open-addressing table with the last position of each."""
    m = ids.size - n + 1
    if m <= 0:
        return 0, 0, 0
    size = 1
    bits = 0
    while size < 2 * m:
        size *= 2
        bits += 1
    table = np.zeros(size, np.uint64)
    last = np.zeros(size, np.int64)
    flags = np.zeros(m, np.uint8)
    mask = np.uint64(size - 1)
    shift = np.uint64(64 - bits) if bits else np.uint64(63)
    top = np.uint64(1)  # _ROLL ** (n - 1): the weight of the id that leaves the window
    h = np.uint64(0)
    for k in range(n):
        h = h * _ROLL + ids[k]
        if k:
            top = top * _ROLL
    repeated = 0
    running = 0
    densest = 0
    for i in range(m):
        if i:
            h = (h - ids[i - 1] * top) * _ROLL + ids[i + n - 1]
        key = h | np.uint64(1)  # 0 marks an empty slot
        j = ((key * _SPREAD) >> shift) & mask
        while table[j] != 0 and table[j] != key:
            j = (j + np.uint64(1)) & mask
        if table[j] == key and (window <= 0 or i - last[j] < window):
            repeated += 1
            running += 1
            flags[i] = 1
        if window > 0 and i >= window:
            running -= flags[i - window]
        densest = max(densest, running)
        table[j] = key
        last[j] = i
    return repeated, m, densest


@njit(cache=True)
def _visible(cp):
    """``cp`` without ASCII whitespace/controls and the ideographic space, as uint64 (branch-free copy)."""
    out = np.empty(cp.size, np.uint64)
    k = 0
    for i in range(cp.size):
        c = cp[i]
        out[k] = c
        k += (c > 32) & (c != 0x3000)
    return out[:k]


def _rate(ids: np.ndarray, n: int, window: int) -> float:
    repeated, total, densest = _local_repeats(ids, n, window)
    if not total:
        return 0.0
    return densest / min(window, total) if window > 0 else repeated / total


def char_ngram_rate(text: str | np.ndarray, n: int, window: int = 0) -> float:
    """Share of character n-grams (whitespace removed) that repeat one starting fewer than ``window``
    characters earlier, in the densest stretch of ``window`` n-grams (0: share over the whole text of those
    repeating one anywhere earlier); ``text`` may be a uint32 code point array."""
    cp = text if isinstance(text, np.ndarray) else codepoints(text)
    return _rate(_visible(cp), n, window)


def word_ngram_rate(word_hashes: np.ndarray, n: int, window: int = 0) -> float:
    """Share of word n-grams that repeat one starting fewer than ``window`` words earlier, in the densest
    stretch of ``window`` n-grams (0: over the whole text, repeats anywhere), from word hashes
    (``TextView.word_hashes``)."""
    return _rate(word_hashes, n, window)


def duplicate_share(paragraphs: list[str] | tuple[np.ndarray, np.ndarray], window: int = 0) -> float:
    """Characters in paragraphs (20+ chars) that exactly repeat one ending fewer than ``window`` characters
    earlier (so a refrain chapters apart is not a loop), in the densest stretch of ``window`` characters
    (the repeats whose ends lie within it), over ``min(window, text characters)``, capped at 1; ``window``
    0: share of the whole text of the paragraphs repeating one anywhere earlier.

    ``paragraphs`` is a list of strings or (lengths, hashes) arrays as in ``TextView.paragraphs``."""
    if isinstance(paragraphs, list):
        lengths, keys = [len(p) for p in paragraphs], paragraphs
    else:
        lengths, keys = paragraphs[0].tolist(), paragraphs[1].tolist()
    seen: dict = {}  # paragraph -> character offset of the end of its last occurrence
    dups: list[tuple[int, int]] = []  # (end offset, length) of each repeat
    pos = 0
    for length, key in zip(lengths, keys, strict=True):
        if length >= _MIN_PARA:
            end = seen.get(key)
            if end is not None and (window <= 0 or pos - end < window):
                dups.append((pos + length, length))
            seen[key] = pos + length
        pos += length
    if not pos or not dups:
        return 0.0
    if window <= 0:
        return sum(n for _, n in dups) / pos
    best = total = lo = 0
    for end, n in dups:
        total += n
        while dups[lo][0] <= end - window:
            total -= dups[lo][1]
            lo += 1
        best = max(best, total)
    return min(1.0, best / min(window, pos))


def repetition_report(view: TextView, cfg: RewardConfig = DEFAULTS) -> dict:
    """ngram_rate, ngram_penalty, dup_share and score for one text."""
    if view.lang == "zh":
        rate = char_ngram_rate(view.codepoints, cfg.repetition_n_zh, cfg.repetition_window_zh)
    else:
        rate = word_ngram_rate(view.word_hashes, cfg.repetition_n_en, cfg.repetition_window_en)
    b = cfg.repetition_baseline
    penalty = min(1.0, max(0.0, (rate - b) / (1 - b)))
    dup = duplicate_share(view.paragraphs[:2], cfg.repetition_dup_window)
    return {
        "ngram_rate": rate,
        "ngram_penalty": penalty,
        "dup_share": dup,
        "score": (1 - penalty) * (1 - dup),
    }


def repetition_score(view: TextView, cfg: RewardConfig = DEFAULTS) -> float:
    """Repetition score in [0, 1]; 1 = no loops."""
    return repetition_report(view, cfg)["score"]
