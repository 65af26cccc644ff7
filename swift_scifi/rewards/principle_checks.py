"""Rule checkers for the principle library. Each takes a TextView and the params from the data file and
returns adherence in [0, 1] (1 = follows the principle); see principles.py for the counting checks.

No dilution: appending or prepending violation-free text never raises a checker's adherence. Counts of
violations (quote errors, question runs, long paragraphs, lone marks) only grow with more text; rates are
judged in windows (``window_excess``: hits beyond the allowance of any stretch of ``window`` characters;
variety: the worst window of ``window`` sentences or paragraphs, texts shorter than one window not judged),
so a bad stretch stays visible however much clean text surrounds it.
"""

from __future__ import annotations

import re

import numpy as np

from ..jit import njit
from ..text.profile import hard_wrapped
from .narration import narration_thirds, quoted_mask
from .view import TextView


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at ``good`` or better, 0 at ``bad`` or worse, linear between."""
    if good == bad:
        return 1.0 if value <= good else 0.0
    return min(1.0, max(0.0, (bad - value) / (bad - good)))


@njit(cache=True)
def _nonzero(values):
    """``values[values != 0]`` in one compiled call."""
    out = np.empty(values.size, values.dtype)
    k = 0
    for v in values:
        if v != 0:
            out[k] = v
            k += 1
    return out[:k]


def _opening_hashes(view: TextView) -> np.ndarray:
    return _nonzero(view.sentences.openings)


def _openings(view: TextView) -> np.ndarray:
    """Hashes of the sentence openings (first word en, first two characters zh; sentences without one
    are left out); computed once per view."""
    return view.derive(_opening_hashes)


def sentence_opening_variety(view: TextView, max_share: float = 0.3, window: int = 20) -> float:
    """Worst share, over every run of ``window`` sentences, of sentences opening with the run's most common
    first word (en) or first two characters (zh); 1 at ``max_share`` or below, 0 at 2.5x. Texts with fewer
    than ``window`` sentences with an opening are not judged."""
    ops = _openings(view)
    if len(ops) < window:
        return 1.0
    share = _window_mode_of(ops, window) / window
    return _ramp(share, max_share, min(1.0, max_share * 2.5))


_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier that spreads a value's bits into a table index


@njit(cache=True)
def _dense_ids(values):
    """``values`` (uint64) renumbered 0..k-1 in order of first appearance (equal values, equal ids), through
    an open-addressing table (one pass; no sort)."""
    n = values.size
    size = 2
    bits = 1
    while size < 2 * n:
        size *= 2
        bits += 1
    keys = np.empty(size, np.uint64)
    ids = np.full(size, -1, np.int64)  # -1: empty slot
    out = np.empty(n, np.int64)
    mask = np.uint64(size - 1)
    shift = np.uint64(64 - bits)
    k = 0
    for i in range(n):
        v = np.uint64(values[i])
        j = (v * _SPREAD) >> shift
        while ids[j] >= 0 and keys[j] != v:
            j = (j + np.uint64(1)) & mask
        if ids[j] < 0:
            keys[j] = v
            ids[j] = k
            k += 1
        out[i] = ids[j]
    return out


def consecutive_openings(view: TextView, run: int = 4) -> float:
    """Runs of ``run`` or more consecutive sentences with the same opening; adherence 1/(1+runs)."""
    return 1.0 / (1 + _runs(_openings(view), run))


@njit(cache=True)
def _window_mode(ids, window):
    """Largest count of one value within any ``window`` consecutive entries of ``ids`` (dense ints >= 0)."""
    counts = np.zeros(ids.max() + 1, np.int64)
    freq = np.zeros(window + 2, np.int64)  # freq[c]: values with count c in the current window
    best = cur = 0
    for i in range(ids.size):
        v = ids[i]
        freq[counts[v]] -= 1
        counts[v] += 1
        freq[counts[v]] += 1
        cur = max(cur, counts[v])
        if i >= window:
            u = ids[i - window]
            freq[counts[u]] -= 1
            if counts[u] == cur and freq[counts[u]] == 0:
                cur -= 1
            counts[u] -= 1
            freq[counts[u]] += 1
        if i >= window - 1:
            best = max(best, cur)
    return best


@njit(cache=True)
def _window_mode_of(values, window):
    """:func:`_window_mode` of ``values`` renumbered by :func:`_dense_ids` (one compiled call)."""
    return _window_mode(_dense_ids(values), window)


@njit(cache=True)
def _runs(values, run):
    """Number of runs of ``run`` or more equal consecutive values."""
    runs = 0
    streak = 1
    for i in range(1, values.size):
        streak = streak + 1 if values[i] == values[i - 1] else 1
        runs += streak == run
    return runs


@njit(cache=True)
def _min_window_cv(values, window):
    """Smallest coefficient of variation (population standard deviation / mean; 0 when the mean is 0) over
    every ``window`` consecutive values (``values.size >= window``), each window summed in order."""
    best = np.inf
    for s in range(values.size - window + 1):
        total = 0.0
        for j in range(s, s + window):
            total += float(values[j])
        m = total / window
        if m == 0:
            cv = 0.0
        else:
            var = 0.0
            for j in range(s, s + window):
                var += (float(values[j]) - m) ** 2
            cv = (var / window) ** 0.5 / m
        best = min(best, cv)
    return best


def paragraph_length_variety(view: TextView, min_cv: float = 0.25, window: int = 5) -> float:
    """Coefficient of variation of paragraph lengths (chars) in the most uniform run of ``window``
    paragraphs, over ``min_cv`` (capped at 1); uniform blocks read as generated. Fewer paragraphs: not
    judged."""
    lengths = view.paragraphs.lengths
    if len(lengths) < window:
        return 1.0
    return min(1.0, _min_window_cv(lengths, window) / min_cv)


def sentence_length_variety(view: TextView, min_cv: float = 0.3, window: int = 8) -> float:
    """Coefficient of variation of sentence lengths (chars) in the most uniform run of ``window``
    sentences, over ``min_cv`` (capped at 1). Fewer sentences: not judged."""
    lengths = view.sentences.lengths
    if len(lengths) < window:
        return 1.0
    return min(1.0, _min_window_cv(lengths, window) / min_cv)


@njit(cache=True)
def _count_over(lengths, spaces, limit, min_spaces):
    """Paragraphs longer than ``limit`` with at least ``min_spaces`` inner whitespace runs."""
    over = 0
    for j in range(lengths.size):
        over += lengths[j] > limit and spaces[j] >= min_spaces
    return over


def wall_of_text(view: TextView, max_units_zh: int = 1200, max_units_en: int = 450) -> float:
    """Paragraphs longer than the limit (zh: characters, en: words); adherence 1/(1+count). A block (between
    blank lines) of several lines that are not hard-wrapped is that many paragraphs (:func:`long_paragraphs`),
    so only a block over the limit is looked at again."""
    paras = view.paragraphs
    if view.lang == "zh":
        over = _count_over(paras.lengths, paras.spaces, max_units_zh, 0)
    else:
        over = _count_over(paras.lengths, paras.spaces, max_units_en, max_units_en)
    if over:
        over = len(long_paragraphs(view.text, view.lang, max_units_zh if view.lang == "zh" else max_units_en))
    return 1.0 / (1 + over)


_BLANK_LINE = re.compile(r"(\n\s*\n)")


def long_paragraphs(text: str, lang: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the paragraphs longer than ``limit`` units (zh: characters but whitespace, en:
    words). Paragraphs are the blocks between blank lines, but a block of several lines that are not
    hard-wrapped (:func:`~swift_scifi.text.profile.hard_wrapped`) is one paragraph per line: its line breaks
    end paragraphs (one line per paragraph, or markdown's "two spaces and a newline"), as they do in a text
    of one block (:func:`~swift_scifi.text.profile.paragraphs`). A block is judged alone, so text added after
    a blank line never changes how it is split."""
    out, pos = [], 0
    for block in _BLANK_LINE.split(text):
        pieces = [(pos, block)]
        lines = [ln for ln in map(str.strip, block.split("\n")) if ln]
        if len(lines) > 1 and not hard_wrapped(lines):
            pieces, at = [], pos
            for line in block.split("\n"):
                pieces.append((at, line))
                at += len(line) + 1
        for start, piece in pieces:
            units = piece.split()
            size = len(units) if lang != "zh" else sum(map(len, units))
            if size > limit:
                out.append((start, start + len(piece)))
        pos += len(block)
    return out


