"""Narration markers per third of a text: the counts behind the narrative-person and tense checks.

Narration is the text with quoted dialogue (“…”, 「…」, 『…』, "…" within a line) replaced by one space.
It is cut into thirds by character position; a token or whitespace-separated chunk belongs to the third
where it starts. Per third, English counts:
- units: whitespace-separated chunks;
- first person: tokens i, me, my, mine, myself, we, us, our;
- past: was, were, had, did, said, went, came, saw, knew, thought, felt, or any token of 5+ characters
  ending in -ed;
- present: is, are, has, does, says, goes, looks, comes, sees, knows, thinks, feels, am, or a verb in -s
  (lower-case letters) right after he/she/it.
Tokens are runs of word characters: Python's ``\\w`` in the BMP (``str.isalnum()`` or _), CJK ideographs
above it. Chinese counts characters and 我 per third.
One numba-compiled pass (see :mod:`swift_scifi.text.profile`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..jit import njit
from ..text.profile import FNV_OFFSET, TOKEN, char_class, codepoints, fold, hash_codepoints, is_space, mix

FIRST_PERSON = "i me my mine myself we us our"
PAST = "was were had did said went came saw knew thought felt"
PRESENT = "is are has does says goes looks comes sees knows thinks feels am"
PRONOUNS = "he she it"
_WAS = "was"
_MAX_MARKER = max(len(w) for w in f"{FIRST_PERSON} {PAST} {PRESENT} {PRONOUNS}".split())  # longer: no marker


FIRST, PAST_, PRESENT_, PRONOUN, WAS = 1, 2, 4, 8, 16  # marker category bits


_TABLE_BITS = 7  # the marker table has 128 slots (about 40 words: one probe for almost every token)
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1)
def marker_table() -> tuple[np.ndarray, np.ndarray]:
    """Open-addressing table of the marker words: word hash per slot (0: empty) and the category bits of
    each (slot of hash ``h``: :func:`_slot`, then the next ones)."""
    bits: dict[int, int] = {}
    sets = ((FIRST_PERSON, FIRST), (PAST, PAST_), (PRESENT, PRESENT_), (PRONOUNS, PRONOUN), (_WAS, WAS))
    for words, bit in sets:
        for w in words.split():
            h = int(hash_codepoints(codepoints(w)))
            bits[h] = bits.get(h, 0) | bit
    size = 1 << _TABLE_BITS
    keys, cats = np.zeros(size, np.uint64), np.zeros(size, np.int64)
    for h, b in bits.items():
        j = int(_slot(np.uint64(h)))
        while keys[j]:
            j = (j + 1) % size
        keys[j], cats[j] = h, b
    return keys, cats


@njit(cache=True, inline="always")
def _slot(h):
    return (h * _SPREAD) >> np.uint64(64 - _TABLE_BITS)


@njit(cache=True, inline="always")
def _category(hashes, cats, h):
    """Category bits of the word of hash ``h`` in the :func:`marker_table` (0: not a marker)."""
    j = _slot(h)
    while hashes[j] != 0:
        if hashes[j] == h:
            return cats[j]
        j = (j + np.uint64(1)) & np.uint64(hashes.size - 1)
    return 0


@njit(cache=True, inline="always")
def _is_token_char(c):
    return char_class(c) & TOKEN != 0


@njit(cache=True)
def _closing(cp, i, close, stop_at_newline):
    """Index of the first ``close`` after ``i`` (-1 if none, or if a newline comes first when asked)."""
    for j in range(i + 1, cp.size):
        if cp[j] == close:
            return j
        if stop_at_newline and cp[j] == 0x0A:
            return -1
    return -1


@njit(cache=True)
def narration_codepoints(cp):
    """``cp`` with each quoted span replaced by one space (leftmost spans first, as a regex would)."""
    out = np.empty(cp.size, np.uint32)
    k = 0
    i = 0
    # a failed search for a closing mark fails for every later opening of the same kind
    no_close = np.zeros(3, np.bool_)
    while i < cp.size:
        c = cp[i]
        j = -1
        if c == 0x201C and not no_close[0]:
            j = _closing(cp, i, 0x201D, False)
            no_close[0] = j < 0
        elif c == 0x300C and not no_close[1]:
            j = _closing(cp, i, 0x300D, False)
            no_close[1] = j < 0
        elif c == 0x300E and not no_close[2]:
            j = _closing(cp, i, 0x300F, False)
            no_close[2] = j < 0
        elif c == 0x22:
            j = _closing(cp, i, 0x22, True)
        if j >= 0:
            out[k] = 0x20
            i = j + 1
        else:
            out[k] = c
            i += 1
        k += 1
    return out[:k]


@njit(cache=True)
def quoted_mask(cp):
    """True at every code point inside a quoted span (marks included), the spans of
    :func:`narration_codepoints`."""
    mask = np.zeros(cp.size, np.bool_)
    i = 0
    no_close = np.zeros(3, np.bool_)
    while i < cp.size:
        c = cp[i]
        j = -1
        if c == 0x201C and not no_close[0]:
            j = _closing(cp, i, 0x201D, False)
            no_close[0] = j < 0
        elif c == 0x300C and not no_close[1]:
            j = _closing(cp, i, 0x300D, False)
            no_close[1] = j < 0
        elif c == 0x300E and not no_close[2]:
            j = _closing(cp, i, 0x300F, False)
            no_close[2] = j < 0
        elif c == 0x22:
            j = _closing(cp, i, 0x22, True)
        if j >= 0:
            mask[i : j + 1] = True
            i = j + 1
        else:
            i += 1
    return mask


@njit(cache=True)
def _token_end(nc, i):
    while i < nc.size and _is_token_char(nc[i]):
        i += 1
    return i


@njit(cache=True)
def _s_verb(nc, i):
    """Hash of the lower-case [a-z]+s token after whitespace from ``i`` (0 if there is none)."""
    n = nc.size
    if i >= n or not is_space(nc[i]):
        return np.uint64(0)
    while i < n and is_space(nc[i]):
        i += 1
    e = _token_end(nc, i)
    if e - i < 2 or nc[e - 1] != 0x73:
        return np.uint64(0)
    h = FNV_OFFSET
    for j in range(i, e):
        if not (0x61 <= nc[j] <= 0x7A):
            return np.uint64(0)
        h = mix(h, nc[j])
    return h


@njit(cache=True)
def en_thirds(cp, hashes, cats):
    """int64 (3, 4): per third of the narration, (units, first-person, past, present) counts."""
    nc = narration_codepoints(cp)
    n = nc.size
    out = np.zeros((3, 4), np.int64)
    a, b = n // 3, 2 * n // 3
    i = 0
    while i < n:
        c = nc[i]
        third = 0 if i < a else (1 if i < b else 2)
        if not is_space(c) and (i == 0 or is_space(nc[i - 1])):
            out[third, 0] += 1
        if not _is_token_char(c):
            i += 1
            continue
        e = _token_end(nc, i)
        if e - i >= 5 and fold(nc[e - 2]) == 0x65 and fold(nc[e - 1]) == 0x64:  # -ed
            out[third, 2] += 1
            i = e
            continue
        if e - i > _MAX_MARKER:
            i = e
            continue
        h = FNV_OFFSET
        for j in range(i, e):
            h = mix(h, fold(nc[j]))
        cat = _category(hashes, cats, h)
        if cat & FIRST:
            out[third, 1] += 1
        if cat & PAST_:
            out[third, 2] += 1
        if cat & PRESENT_:
            out[third, 3] += 1
        elif cat & PRONOUN:
            v = _s_verb(nc, e)
            if v != 0 and _category(hashes, cats, v) & (PRESENT_ | WAS) == 0:
                out[third, 3] += 1
        i = e
    return out


@njit(cache=True)
def zh_thirds(cp):
    """int64 (3, 2): per third of the narration, (characters, 我) counts."""
    nc = narration_codepoints(cp)
    n = nc.size
    out = np.zeros((3, 2), np.int64)
    a, b = n // 3, 2 * n // 3
    out[0, 0], out[1, 0], out[2, 0] = a, b - a, n - b
    for i in range(n):
        if nc[i] == 0x6211:
            out[0 if i < a else (1 if i < b else 2), 1] += 1
    return out


def narration_thirds(cp: np.ndarray, lang: str) -> np.ndarray:
    """Per-third marker counts of a code point array: en (3, 4) units/first/past/present, zh (3, 2)
    characters/我."""
    if lang == "zh":
        return zh_thirds(cp)
    return en_thirds(cp, *marker_table())
