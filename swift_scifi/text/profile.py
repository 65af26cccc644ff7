"""One compiled pass over a text's code points: language counts, English words, sentences, paragraphs.

The same units as the regex-based functions in :mod:`swift_scifi.text` (``WORD_RE``, ``count_length``,
``detect_lang``, ``split_sentences``, paragraphs), computed by numba-compiled loops over a uint32 code point
array so that a 4,000-character text costs microseconds. Words and openings are reported as 64-bit
FNV-1a hashes of their lower-cased characters (Latin-1 and Latin Extended-A case pairs folded), which is
what repetition and variety checks compare. ``tests/foundation/test_text_profile.py`` checks the
equivalence with the regex forms on the real corpus.

Compiled on first use (about 2-4 s) and cached on disk by numba (``NUMBA_CACHE_DIR`` to move the cache).
"""

from __future__ import annotations

import numpy as np

from ..jit import njit

FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)
LANG_SAMPLE = 1000  # characters read by language detection (as detect_lang(text, sample_chars=1000))
# Characters skipped before a sentence's opening (quotes, dashes, brackets, ellipses, spaces)
OPEN_PUNCT = "“”\"'「」『』‘’—-…*(（【[ \t"
# the same set as a BMP table (True: an opening mark), a constant of the compiled sentence pass: one load per
# character instead of a binary search of the sorted marks (about 15% of that pass on Chinese text)
OPEN_TABLE = np.zeros(0x10000, dtype=np.bool_)
OPEN_TABLE[[ord(c) for c in OPEN_PUNCT]] = True


def codepoints(text: str) -> np.ndarray:
    """``text`` as a uint32 array of code points (lone surrogates kept as their code points)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


CJK, LATIN, DIGIT, SPACE, TOKEN = 1, 2, 4, 8, 16  # character class bits
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # BMP part of scripts.CJK_CHAR


def _class_table() -> np.ndarray:
    """Class bits of every BMP code point: one load per character in the compiled loops."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in _CJK_RANGES:
        table[lo : hi + 1] |= CJK
    for lo, hi in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F)):
        table[lo : hi + 1] |= LATIN
    table[0x30:0x3A] |= DIGIT
    for c in range(0x3001):
        if chr(c).isspace():
            table[c] |= SPACE
    # token characters (narration markers): Python's \w, i.e. str.isalnum() or _
    token = np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=bool, count=0x10000)
    token[0x5F] = True
    table[token] |= TOKEN
    return table


CLASS = _class_table()


@njit(cache=True, inline="always")
def char_class(c):
    """Class bits of code point ``c`` (above the BMP, only CJK Ext B-F ideographs have any)."""
    if c < 0x10000:
        return CLASS[c]
    return CJK | TOKEN if 0x20000 <= c <= 0x2EBEF else 0


# The predicates below test ranges before reading the 64 KB class table, so that the ideographs that make
# up most of a Chinese text never load it: the table's lines for the text's other characters then stay
# cached (the same answers as ``char_class(c) & BIT``; ``test_text_profile`` checks every code point).
@njit(cache=True, inline="always")
def is_cjk(c):
    """CJK ideograph (Unified, Ext A, Compatibility, Ext B-F): the ranges of ``scripts.CJK_CHAR``."""
    if c < 0x3400:
        return False
    if c <= 0x9FFF:
        return c >= 0x4E00 or c <= 0x4DBF
    return 0xF900 <= c <= 0xFAFF or 0x20000 <= c <= 0x2EBEF


@njit(cache=True, inline="always")
def is_latin_letter(c):
    return c <= 0x24F and CLASS[c] & LATIN != 0


@njit(cache=True, inline="always")
def is_word_char(c):
    """A character of ``WORD_RE``'s runs: ASCII letters and digits, U+00C0-U+024F."""
    return c <= 0x24F and CLASS[c] & (LATIN | DIGIT) != 0


@njit(cache=True, inline="always")
def is_space(c):
    """Python's ``str.isspace``."""
    return c <= 0x3000 and CLASS[c] & SPACE != 0


@njit(cache=True, inline="always")
def fold(c):
    """Lower-case of a Latin code point (ASCII, Latin-1, Latin Extended-A pairs); others unchanged."""
    if 0x41 <= c <= 0x5A or (0xC0 <= c <= 0xDE and c != 0xD7):
        return c + 32
    if 0x100 <= c <= 0x17F and c % 2 == 0 and c != 0x138:
        return c + 1
    return c


@njit(cache=True, inline="always")
def mix(h, c):
    """One FNV-1a step (64-bit, wrapping)."""
    return (h ^ np.uint64(c)) * FNV_PRIME