@njit(cache=True)
def _quote_errors(cp, op, cl):
    """Offsets of quotation errors for one pair of marks: an opening mark never closed, or a closing mark
    with nothing open. A quotation that runs over several paragraphs may leave each paragraph open if the
    next one starts with an opening mark (the Chinese and English convention): that is not an error."""
    errors = np.empty(cp.size + 1, np.int64)  # at most one error per mark, plus the one left open
    k = 0
    open_at = -1
    carried = False
    line_start = True
    for i in range(cp.size):
        c = cp[i]
        if c == 0x0A:
            carried = open_at >= 0
            line_start = True
            continue
        if line_start and (c == 0x20 or c == 0x09 or c == 0x3000 or c == 0x0D):
            continue
        line_start = False
        if carried:
            carried = False
            if c == op:  # the same quotation goes on in this paragraph
                continue
            errors[k] = open_at
            k += 1
            open_at = -1
        if c == op:
            if open_at >= 0:
                errors[k] = open_at
                k += 1
            open_at = i
        elif c == cl:
            if open_at < 0:
                errors[k] = i
                k += 1
            else:
                open_at = -1
    if open_at >= 0:
        errors[k] = open_at
        k += 1
    return errors[:k]


def quote_errors(view: TextView, pairs: tuple[str, ...] = ("“”", "「」", "『』")) -> list[int]:
    """Character offsets of the quotation errors of every pair (see :func:`_quote_errors`), sorted."""
    out: list[int] = []
    for p in pairs:
        if view.count(p[0]) or view.count(p[1]):
            out += _quote_errors(view.codepoints, ord(p[0]), ord(p[1])).tolist()
    return sorted(out)


