"""Fluency: is the completion language at all? Catches random tokens, lorem ipsum, mixed-script soup,
replacement characters and endless punctuation, which the other rule rewards cannot see.

One numba-compiled pass over the code points (:func:`char_counts`, which also gives LongWriter's length
units to :mod:`length`) counts (units in parentheses):
- ``bad`` (characters): U+FFFD, control characters other than tab/newline/CR, private use, surrogates;
- ``letters`` (characters): CJK, Latin and other-script letters and digits, among visible characters;
- ``other`` (characters): letters of scripts other than Latin and CJK (kana, Cyrillic, Greek, …; not the
  full-width forms of Latin letters and digits);
- English words (the ``WORD_RE`` units of :mod:`profile`, reused from the view) and how many are ``known``:
  among the 50,000 most frequent English words of ``wordfreq`` (apostrophe forms ' and ’ both), or a number
  below 10,000; a hyphenated compound absent from the list counts as unknown; above 512 words, an evenly
  spread sample of about 512 is looked up;
- CJK characters and adjacent CJK pairs, and how many pairs are ``known``: the pair occurs inside one of
  the 300,000 most frequent Chinese words of ``wordfreq`` (traditional characters mapped to simplified
  with OpenCC's table first); a 2**23-bit set, so about 2.5% of unknown pairs pass as known; every
  ``max(1, len // PAIR_SAMPLE)``-th pair is looked up (about 256 per text);
- ``switches``: changes between a CJK and a Latin letter, skipping other characters (per 1,000 visible).
- ``script`` (only when the row declares its language, the ``lang`` column): share of letters in that
  language's script (CJK for zh; Latin and digits for en). A Chinese prompt answered in English word salad
  reads as fluent English to the checks above; a GRPO policy found exactly that in 24 steps
  (docs/results.md), so an answer in the wrong script is not language *for this row*.

- word order (``order_en``, ``order_zh``): the mean pointwise mutual information (nats) of adjacent units
  under the compact corpus model of :mod:`swift_scifi.text.ngram`: English word pairs with at least one
  frequent word (every ``max(1, words // 256)``-th pair); Chinese pairs of frequent characters and
  punctuation marks that lie inside no known word (word boundaries; every ``max(1, len // ORDER_SAMPLE)``-th
  pair; a pair in a line that is not prose, one without a sentence mark or a list item, weighs a third of
  one in a prose line, see ``PROSE_LINE_WEIGHT``). Prose is clearly positive; frequent words in no
  grammatical order are well below 0 whatever their vocabulary (measured leave-one-book-out in
  docs/rewards.md).

Each feature becomes a factor in [0, 1] by a linear ramp between a "fluent" and a "not language" point
(table ``RAMPS``; shares are shrunk towards a fluent prior so that a short text is not judged on a few
units). **score = product of the factors** (0-1, higher is better): 1.0 on clean human prose, near 0 on
gibberish. Measured on the shared corpus and gibberish in docs/rewards.md.

Resources: ``wordfreq`` (code Apache-2.0, word lists CC-BY-SA 4.0; read at run time, nothing derived is
shipped), OpenCC's character table from ``opencc-python-reimplemented`` (Apache-2.0) and the order model
``data/fluency/ngram.npz``, counted from public-domain books and half of WritingBench's Chinese queries
(Apache-2.0; ``scripts/build_fluency_ngram.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..jit import njit
from ..text.ngram import en_association, load_model
from ..text.profile import (
    CJK,
    CLASS,
    FNV_OFFSET,
    LATIN,
    SPACE,
    TOKEN,
    WORD_CJK_AFTER,
    WORD_CJK_BEFORE,
    WORD_DIGIT,
    WORD_LATIN,
    WORD_UPPER,
    fold,
    is_word_char,
    mix,
)
from .view import TextView

EN_WORDS = 50_000  # most frequent English words of wordfreq taken as the lexicon
ZH_WORDS = 300_000  # most frequent Chinese words whose inner character pairs are "known"
PAIR_BITS = 23  # size of the Chinese pair bit set (2**23 bits = 1 MiB)
PAIR_SAMPLE = 256  # adjacent CJK pairs looked up per text, evenly spread (all of them in a short text)
ORDER_SAMPLE = 512  # adjacent CJK pairs scored for word order per text, evenly spread
KNOWN_PAIR = -128  # entry of the runtime zh order table: the pair lies inside a known word, not scored
# A zh order pair in a prose line (one with a sentence mark, PROSE_MARKS, that is not a list item) weighs
# PROSE_LINE_WEIGHT; one in any other line (a `key：value` line, a log or reference entry, a heading, a list
# item: its first visible character one of LIST_MARKS, or digits and then . 、 ) ） ．) weighs 1: there adjacent
# units are often labels and fragments rather than a sentence, so their order is weaker evidence (measured in
# docs/rewards.md). ZH_ORDER_PAIRS / ZH_ORDER_SUM count pairs and pmi in these weight units.
PROSE_LINE_WEIGHT = 3
PROSE_MARKS = "，。！？；…"  # noqa: RUF001 (the marks char_counts tests, by code point)
LIST_MARKS = "-*•#>+"  # a line starting with one of these (after spaces) is a list item or a heading
N_FEATURES = 15
(
    VISIBLE,
    LETTERS,
    BAD,
    OTHER,
    WORDS,
    KNOWN_WORDS,
    CJK_CHARS,
    PAIRS,
    KNOWN_PAIRS,
    SWITCHES,
    LW_UNITS,
    ZH_ORDER_PAIRS,
    ZH_ORDER_SUM,
    EN_ORDER_PAIRS,
    EN_ORDER_SUM,
) = range(N_FEATURES)
ORDER_SCALE = 1000  # the order sums are kept in milli-nats (the counts are int64)
FEATURE_NAMES = (  # the report's names of the features, in index order
    *(
        "visible",
        "letters",
        "bad",
        "other",
        "words",
        "known_words",
        "cjk",
        "pairs",
        "known_pairs",
        "switches",
    ),
    *("longwriter_units", "zh_order_pairs", "zh_order_millinats", "en_order_pairs", "en_order_millinats"),
)


class Ramp(NamedTuple):
    """A factor of the share ``x = (scale·num + prior·strength) / (den + strength)``: 1 at ``ok``, 0 at
    ``bad``, linear between and clipped (``ok`` may lie on either side of ``bad``); ``prior``/``strength``
    shrink a share towards ``prior`` with ``strength`` pseudo-units, so a short text is not judged on a few
    units. ``num``/``den`` are indexes of the counts."""

    num: int
    den: int
    ok: float
    bad: float
    prior: float = 0.0
    strength: float = 0.0
    scale: float = 1.0


RAMPS = {
    # share of visible characters that are bad (U+FFFD, controls, private use)
    "bad": Ramp(BAD, VISIBLE, ok=0.001, bad=0.01),
    # share of visible characters that are letters or digits (human prose: zh 0.77+, en 0.91+)
    "letters": Ramp(LETTERS, VISIBLE, ok=0.6, bad=0.35, prior=0.85, strength=20),
    # share of letters from scripts other than Latin and CJK
    "other": Ramp(OTHER, LETTERS, ok=0.05, bad=0.25),
    # share of English words in the lexicon (human prose: 0.92+ per 3,000 characters; lorem ipsum 0.31)
    "words": Ramp(KNOWN_WORDS, WORDS, ok=0.8, bad=0.55, prior=0.95, strength=10),
    # share of adjacent CJK pairs inside a known word (human prose: 0.30+; random common characters 0.04)
    "pairs": Ramp(KNOWN_PAIRS, PAIRS, ok=0.2, bad=0.1, prior=0.5, strength=20),
    # CJK <-> Latin letter switches per 1,000 visible characters (human prose: ~0; tiny random model: 70+)
    "switches": Ramp(SWITCHES, VISIBLE, ok=25.0, bad=60.0, strength=300, scale=1000.0),
    # word order: mean pmi (nats) of adjacent English word pairs with a frequent word (human prose 0.3+ per
    # 300 characters; LLM prose: 99.9% at 0.17+, expository non-fiction lowest, as the model is counted on
    # fiction; frequent-word salad and shuffled words -0.1 and below): the ramp sits between the two with a
    # margin each side, since a gate must not bite fluent prose; 3 pseudo-pairs at 0.8 so a reply of a few
    # words is not judged on them
    "order_en": Ramp(
        EN_ORDER_SUM, EN_ORDER_PAIRS, ok=0.1, bad=-0.1, prior=0.8, strength=3, scale=1 / ORDER_SCALE
    ),
    # word order: mean pmi of adjacent CJK pairs across word boundaries (pairs inside no known word); held-out
    # human prose (classical novels, Lu Xun, modern WritingBench queries) median ~0, p1 -0.8; frequent-word
    # salad -1.1, own words shuffled -0.8 (docs/rewards.md): the ramp sits below the clean tail; counts are
    # in line-weight units (PROSE_LINE_WEIGHT per pair of a prose line)
    "order_zh": Ramp(
        ZH_ORDER_SUM,
        ZH_ORDER_PAIRS,
        ok=-0.4,
        bad=-0.65,
        prior=0.3,
        strength=8 * PROSE_LINE_WEIGHT,  # 8 pairs of a prose line
        scale=1 / ORDER_SCALE,
    ),
}
_RAMP_TABLE = np.array([list(r) for r in RAMPS.values()], dtype=np.float64)
# share of letters in the declared language's script, shrunk towards 1 (human prose: zh 0.97+, en 1.0)
SCRIPT_RAMP = Ramp(0, 0, ok=0.6, bad=0.3, prior=1.0, strength=20)


def declared_lang(view: TextView) -> str | None:
    """The row's declared language ('zh'/'en'), recorded by :func:`prepare.prepare_view`; None when the
    language was detected from the completion itself (then the script check has nothing to compare)."""
    return None


def script_factor(view: TextView) -> float:
    """0-1: 1 when the completion is written in its row's declared language's script, 0 when mostly in
    another; 1 without a declared language."""
    lang = view.derive(declared_lang)
    if lang not in ("zh", "en"):
        return 1.0
    f = fluency_features(view)
    letters, cjk = float(f[LETTERS]), float(f[CJK_CHARS])
    own = cjk if lang == "zh" else letters - cjk - float(f[OTHER])
    r = SCRIPT_RAMP
    x = (own + r.prior * r.strength) / (letters + r.strength)
    return min(1.0, max(0.0, (x - r.bad) / (r.ok - r.bad)))


@njit(cache=True)
def _factors(counts, table):
    """Each ramp's factor (0-1) for the counts."""
    out = np.empty(table.shape[0])
    for k in range(table.shape[0]):
        num, den = counts[int(table[k, 0])], counts[int(table[k, 1])]
        ok, bad, prior, strength, scale = table[k, 2], table[k, 3], table[k, 4], table[k, 5], table[k, 6]
        x = (scale * num + prior * strength) / (den + strength) if den + strength > 0 else ok
        out[k] = min(1.0, max(0.0, (x - bad) / (ok - bad)))
    return out