@njit(cache=True)
def hash_codepoints(cp):
    """FNV-1a hash of the folded code points ``cp``: what :func:`words` reports for a word."""
    h = FNV_OFFSET
    for c in cp:
        h = mix(h, fold(c))
    return h


@njit(cache=True, inline="always")
def _is_punct_block(c):
    """General punctuation, CJK symbols and punctuation, full-width punctuation: no cased letters."""
    return (0x2000 <= c <= 0x206F) or (0x3000 <= c <= 0x303F) or (0xFF00 <= c <= 0xFF20)


# Punctuation marks counted in the same pass (quotes, dashes, ellipses, exclamation marks)
MARKS = "“”「」『』\"'—…！!？?"
# Marks whose doubled and tripled forms are counted too ("...", "。。", "--", "```"), as ``str.count`` does:
# a run of L marks holds L // 2 doubles and L // 3 triples
RUN_MARKS = ".。-`"
_MARK_INDEX = np.zeros(0x10000, dtype=np.uint8)  # code point -> 1 + index in MARKS (0: not a mark)
_MARK_INDEX[[ord(m) for m in MARKS]] = np.arange(1, len(MARKS) + 1)
_RUN_INDEX = np.zeros(0x10000, dtype=np.uint8)  # code point -> 1 + index in RUN_MARKS (0: none)
_RUN_INDEX[[ord(m) for m in RUN_MARKS]] = np.arange(1, len(RUN_MARKS) + 1)


@njit(cache=True, inline="always")
def _end_run(runs, mark, length):
    """Add a run of ``length`` copies of run mark ``mark`` to ``runs`` (its doubles and triples)."""
    slot = 2 * (_RUN_INDEX[mark] - 1)
    runs[slot] += length // 2
    runs[slot + 1] += length // 3


MARK_KEYS = tuple(MARKS) + tuple(m * k for m in RUN_MARKS for k in (2, 3))  # the order of words' marks
# per-word flag bits of :func:`words` (digits, Latin letters and capitals inside Chinese: numbers, units,
# acronyms and names are language there, fragments glued to ideographs are not)
WORD_DIGIT, WORD_LATIN, WORD_UPPER, WORD_CJK_BEFORE, WORD_CJK_AFTER = 1, 2, 4, 8, 16