def quote_balance(view: TextView, pairs: tuple[str, ...] = ("“”", "「」", "『』")) -> float:
    """Quotations open and close; adherence 1/(1+errors) (see :func:`quote_errors`)."""
    return 1.0 / (1 + len(quote_errors(view, pairs)))


def mixed_marks(view: TextView, a: str = '"', b: str = "“”") -> float:
    """One quotation style throughout: 1 when only one of the two sets is used, less the more they mix."""
    ca = sum(view.count(c) for c in a)
    cb = sum(view.count(c) for c in b)
    return 1.0 - 2 * min(ca, cb) / (ca + cb) if ca + cb else 1.0


def _narration_thirds(view: TextView) -> list[list[int]]:
    return narration_thirds(view.codepoints, view.lang).tolist()


def _thirds(view: TextView) -> list[list[int]]:
    """Per-third narration counts (see :mod:`narration`), computed once per view."""
    return view.derive(_narration_thirds)


def narrative_person(view: TextView, min_rate: float = 0.02, min_units: int = 75) -> float:
    """Narration (dialogue removed) keeps one person. Heuristic: first-person pronouns (en I/me/my/we...,
    zh 我) at ``min_rate`` or more of the units in one third, and none at all in another third, is a shift.
    Texts with fewer than ``min_units`` units of narration are not judged."""
    counts = [(row[0], row[1]) for row in _thirds(view)]  # zh: characters, close enough to 字 for a rate
    rates = []
    for units, hits in counts:
        if units < min_units / 3:
            return 1.0
        rates.append(hits / units)
    return 0.0 if max(rates) >= min_rate and min(rates) == 0 else 1.0


def tense_consistency(view: TextView, max_gap: float = 0.45, min_verbs: int = 6) -> float:
    """English narration keeps one tense: the past share of verbs (was/had/-ed vs is/has/...) per third of
    the narration; a gap above ``max_gap`` between thirds is a tense shift."""
    if view.lang != "en":
        return 1.0
    shares = []
    for _, _, past, present in _thirds(view):
        if past + present < min_verbs:
            return 1.0
        shares.append(past / (past + present))
    return _ramp(max(shares) - min(shares), max_gap, min(1.0, max_gap + 0.3))


@njit(cache=True)
def _lone_runs(cp, mark):
    """Occurrences of ``mark`` with no ``mark`` right before or after it."""
    n = cp.size
    count = 0
    for i in range(n):
        if cp[i] == mark and (i == 0 or cp[i - 1] != mark) and (i + 1 == n or cp[i + 1] != mark):
            count += 1
    return count


def mark_forms(view: TextView, lone: str = "…", wrong: tuple[str, ...] = ()) -> float:
    """Doubled marks written right: a single ``lone`` (… for ……, — for ——) or a ``wrong`` form (..., --)
    each count once; adherence 1/(1+count)."""
    count = sum(view.count(w) for w in wrong)
    if view.count(lone):
        count += _lone_runs(view.codepoints, ord(lone))
    return 1.0 / (1 + count)