@lru_cache(maxsize=1)
def _resources() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(English lexicon hash table, traditional->simplified table, Chinese pair bit set), built once per
    process (about 3 s, mostly wordfreq reading its lists)."""
    import wordfreq

    from ..text.profile import codepoints

    words = [w for w in wordfreq.top_n_list("en", EN_WORDS) if "\n" not in w]
    words += [w.replace("'", "’") for w in words if "'" in w] + [str(i) for i in range(10_000)]
    table = _hash_table(_line_hashes(codepoints("\n".join(words) + "\n")))
    t2s = _t2s_table()
    bits = np.zeros(1 << (PAIR_BITS - 3), dtype=np.uint8)
    _set_pair_bits(codepoints("\n".join(wordfreq.top_n_list("zh", ZH_WORDS))), t2s, bits)
    return table, t2s, bits


@njit(cache=True)
def _line_hashes(cp):
    """Hash of each newline-terminated line of ``cp`` as :func:`profile.words` hashes a word (Latin letters
    folded to lower case, apostrophes and hyphens kept)."""
    out = np.empty(cp.size, np.uint64)
    k = 0
    h = FNV_OFFSET
    for c in cp:
        if c == 0x0A:
            out[k] = h
            k += 1
            h = FNV_OFFSET
        elif is_word_char(c):
            h = mix(h, fold(c))
        else:
            h = mix(h, c)
    return out[:k]


@njit(cache=True)
def _set_pair_bits(cp, t2s, bits):
    """Set the bit of every pair of adjacent BMP characters within a line of ``cp`` (mapped by ``t2s``)."""
    for i in range(cp.size - 1):
        a, b = cp[i], cp[i + 1]
        if a != 0x0A and b != 0x0A and a < 0x10000 and b < 0x10000:
            byte, bit = _pair_bit((np.uint64(t2s[a]) << np.uint64(16)) | np.uint64(t2s[b]))
            bits[byte] |= bit


def _hash_table(hashes: np.ndarray) -> np.ndarray:
    """Open-addressing set of the (nonzero) hashes, size a power of two at most half full."""
    size = 1
    while size < 2 * max(len(hashes), 1):
        size *= 2
    table = np.zeros(size, dtype=np.uint64)
    _fill(hashes | np.uint64(1), table)
    return table


def _t2s_table() -> np.ndarray:
    """BMP code point -> simplified code point (OpenCC's TSCharacters; identity elsewhere)."""
    import os

    import opencc

    t2s = np.arange(0x10000, dtype=np.uint32)
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                if ord(parts[0]) < 0x10000 and ord(parts[1]) < 0x10000:
                    t2s[ord(parts[0])] = ord(parts[1])
    return t2s


@njit(cache=True)
def _slot(h, mask):
    return (h ^ (h >> np.uint64(29))) & mask


@njit(cache=True)
def _fill(hashes, table):
    mask = np.uint64(table.size - 1)
    for h in hashes:
        j = _slot(h, mask)
        while table[j] != 0 and table[j] != h:
            j = (j + np.uint64(1)) & mask
        table[j] = h


@njit(cache=True, inline="always")
def _pair_bit(key):
    h = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - PAIR_BITS)
    return h >> np.uint64(3), np.uint8(1) << np.uint8(h & np.uint64(7))


