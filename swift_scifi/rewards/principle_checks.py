"""Rule checkers for the principle library. Each takes a TextView and the params from the data file and
returns adherence in [0, 1] (1 = follows the principle). Counting checkers return counts; see principles.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .narration import narration_thirds
from .view import TextView


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at ``good`` or better, 0 at ``bad`` or worse, linear between."""
    if good == bad:
        return 1.0 if value <= good else 0.0
    return min(1.0, max(0.0, (bad - value) / (bad - good)))


def _openings(view: TextView) -> np.ndarray:
    """Hashes of the sentence openings (first word en, first two characters zh; sentences without one
    are left out)."""
    ops = view.sentences.openings
    return ops[ops != 0]


def sentence_opening_variety(view: TextView, max_share: float = 0.3, min_sentences: int = 8) -> float:
    """Share of sentences opening with the most common first word (en) or first two characters (zh)."""
    ops = _openings(view)
    if len(ops) < min_sentences:
        return 1.0
    share = _mode_count(ops) / len(ops)
    return _ramp(share, max_share, min(1.0, max_share * 2.5))


def consecutive_openings(view: TextView, run: int = 4) -> float:
    """Runs of ``run`` or more consecutive sentences with the same opening; adherence 1/(1+runs)."""
    return 1.0 / (1 + _runs(_openings(view), run))


@njit(cache=True)
def _mode_count(values):
    """How often the most common value occurs (0 for none)."""
    best = 0
    v = np.sort(values)
    streak = 0
    for i in range(v.size):
        streak = streak + 1 if i and v[i] == v[i - 1] else 1
        best = max(best, streak)
    return best


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
def _cv(values):
    """Coefficient of variation (population standard deviation / mean) of a non-empty array."""
    m = values.sum() / values.size
    if m == 0:
        return 0.0
    var = 0.0
    for v in values:
        var += (v - m) ** 2
    return (var / values.size) ** 0.5 / m


def paragraph_length_variety(view: TextView, min_cv: float = 0.25, min_paragraphs: int = 5) -> float:
    """Coefficient of variation of paragraph lengths (chars); uniform blocks read as generated."""
    lengths = view.paragraphs.lengths
    if len(lengths) < min_paragraphs:
        return 1.0
    return min(1.0, _cv(lengths) / min_cv)


def sentence_length_variety(view: TextView, min_cv: float = 0.3, min_sentences: int = 8) -> float:
    """Coefficient of variation of sentence lengths (chars)."""
    lengths = view.sentences.lengths
    if len(lengths) < min_sentences:
        return 1.0
    return min(1.0, _cv(lengths) / min_cv)


def wall_of_text(view: TextView, max_units_zh: int = 500, max_units_en: int = 350) -> float:
    """Paragraphs longer than the limit (zh: characters, en: words); adherence 1/(1+count)."""
    paras = view.paragraphs
    if view.lang == "zh":
        over = int(np.count_nonzero(paras.lengths > max_units_zh))
    else:
        over = int(np.count_nonzero((paras.lengths > max_units_en) & (paras.spaces >= max_units_en)))
    return 1.0 / (1 + over)


def quote_balance(view: TextView, pairs: tuple[str, ...] = ("“”", "「」", "『』")) -> float:
    """Opening and closing quotation marks pair up; adherence 1/(1+unpaired)."""
    unpaired = sum(abs(view.count(p[0]) - view.count(p[1])) for p in pairs)
    return 1.0 / (1 + unpaired)


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
def _question_runs(questions, lengths, run, max_chars):
    """Runs of ``run``+ consecutive question sentences, each after the first at most ``max_chars`` long."""
    runs = 0
    streak = 0
    for i in range(questions.size):
        if questions[i] and (streak == 0 or lengths[i] <= max_chars):
            streak += 1
            runs += streak == run
        else:
            streak = 1 if questions[i] else 0
    return runs


def question_pileup(view: TextView, run: int = 3, max_chars: int = 80) -> float:
    """Rhetorical questions piled up: runs of ``run`` or more short question sentences in a row;
    adherence 1/(1+runs)."""
    s = view.sentences
    return 1.0 / (1 + _question_runs(s.questions, s.lengths, run, max_chars))


CHECKERS = {
    "mark_forms": mark_forms,
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