@njit(cache=True)
def _question_runs(cp, quoted, run, max_chars):
    """Runs of ``run``+ consecutive questions in the narration (quoted spans skipped): question marks (a run
    of marks counts once) with no other sentence end (。！!.) between them, each question after the first
    at most ``max_chars`` non-space characters long."""
    runs = 0
    streak = 0
    seg = 0
    prev_q = False
    for i in range(cp.size):
        if quoted[i]:
            continue
        c = cp[i]
        if c == 0x3F or c == 0xFF1F:  # ? ？
            if not prev_q:
                streak = streak + 1 if streak == 0 or seg <= max_chars else 1
                runs += streak == run
            seg = 0
            prev_q = True
            continue
        prev_q = False
        if c == 0x3002 or c == 0xFF01 or c == 0x21 or c == 0x2E:  # 。！!.
            streak = 0
            seg = 0
        elif not (c == 0x20 or c == 0x0A or c == 0x09 or c == 0x3000 or c == 0x0D):
            seg += 1
    return runs


def _quoted_mask(view: TextView) -> np.ndarray:
    return quoted_mask(view.codepoints)


def quoted(view: TextView) -> np.ndarray:
    """True at every character inside quoted dialogue (marks included); computed once per view."""
    return view.derive(_quoted_mask)


def question_pileup(view: TextView, run: int = 3, max_chars: int = 80) -> float:
    """Rhetorical questions piled up in the narration: runs of ``run`` or more short questions in a row,
    dialogue left out (questions traded between speakers are not rhetorical); adherence 1/(1+runs)."""
    if view.count("?") + view.count("？") < run:
        return 1.0
    return 1.0 / (1 + _question_runs(view.codepoints, quoted(view), run, max_chars))


@njit(cache=True)
def window_excess(positions, allow, window):
    """Hits beyond the allowance: the hits (sorted offsets) with more than ``allow`` hits, themselves
    included, in the ``window`` characters that end at them. Text before or after the hits never changes
    the count, and a text shorter than ``window`` gets ``max(0, hits - allow)``."""
    excess = 0
    lo = 0
    for i in range(positions.size):
        while positions[i] - positions[lo] >= window:
            lo += 1
        if i - lo + 1 > allow:
            excess += 1
    return excess


@njit(cache=True)
def _unquoted_positions(cp, quoted, marks):
    """Offsets of the code points in ``marks`` (one or more) where ``quoted`` is False."""
    out = np.empty(cp.size, np.int64)
    k = 0
    if marks.size <= 2:  # the usual case (! and ！): two comparisons per character
        m0, m1 = marks[0], marks[marks.size - 1]
        for i in range(cp.size):
            c = cp[i]
            if (c == m0 or c == m1) and not quoted[i]:
                out[k] = i
                k += 1
        return out[:k]
    for i in range(cp.size):
        if not quoted[i]:
            c = cp[i]
            for m in marks:
                if c == m:
                    out[k] = i
                    k += 1
                    break
    return out[:k]


def narration_mark_positions(view: TextView, marks: tuple[str, ...]) -> np.ndarray:
    """Character offsets of ``marks`` (single characters) outside quoted dialogue."""
    if not any(view.count(m) for m in marks):
        return np.zeros(0, np.int64)
    return _unquoted_positions(view.codepoints, quoted(view), np.array([ord(m) for m in marks], np.uint32))


def in_narration(view: TextView, positions: np.ndarray) -> np.ndarray:
    """The ``positions`` (character offsets) that are outside quoted dialogue."""
    if not positions.size:
        return positions
    return positions[~quoted(view)[positions]]


def narration_marks(
    view: TextView, marks: tuple[str, ...] = ("!",), allow: float = 6, window: int = 1200
) -> float:
    """Marks (e.g. exclamation marks) in the narration, dialogue left out: at most ``allow`` in any
    ``window`` characters; adherence 1/(1+excess)."""
    if sum(view.count(m) for m in marks) <= allow:
        return 1.0
    pos = narration_mark_positions(view, tuple(marks))
    if pos.size <= allow:
        return 1.0
    return 1.0 / (1 + window_excess(pos, allow, window))


CHECKERS = {
    "mark_forms": mark_forms,
    "narration_marks": narration_marks,
    "question_pileup": question_pileup,
    "sentence_opening_variety": sentence_opening_variety,
    "consecutive_openings": consecutive_openings,
    "paragraph_length_variety": paragraph_length_variety,
    "sentence_length_variety": sentence_length_variety,
    "wall_of_text": wall_of_text,
    "quote_balance": quote_balance,
    "mixed_marks": mixed_marks,
    "narrative_person": narrative_person,
    "tense_consistency": tense_consistency,
}