@njit(cache=True, inline="always")
def _pair_known(pair_bits, t2s, a, b):
    """1 if the pair of characters ``a``, ``b`` (mapped by ``t2s``) is set in ``pair_bits``, else 0."""
    byte, bit = _pair_bit((np.uint64(t2s[a]) << np.uint64(16)) | np.uint64(t2s[b]))
    return 1 if pair_bits[byte] & bit else 0


ASCII_LETTER = 32  # an extra class bit of the fluency pass: A-Z, a-z
OTHER_LETTER = 64  # another: a letter (str.isalpha) of a script other than Latin and CJK
_FCLASS = CLASS.copy()
_FCLASS[0x41:0x5B] |= ASCII_LETTER
_FCLASS[0x61:0x7B] |= ASCII_LETTER
_FCLASS[
    np.fromiter((chr(c).isalpha() for c in range(0x10000)), dtype=bool, count=0x10000)
    & (CLASS & (CJK | LATIN) == 0)
    & ~((np.arange(0x10000) >= 0xFF00) & (np.arange(0x10000) <= 0xFFEF))
] |= OTHER_LETTER


@njit(cache=True, inline="always")
def _fclass(c):
    """:func:`profile.char_class` plus the ASCII_LETTER bit."""
    if c < 0x10000:
        return _FCLASS[c]
    return CJK | TOKEN if 0x20000 <= c <= 0x2EBEF else 0