@njit(cache=True)
def words(cp):
    """(CJK count, CJK in the first 1,000, Latin letters in the first 1,000, word hashes, cased, marks, casing,
    flags) of ``cp``.

    Words follow ``WORD_RE``: runs of word characters joined by single inner ' ’ or -. ``cased`` counts
    characters that ``str.lower`` might change (conservatively: A-Z, and letters from U+00C0 up that are
    not CJK); when it is 0 the text is its own lower-case form. ``marks``: ``text.count(key)`` for each of
    ``MARK_KEYS``, in that order, counted in the same pass. ``casing``: how many A-Z the text holds when those
    are the only characters ``str.lower`` can change (every code point from U+0080 up lies in a block with no
    lower-case mapping: Latin-1 punctuation, general and CJK punctuation, CJK ideographs and Ext A,
    full-width punctuation before the full-width letters), else -1 (conservative). ``flags``: uint8 per word,
    aligned with the hashes, of ``WORD_DIGIT`` (holds 0-9), ``WORD_LATIN`` (holds a Latin letter), ``WORD_UPPER``
    (holds an upper-case letter: acronym, name), ``WORD_CJK_BEFORE`` / ``WORD_CJK_AFTER`` (the nearest CJK
    ideograph or Latin letter before / after the word, skipping everything else, is an ideograph: a
    script switch at that side when the word holds a Latin letter).
    """
    n = cp.size
    cjk = 0
    cased = 0
    upper = 0  # A-Z
    wide = 0  # code points from U+0080 up outside the blocks without lower-case mappings
    cjk_head = 0  # CJK ideographs and Latin letters among the first LANG_SAMPLE code points, counted in the
    latin_head = 0  # main loop below (every CJK ideograph passes one of its CJK tests, every Latin letter its
    # word loop's LATIN test)
    out = np.empty(n // 2 + 1, np.uint64)
    flags = np.empty(n // 2 + 1, np.uint8)
    last_cjk = False  # the last CJK ideograph or Latin letter seen was an ideograph
    pending = -1  # the last word with a Latin letter when no ideograph or Latin letter followed it yet
    marks = np.zeros(len(MARKS) + 1, np.int64)  # [0]: not a mark
    runs = np.zeros(2 * len(RUN_MARKS), np.int64)
    prev = 0  # the run mark of the current run (0: none) and its length
    length = 0
    k = 0
    i = 0
    while i < n:
        c = cp[i]
        # fast paths for the commonest characters (the general path below gives the same counts for them)
        if 0x4E00 <= c <= 0x9FFF:  # a run of CJK Unified ideographs: not marks, end any run of a mark
            j = i + 1
            while j < n and 0x4E00 <= cp[j] <= 0x9FFF:
                j += 1
            cjk += j - i
            if i < LANG_SAMPLE:
                cjk_head += min(j, LANG_SAMPLE) - i
            i = j
            last_cjk = True
            if pending >= 0:
                flags[pending] |= WORD_CJK_AFTER
                pending = -1
            if length:
                _end_run(runs, prev, length)
                prev = 0
                length = 0
            continue
        if c == 0x20:  # a space: not a mark, ends any run of a mark
            i += 1
            if length:
                _end_run(runs, prev, length)
                prev = 0
                length = 0
            continue
        if not is_word_char(c):
            r = 0
            if is_cjk(c):
                cjk += 1
                cjk_head += i < LANG_SAMPLE
                wide += c > 0x9FFF  # compatibility ideographs, Ext B-F
                last_cjk = True
                if pending >= 0:
                    flags[pending] |= WORD_CJK_AFTER
                    pending = -1
            else:
                if c >= 0xC0 and not (is_space(c) or _is_punct_block(c)):
                    cased += 1
                if c >= 0x80 and not (c <= 0xBF or _is_punct_block(c)):
                    wide += 1
                if c < 0x10000:
                    marks[_MARK_INDEX[c]] += 1
                    r = _RUN_INDEX[c]
            i += 1
            if r != 0 and c == prev:
                length += 1
                continue
            if length:
                _end_run(runs, prev, length)
            prev = c if r else 0
            length = 1 if r else 0
            continue
        if length:
            _end_run(runs, prev, length)
            prev = 0
            length = 0
        h = FNV_OFFSET
        f = WORD_CJK_BEFORE if last_cjk else 0
        while i < n:
            c = cp[i]
            if 0x61 <= c <= 0x7A:  # a-z: the general branch below for them, without its table and tests
                f |= WORD_LATIN
                latin_head += i < LANG_SAMPLE
                h = mix(h, c)
                i += 1
                continue
            cls = char_class(c)
            if cls & (LATIN | DIGIT):
                f |= WORD_DIGIT if cls & DIGIT else WORD_LATIN | (WORD_UPPER if fold(c) != c else 0)
                latin_head += i < LANG_SAMPLE and cls & LATIN != 0
                cased += c <= 0x5A or c >= 0xC0
                upper += np.uint32(c - 0x41) < 26
                wide += c >= 0x80
                h = mix(h, fold(c))
                i += 1
            elif (c == 0x27 or c == 0x2019 or c == 0x2D) and i + 1 < n and is_word_char(cp[i + 1]):
                marks[_MARK_INDEX[c]] += 1  # ' is a mark; a joining - is a run of one
                h = mix(h, c)
                i += 1
            else:
                break
        out[k] = h
        flags[k] = f
        if f & WORD_LATIN:
            last_cjk = False
            pending = k
        k += 1
    if length:
        _end_run(runs, prev, length)
    casing = upper if wide == 0 else -1
    # copies of the used part: a view keeps what it is given, and a slice would keep the whole buffer
    return (
        *(cjk, cjk_head, latin_head, out[:k].copy(), cased, np.concatenate((marks[1:], runs)), casing),
        flags[:k].copy(),
    )


@njit(cache=True, inline="always")
def _is_zh_end(c):
    return c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0x21 or c == 0x3F  # 。！？!?


@njit(cache=True, inline="always")
def _is_zh_close(c):
    return c == 0x201D or c == 0x2019 or c == 0x300D or c == 0x300F or c == 0xFF09 or c == 0x29  # ”’」』）)


@njit(cache=True, inline="always")
def _is_en_end(c):
    return c == 0x2E or c == 0x21 or c == 0x3F  # . ! ?


@njit(cache=True, inline="always")
def _is_en_close(c):
    return c == 0x22 or c == 0x27 or c == 0x201D or c == 0x2019 or c == 0x29 or c == 0x5D  # " ' ” ’ ) ]


@njit(cache=True)
def _zh_sentence_end(cp, i):
    """End (exclusive) of the zh sentence starting at ``i``: ``split_sentences``' zh regex."""
    n = cp.size
    while i < n and not (_is_zh_end(cp[i]) or cp[i] == 0x2026):
        i += 1
    if i < n and cp[i] == 0x2026:  # …+
        while i < n and cp[i] == 0x2026:
            i += 1
    else:
        while i < n and _is_zh_end(cp[i]):
            i += 1
    while i < n and _is_zh_close(cp[i]):
        i += 1
    return i


@njit(cache=True)
def _en_sentence_end(cp, i):
    """End (exclusive) of the en sentence starting at non-space ``i``: a run of .!? (plus closers) that is
    followed by whitespace or the end of text ends it; other runs are part of the sentence."""
    n = cp.size
    i += 1
    while i < n:
        if _is_en_end(cp[i]):
            while i < n and _is_en_end(cp[i]):
                i += 1
            while i < n and _is_en_close(cp[i]):
                i += 1
            if i == n or is_space(cp[i]):
                return i
        else:
            i += 1
    return n


@njit(cache=True, inline="always")
def _is_open(c):
    """One of :data:`OPEN_PUNCT`."""
    return c < 0x10000 and OPEN_TABLE[c]


@njit(cache=True)
def _opening(cp, s, e, zh):
    """Hash of a stripped sentence's opening (zh: first two characters, en: first word of letters and
    apostrophes, lower-cased) after leading quotes and dashes (:data:`OPEN_PUNCT`); 0 when there is none."""
    while s < e and _is_open(cp[s]):
        s += 1
    h = FNV_OFFSET
    k = 0
    if zh:
        while s < e and k < 2:
            h = mix(h, fold(cp[s]))
            s += 1
            k += 1
    else:
        while s < e and (is_latin_letter(cp[s]) or cp[s] == 0x27):
            h = mix(h, fold(cp[s]))
            s += 1
            k += 1
    return h if k else np.uint64(0)


@njit(cache=True)
def sentences(cp, zh):
    """(lengths, opening hashes) of the sentences of ``split_sentences(text, lang)``: stripped lengths in
    characters and the opening hash of each (0 where a sentence has no opening)."""
    n = cp.size
    lengths = np.empty(n, np.int64)  # a zh sentence can be one character
    openings = np.empty(n, np.uint64)
    k = 0
    i = 0
    while i < n:
        if zh:
            e = _zh_sentence_end(cp, i)
            s = i
            i = e if e > i else i + 1
        else:
            if is_space(cp[i]):
                i += 1
                continue
            s = i
            e = _en_sentence_end(cp, i)
            i = e
        while s < e and is_space(cp[s]):
            s += 1
        while e > s and is_space(cp[e - 1]):
            e -= 1
        if e > s:
            lengths[k] = e - s
            openings[k] = _opening(cp, s, e, zh)
            k += 1
    return lengths[:k].copy(), openings[:k].copy()  # not the n-sized buffers


@njit(cache=True, inline="always")
def _feed_block(c, h, length, runs, pending, zh):
    """One character of a block into its (hash, normalised length, spaces, pending space) state: whitespace
    runs collapse to one space (en) or vanish (zh), leading and trailing ones are dropped, and carriage
    returns are neither."""
    if c == 0x0D:
        return h, length, runs, pending
    if is_space(c):
        return h, length, runs, length > 0
    if pending and not zh:
        runs += 1
        h = mix(h, 0x20)
        length += 1
    return mix(h, c), length + 1, runs, False


@njit(cache=True)
def _block_stats(cp, s, e, zh):
    """(normalised length, hash, spaces) of ``cp[s:e]`` with whitespace runs collapsed to one space (en) or
    removed (zh) and the ends stripped."""
    h = FNV_OFFSET
    length = 0
    runs = 0
    pending = False
    for j in range(s, e):
        h, length, runs, pending = _feed_block(cp[j], h, length, runs, pending, zh)
    return length, h, runs


# Hard-wrapped text (lines cut at a fixed width, paragraphs not separated by blank lines): the widest line
# but the last (which ends the text, not a wrap) is between these many characters, and at least this share
# of the line breaks fall where the next line's first word would not have fitted on the line within that
# width (a writer's break leaves room; a wrap does not).
WRAP_WIDTH = (20, 120)
WRAP_SHARE = 0.75


@njit(cache=True, inline="always")
def _first_word(cp, s, e):
    """Characters of the first word of the stripped line ``cp[s:e]``: its leading run of characters that are
    neither whitespace nor CJK ideographs (1 when the line starts with an ideograph)."""
    j = s
    while j < e and not is_space(cp[j]) and not is_cjk(cp[j]):
        j += 1
    return max(1, j - s)


@njit(cache=True)
def _hard_wrapped(cp, starts, ends, k):
    """Whether the ``k`` stripped lines ``cp[starts[j]:ends[j]]`` are one text hard-wrapped at a fixed width
    (see ``WRAP_WIDTH``, ``WRAP_SHARE``); fewer than 3 lines never are."""
    if k < 3:
        return False
    width = 0
    for j in range(k - 1):
        width = max(width, ends[j] - starts[j])
    if width < WRAP_WIDTH[0] or width > WRAP_WIDTH[1]:
        return False
    wraps = 0
    for j in range(k - 1):
        wraps += ends[j] - starts[j] + 1 + _first_word(cp, starts[j + 1], ends[j + 1]) > width
    return wraps >= WRAP_SHARE * (k - 1)


def hard_wrapped(lines: list[str]) -> bool:
    """:func:`_hard_wrapped` on stripped, non-empty lines (Python strings): the same rule for tests and spans."""
    ends = np.cumsum([len(line) + 1 for line in lines], dtype=np.int64) - 1
    starts = ends - np.array([len(line) for line in lines], dtype=np.int64)
    return bool(_hard_wrapped(codepoints("\n".join(lines)), starts, ends, len(lines)))


@njit(cache=True)
def paragraphs(cp, zh):
    """(lengths, hashes, inner whitespace runs) of the paragraphs: blocks between blank lines ("\\n\\n",
    carriage returns ignored) with whitespace normalised; a text with at most one such block uses its
    non-blank lines, stripped, instead, unless they are hard-wrapped (:func:`hard_wrapped`): then the text is
    one paragraph, as it would be among other blocks (so text added after a blank line never splits it
    differently)."""
    n = cp.size
    lengths = np.empty(n // 2 + 2, np.int64)
    hashes = np.empty(n // 2 + 2, np.uint64)
    runs = np.empty(n // 2 + 2, np.int64)
    k = 0
    # one pass: each block's stats as :func:`_block_stats` computes them, fed character by character; the
    # first newline of a separator is fed as whitespace, which only marks a pending space (dropped at the end)
    h = FNV_OFFSET
    length = 0
    r = 0
    pending = False
    prev_nl = False  # the last character but carriage returns was a newline not yet part of a separator
    for i in range(n + 1):
        if i < n:
            c = cp[i]
            if not zh and 0x21 <= c <= 0x7E:  # printable ASCII in English: _feed_block's step for a visible
                # character, without its table and tests (in Chinese text this branch costs more than it saves)
                prev_nl = False
                if pending:
                    r += 1
                    h = mix(h, 0x20)
                    length += 1
                pending = False
                h = mix(h, c)
                length += 1
                continue
            if c == 0x0D:  # carriage returns are dropped, not spaces
                continue
            if c != 0x0A:
                prev_nl = False
                h, length, r, pending = _feed_block(c, h, length, r, pending, zh)
                continue
            if not prev_nl:
                prev_nl = True
                pending = length > 0
                continue
            prev_nl = False
        if length:
            lengths[k] = length
            hashes[k] = h
            runs[k] = r
            k += 1
        h = FNV_OFFSET
        length = 0
        r = 0
        pending = False
    if k > 1:
        return lengths[:k].copy(), hashes[:k].copy(), runs[:k].copy()  # not the n-sized buffers
    starts = np.empty(n // 2 + 2, np.int64)  # lines, stripped
    ends = np.empty(n // 2 + 2, np.int64)
    k = 0
    start = 0
    for i in range(n + 1):
        if i < n and cp[i] != 0x0A:
            continue
        s, e = start, i
        while s < e and is_space(cp[s]):
            s += 1
        while e > s and is_space(cp[e - 1]):
            e -= 1
        if e > s:
            starts[k] = s
            ends[k] = e
            k += 1
        start = i + 1
    if _hard_wrapped(cp, starts, ends, k):
        length, h, r = _block_stats(cp, 0, n, zh)
        lengths[0] = length
        hashes[0] = h
        runs[0] = r
        return lengths[:1].copy(), hashes[:1].copy(), runs[:1].copy()
    for j in range(k):  # inner whitespace kept
        h = FNV_OFFSET
        r = 0
        for q in range(starts[j], ends[j]):
            h = mix(h, cp[q])
            r += cp[q] == 0x20
        lengths[j] = ends[j] - starts[j]
        hashes[j] = h
        runs[j] = r
    return lengths[:k].copy(), hashes[:k].copy(), runs[:k].copy()