@njit(cache=True, inline="always")
def _is_bad(c):
    if c == 0xFFFD or 0xD800 <= c <= 0xDFFF or 0xE000 <= c <= 0xF8FF or 0x7F <= c <= 0x9F:
        return True
    return c < 0x20 and c != 0x09 and c != 0x0A and c != 0x0D


@njit(cache=True)
def _mark_known_pairs(chars, pmi, bits):
    """``pmi`` (int8, K², of :mod:`ngram`) with every class pair that lies inside a known word (the pair bit
    set) set to KNOWN_PAIR."""
    out = pmi.copy()
    k = chars.size
    for i in range(k):
        for j in range(k):
            byte, bit = _pair_bit((np.uint64(chars[i]) << np.uint64(16)) | np.uint64(chars[j]))
            if bits[byte] & bit:
                out[i * k + j] = KNOWN_PAIR
    return out


@lru_cache(maxsize=1)
def zh_order_tables() -> tuple[np.ndarray, np.ndarray]:
    """(code point -> class, class-pair pmi in 1/16 nats with pairs inside a known word marked KNOWN_PAIR):
    the shipped model joined with wordfreq's pair set at run time (nothing derived from wordfreq is
    shipped); built once per process."""
    m = load_model()
    return m.zh_id, _mark_known_pairs(m.zh_chars, m.zh_pmi, _resources()[2])


@njit(cache=True)
def _list_item(cp, start, end):
    """Is ``cp[start:end]`` (one line) a list item or a heading: after spaces, one of LIST_MARKS, or digits
    followed by . 、 ) ） ．?"""
    j = start
    while j < end and (cp[j] == 0x20 or cp[j] == 0x09 or cp[j] == 0x3000):
        j += 1
    if j == end:
        return False
    c = cp[j]
    if c == 0x2D or c == 0x2A or c == 0x2022 or c == 0x23 or c == 0x3E or c == 0x2B:
        return True
    k = j
    while k < end and 0x30 <= cp[k] <= 0x39:
        k += 1
    if k == j or k == end:
        return False
    c = cp[k]
    return c == 0x2E or c == 0x3001 or c == 0x29 or c == 0xFF09 or c == 0xFF0E


@njit(cache=True, inline="always")
def _weigh_line(weight, first, end, prose):
    """The order samples ``first:end`` of one line weigh PROSE_LINE_WEIGHT if it is prose, else 1."""
    for j in range(first, end):
        weight[j] = PROSE_LINE_WEIGHT if prose else 1


@njit(cache=True)
def char_counts(cp, t2s, pair_bits, zh_id, zh_order):
    """One pass over the code points: the character counts of the module docstring (int64 array indexed by
    VISIBLE, LETTERS, BAD, OTHER, CJK_CHARS, PAIRS, KNOWN_PAIRS, SWITCHES), LW_UNITS, LongWriter's
    ``count_words`` (U+4E00-U+9FFF characters plus ``\\b[a-zA-Z]+\\b`` runs, Python's Unicode ``\\b``), and
    the word-order evidence of every ``max(1, len // ORDER_SAMPLE)``-th adjacent pair of two characters
    with a class in the order model (CJK characters and Chinese punctuation) that lies inside no known word
    (:func:`zh_order_tables`): ZH_ORDER_PAIRS scored and ZH_ORDER_SUM, their pmi (milli-nats), both weighted
    by their line (``PROSE_LINE_WEIGHT``). Counters are locals (written to the array once)."""
    zh_k = int(np.sqrt(zh_order.size))
    visible = letters = bad = other = cjk = pairs = known = switches = lw = order_pairs = 0
    order_sum = 0  # 1/16 nats
    n = cp.size
    prev_cjk = 0  # the previous character when it was a BMP CJK character, else 0
    prev_o = 0  # the previous character when it may be a unit of the zh order model, else 0
    last_script = 0  # 1 = CJK, 2 = Latin, of the last letter seen
    prev_token = False  # the previous character is \w (LongWriter's word boundary)
    in_run = False  # inside a run of ASCII letters
    run_ok = False  # that run started at a word boundary
    stride = max(1, n // PAIR_SAMPLE)  # about PAIR_SAMPLE pairs looked up at most
    countdown = stride
    order_stride = max(1, n // ORDER_SAMPLE)
    order_countdown = order_stride
    sampled = np.empty(ORDER_SAMPLE + 1, np.int64)  # table offsets of the sampled pairs, looked up after
    n_sampled = 0  # the loop: independent loads in a tight loop overlap their cache misses
    pair_at = np.empty(2 * PAIR_SAMPLE + 2, np.int64)  # the sampled CJK pairs (prev << 16 | c), the same
    weight = np.empty(ORDER_SAMPLE + 1, np.int64)  # of each sampled pair, set when its line ends
    line_start = 0  # the first sample of the current line
    line_prose = False  # the current line has a sentence mark (PROSE_MARKS)
    line_pos = 0  # the current line's first code point
    for i in range(n):
        c = cp[i]
        # fast paths for the commonest characters (the general path below gives the same counts for them)
        if 0x4E00 <= c <= 0x9FFF:  # a CJK Unified ideograph: class CJK | TOKEN, a unit of the order model
            in_run = False  # a token character ends an ASCII run without counting it
            prev_token = True
            visible += 1
            cjk += 1
            lw += 1
            if prev_o:
                order_countdown -= 1
                if order_countdown == 0:
                    order_countdown = order_stride
                    ia, ib = int(zh_id[prev_o]), int(zh_id[c])
                    if ia and ib and n_sampled < sampled.size:
                        sampled[n_sampled] = (ia - 1) * zh_k + ib - 1
                        n_sampled += 1
            prev_o = c
            if prev_cjk:
                countdown -= 1
                if countdown == 0:
                    countdown = stride
                    if pairs < pair_at.size:
                        pair_at[pairs] = (prev_cjk << 16) | c
                    else:
                        known += _pair_known(pair_bits, t2s, prev_cjk, c)
                    pairs += 1
            prev_cjk = c
            if last_script == 2:
                switches += 1
            last_script = 1
            continue
        if 0x61 <= (c | 0x20) <= 0x7A:  # A-Z, a-z: class LATIN | TOKEN | ASCII_LETTER
            if not in_run:
                in_run = True
                run_ok = not prev_token
            prev_token = True
            visible += 1
            letters += 1
            prev_cjk = prev_o = 0
            if last_script == 1:
                switches += 1
            last_script = 2
            continue
        if c == 0x20:  # a space ends a run (counted when it began at a boundary)
            if in_run:
                lw += run_ok
                in_run = False
            prev_token = False
            prev_cjk = prev_o = 0
            continue
        cls = _fclass(c)
        if cls & ASCII_LETTER:
            if not in_run:
                in_run = True
                run_ok = not prev_token
        elif in_run:
            if run_ok and cls & TOKEN == 0:
                lw += 1
            in_run = False
        prev_token = cls & TOKEN != 0
        if cls & SPACE:
            prev_cjk = prev_o = 0
            if c == 0x0A:  # a line ends: its pairs weigh 1 unless it is prose (a sentence mark, no list item)
                _weigh_line(weight, line_start, n_sampled, line_prose and not _list_item(cp, line_pos, i))
                line_start = n_sampled
                line_prose = False
                line_pos = i + 1
            continue
        if not line_prose and (
            c == 0xFF0C or c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0xFF1B or c == 0x2026
        ):
            line_prose = True
        visible += 1
        # word order: a unit of the Chinese model (BMP CJK, or punctuation above U+2000) after another?
        o = c if 0x2000 <= c < 0x10000 and (cls & CJK or cls & TOKEN == 0) else 0
        if o and prev_o:
            order_countdown -= 1
            if order_countdown == 0:  # a sample: is the pair one the language uses?
                order_countdown = order_stride
                ia, ib = int(zh_id[prev_o]), int(zh_id[o])
                if ia and ib and n_sampled < sampled.size:
                    sampled[n_sampled] = (ia - 1) * zh_k + ib - 1
                    n_sampled += 1
        prev_o = o
        if cls & CJK:
            cjk += 1
            if 0x4E00 <= c <= 0x9FFF:
                lw += 1
            if c >= 0x10000:
                prev_cjk = 0
            else:
                if prev_cjk:
                    countdown -= 1
                    if countdown == 0:  # a sample: looked up after the loop
                        countdown = stride
                        if pairs < pair_at.size:
                            pair_at[pairs] = (prev_cjk << 16) | c
                        else:
                            known += _pair_known(pair_bits, t2s, prev_cjk, c)
                        pairs += 1
                prev_cjk = c
            if last_script == 2:
                switches += 1
            last_script = 1
            continue
        prev_cjk = 0
        if cls & LATIN:
            letters += 1
            if last_script == 1:
                switches += 1
            last_script = 2
        elif cls & TOKEN and c != 0x5F:  # digits and numbers (①, ², Ⅳ), letters of other scripts; _ is not
            letters += 1
            if cls & OTHER_LETTER:  # full-width Latin letters and digits, numbers are not another script
                other += 1
        elif (c < 0x20 or c >= 0x7F) and _is_bad(c):
            bad += 1
    if in_run and run_ok:
        lw += 1
    for j in range(min(pairs, pair_at.size)):  # each lookup a likely cache miss in 1 MiB: independent
        key = pair_at[j]  # loads in a tight loop overlap their misses
        known += _pair_known(pair_bits, t2s, key >> 16, key & 0xFFFF)
    _weigh_line(weight, line_start, n_sampled, line_prose and not _list_item(cp, line_pos, n))
    for j in range(n_sampled):
        v = zh_order[sampled[j]]
        if v != KNOWN_PAIR:
            order_pairs += weight[j]
            order_sum += weight[j] * v
    out = np.zeros(N_FEATURES, np.int64)
    out[VISIBLE], out[LETTERS], out[BAD], out[OTHER], out[CJK_CHARS] = visible, letters + cjk, bad, other, cjk
    out[PAIRS], out[KNOWN_PAIRS], out[SWITCHES], out[LW_UNITS] = pairs, known, switches, lw
    out[ZH_ORDER_PAIRS], out[ZH_ORDER_SUM] = order_pairs, (ORDER_SCALE * order_sum) // 16
    return out


@njit(cache=True)
def known_words(word_hashes, lexicon, stride):
    """(checked, known): every ``stride``-th word hash, and how many of those are in ``lexicon``."""
    first = _first_probes(word_hashes, lexicon, stride)
    known = 0
    for k in range(first.size):
        known += _known_after(lexicon, word_hashes[k * stride], first[k])
    return first.size, known


@njit(cache=True)
def _first_probes(word_hashes, lexicon, stride):
    """The ``lexicon`` entry at the first slot of every ``stride``-th word hash: each load a likely cache
    miss in the 1 MiB table, all independent in one tight loop, so their misses overlap."""
    first = np.empty((word_hashes.size + stride - 1) // stride, np.uint64)
    mask = np.uint64(lexicon.size - 1)
    for k in range(first.size):
        first[k] = lexicon[_slot(word_hashes[k * stride] | np.uint64(1), mask)]
    return first


@njit(cache=True, inline="always")
def _known(table, h):
    h = h | np.uint64(1)
    mask = np.uint64(table.size - 1)
    j = _slot(h, mask)
    while table[j] != 0:
        if table[j] == h:
            return True
        j = (j + np.uint64(1)) & mask
    return False


@njit(cache=True, inline="always")
def _known_after(table, h, first):
    """:func:`_known` given the entry at ``h``'s first slot."""
    if first == (h | np.uint64(1)):
        return True
    return first != 0 and _known(table, h)


NAMED = WORD_DIGIT | WORD_UPPER  # a word with a digit or a capital: number, unit, code, acronym, name
NAMED_SWITCH_SHARE = 4  # in Chinese text, NAMED_SWITCH_SHARE switches at named words count as one


@njit(cache=True)
def words_in_chinese(word_hashes, flags, lexicon, stride):
    """(checked, known, switches) of the Latin words of Chinese text (``profile.words`` hashes and flags):
    every ``stride``-th word checked, known when in ``lexicon`` or named (a digit or a capital: ``3-5``,
    ``R9000P``, ``CPU``, ``Sylaine``; modern Chinese writes numbers, units, acronyms and brand names in
    Latin script); script switches (an ideograph beside a word with a Latin letter) count in full at other
    words (fragments and English words glued to ideographs) and one in ``NAMED_SWITCH_SHARE`` at named
    words, so that names must be frequent indeed to cost anything."""
    first = _first_probes(word_hashes, lexicon, stride)
    checked = first.size
    known = 0
    for k in range(checked):
        i = k * stride
        known += (flags[i] & NAMED) != 0 or _known_after(lexicon, word_hashes[i], first[k])
    plain = 0
    named = 0
    for i in range(flags.size):
        f = flags[i]
        if f & WORD_LATIN:
            sides = ((f & WORD_CJK_BEFORE) != 0) + ((f & WORD_CJK_AFTER) != 0)
            if f & NAMED:
                named += sides
            else:
                plain += sides
    return checked, known, plain + named // NAMED_SWITCH_SHARE


def fluency_features(view: TextView) -> np.ndarray:
    """The counts of :func:`char_counts` plus WORDS / KNOWN_WORDS (at most ~512 words looked up, evenly
    spread) for ``view``; computed once per view."""
    return view.derive(_features)


def _features(view: TextView) -> np.ndarray:
    lexicon, t2s, bits = _resources()
    m = load_model()
    zh_id, zh_order = zh_order_tables()
    return all_counts(
        view.codepoints,
        view.word_hashes,
        view.word_flags,
        lexicon,
        t2s,
        bits,
        zh_id,
        zh_order,
        m.en_keys,
        m.en_cls,
        m.en_pmi,
    )


@njit(cache=True)
def all_counts(cp, word_hashes, flags, lexicon, t2s, pair_bits, zh_id, zh_order, en_keys, en_cls, en_pmi):
    """Every feature of one text in one compiled call (int64 array of N_FEATURES): :func:`char_counts`, then
    WORDS / KNOWN_WORDS (at most ~512 words looked up, evenly spread; in Chinese text by
    :func:`words_in_chinese`, which also gives SWITCHES) and the English order evidence (:func:`en_order`;
    none in Chinese text). One call instead of four saves the Python around them (a quarter of the cost)."""
    got = char_counts(cp, t2s, pair_bits, zh_id, zh_order)
    stride = max(1, word_hashes.size // 512)
    if 4 * got[CJK_CHARS] >= got[LETTERS] - got[CJK_CHARS] - got[OTHER]:  # is_chinese
        got[WORDS], got[KNOWN_WORDS], got[SWITCHES] = words_in_chinese(word_hashes, flags, lexicon, stride)
        return got
    got[WORDS], got[KNOWN_WORDS] = known_words(word_hashes, lexicon, stride)
    n, s = en_association(word_hashes, en_keys, en_cls, en_pmi, max(1, word_hashes.size // 256))
    got[EN_ORDER_PAIRS] = n
    got[EN_ORDER_SUM] = _round_half_even(ORDER_SCALE * s)
    return got


@njit(cache=True, inline="always")
def _round_half_even(x):
    """Python's ``round(x)`` (ties to even) of a float, as an int."""
    f = np.floor(x)
    d = x - f
    if d > 0.5 or (d == 0.5 and f % 2 != 0):
        f += 1
    return np.int64(f)


def is_chinese(counts: np.ndarray) -> bool:
    """Chinese text, by :func:`detect_lang`'s rule on the whole text: CJK ideographs at least a quarter of the
    Latin letters and digits (a sentence of modern Chinese about a laptop or a line of code holds more Latin
    letters than ideographs)."""
    return bool(4 * counts[CJK_CHARS] >= counts[LETTERS] - counts[CJK_CHARS] - counts[OTHER])


def en_order(word_hashes: np.ndarray, counts: np.ndarray, model) -> tuple[int, int]:
    """(EN_ORDER_PAIRS, EN_ORDER_SUM) of the word hashes under ``model``; (0, 0), no evidence, in Chinese
    text (:func:`is_chinese`): the hashes of the English words in Chinese text are adjacent in the array but
    not in the text (``2024年……3年级`` gives the pair 2024, 3), so their pmi says nothing about order (it cost
    12 of 209 held-out modern Chinese queries their fluency)."""
    if is_chinese(counts):
        return 0, 0
    n, s = en_association(
        word_hashes, model.en_keys, model.en_cls, model.en_pmi, max(1, word_hashes.size // 256)
    )
    return n, int(round(ORDER_SCALE * s))


def fluency_report(view: TextView) -> dict:
    """The counts, each factor (0-1) and the score (their product)."""
    f = fluency_features(view)
    factors = dict(zip(RAMPS, _factors(f, _RAMP_TABLE).tolist(), strict=True))
    factors["script"] = script_factor(view)
    counts = dict(zip(FEATURE_NAMES, f.tolist(), strict=True))
    return {"counts": counts, "factors": factors, "score": fluency_score(view)}


def fluency_score(view: TextView) -> float:
    """Product of the fluency factors, in [0, 1]; 1 = reads as language, near 0 = not language."""
    return _product(fluency_features(view), _RAMP_TABLE) * script_factor(view)


@njit(cache=True)
def _product(counts, table):
    """Product of :func:`_factors` (0-1), in one compiled call."""
    return _factors(counts, table).prod()
