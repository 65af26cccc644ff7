"""Rule checkers for the principle library. Each takes a TextView and the params from the data file and
returns adherence in [0, 1] (1 = follows the principle). Counting checkers return counts; see principles.py.
"""

from __future__ import annotations

import re
from collections import Counter

from .view import TextView

_QUOTED_RE = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"\n]*\"|『[^』]*』")
# English narration markers, matched as whole ``\w+`` tokens (what ``\b(?:...)\b`` matches).
_EN_FIRST = frozenset("i me my mine myself we us our".split())
_EN_PAST = frozenset("was were had did said went looked came saw knew thought felt".split())
_EN_PRESENT = frozenset("is are has does says goes looks comes sees knows thinks feels am".split())
_TOKEN_RE = re.compile(r"\w+")
_ED5_RE = re.compile(r"ed(?!\w)(?<=\w\w\w\w\w)")  # a token of 5+ word characters ending in -ed
# "he/she/it" + a verb in -s (third person present): \b(?:he|she|it)\s+(?!(?:was|has|is|does|says|goes)\b)
# ([a-z]+s)\b, written for the reversed text so that it starts with a literal; captures the verb, reversed,
# less its final s
_REVERSED_PRONOUN_VERB_RE = re.compile(
    r"s(?<!\ws)(?!(?:aw|ah|i|eod|yas|eog)\s)([a-z]+)\s+(?:eh|ehs|ti)(?!\w)"
)
_OPEN_PUNCT = "“”\"'「」『』‘’—-…*(（【[ \t"
# A sentence's opening after leading quotes/dashes (what ``str.lstrip(_OPEN_PUNCT)`` skips):
# zh the first two characters, en the first word (letters and apostrophes).
_OPENING_RE = {
    "zh": re.compile(f"[{re.escape(_OPEN_PUNCT)}]*(.{{0,2}})", re.DOTALL),
    "en": re.compile(f"[{re.escape(_OPEN_PUNCT)}]*([A-Za-z\u00c0-\u024f']*)"),
}


def narration(view: TextView) -> str:
    """The text with quoted dialogue removed (lower-cased); computed once per view."""
    if "_narration" not in view.__dict__:
        view.__dict__["_narration"] = _QUOTED_RE.sub(" ", view.lower)
    return view.__dict__["_narration"]


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at ``good`` or better, 0 at ``bad`` or worse, linear between."""
    if good == bad:
        return 1.0 if value <= good else 0.0
    return min(1.0, max(0.0, (bad - value) / (bad - good)))


def _openings(view: TextView) -> list[str]:
    """Sentence openings (en lower-cased; sentences without one are left out), computed once per view."""
    if "_openings" not in view.__dict__:
        found = [m.group(1) for m in map(_OPENING_RE[view.lang].match, view.sentences)]
        view.__dict__["_openings"] = (
            [o.lower() for o in found if o] if view.lang == "en" else [o for o in found if o]
        )
    return view.__dict__["_openings"]


def sentence_opening_variety(view: TextView, max_share: float = 0.3, min_sentences: int = 8) -> float:
    """Share of sentences opening with the most common first word (en) or first two characters (zh)."""
    ops = _openings(view)
    if len(ops) < min_sentences:
        return 1.0
    share = Counter(ops).most_common(1)[0][1] / len(ops)
    return _ramp(share, max_share, min(1.0, max_share * 2.5))


def consecutive_openings(view: TextView, run: int = 4) -> float:
    """Runs of ``run`` or more consecutive sentences with the same opening; adherence 1/(1+runs)."""
    ops = _openings(view)
    runs, streak = 0, 1
    for a, b in zip(ops, ops[1:], strict=False):
        streak = streak + 1 if a == b else 1
        runs += streak == run
    return 1.0 / (1 + runs)


def _cv(values: list[int]) -> float:
    """Coefficient of variation (population standard deviation / mean)."""
    m = sum(values) / len(values)
    if not m:
        return 0.0
    return (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5 / m


def paragraph_length_variety(view: TextView, min_cv: float = 0.25, min_paragraphs: int = 5) -> float:
    """Coefficient of variation of paragraph lengths (chars); uniform blocks read as generated."""
    lengths = [len(p) for p in view.paragraphs]
    if len(lengths) < min_paragraphs:
        return 1.0
    return min(1.0, _cv(lengths) / min_cv)


def sentence_length_variety(view: TextView, min_cv: float = 0.3, min_sentences: int = 8) -> float:
    """Coefficient of variation of sentence lengths (chars)."""
    lengths = [len(s) for s in view.sentences]
    if len(lengths) < min_sentences:
        return 1.0
    return min(1.0, _cv(lengths) / min_cv)


def wall_of_text(view: TextView, max_units_zh: int = 500, max_units_en: int = 350) -> float:
    """Paragraphs longer than the limit (zh: characters, en: words); adherence 1/(1+count)."""
    if view.lang == "zh":
        over = sum(1 for p in view.paragraphs if len(p) > max_units_zh)
    else:
        over = sum(1 for p in view.paragraphs if len(p) > max_units_en and p.count(" ") >= max_units_en)
    return 1.0 / (1 + over)


def quote_balance(view: TextView, pairs: tuple[str, ...] = ("“”", "「」", "『』")) -> float:
    """Opening and closing quotation marks pair up; adherence 1/(1+unpaired)."""
    t = view.text
    unpaired = sum(abs(t.count(p[0]) - t.count(p[1])) for p in pairs)
    return 1.0 / (1 + unpaired)


def mixed_marks(view: TextView, a: str = '"', b: str = "“”") -> float:
    """One quotation style throughout: 1 when only one of the two sets is used, less the more they mix."""
    ca = sum(view.text.count(c) for c in a)
    cb = sum(view.text.count(c) for c in b)
    return 1.0 - 2 * min(ca, cb) / (ca + cb) if ca + cb else 1.0


def _thirds(text: str) -> list[str]:
    n = len(text)
    return [text[: n // 3], text[n // 3 : 2 * n // 3], text[2 * n // 3 :]]


def _en_third_counts(view: TextView) -> list[tuple[int, int, int, int]]:
    """Per third of the English narration: (words, first-person, past, present) marker counts.

    Past = was/had/said... or any 5+ character word in -ed; present = is/has/says... or "he/she/it"
    followed by a verb in -s (the verb then counts once). Computed once per view.
    """
    if "_en_thirds" not in view.__dict__:
        view.__dict__["_en_thirds"] = [_en_counts(part) for part in _thirds(narration(view))]
    return view.__dict__["_en_thirds"]


_PAST_WORDS = frozenset(w for w in _EN_PAST if not (len(w) >= 5 and w.endswith("ed")))


def _en_counts(part: str) -> tuple[int, int, int, int]:
    tokens = Counter(_TOKEN_RE.findall(part))
    verbs = [v[::-1] + "s" for v in _REVERSED_PRONOUN_VERB_RE.findall(part[::-1])]
    first = sum(tokens[w] for w in _EN_FIRST)
    past = sum(tokens[w] for w in _PAST_WORDS) + len(_ED5_RE.findall(part))
    present = sum(tokens[w] for w in _EN_PRESENT) + sum(1 for v in verbs if v not in _EN_PRESENT)
    return len(part.split()), first, past, present


def narrative_person(view: TextView, min_rate: float = 0.02, min_units: int = 75) -> float:
    """Narration (dialogue removed) keeps one person. Heuristic: first-person pronouns (en I/me/my/we...,
    zh 我) at ``min_rate`` or more of the units in one third, and none at all in another third, is a shift.
    Texts with fewer than ``min_units`` units of narration are not judged."""
    if view.lang == "zh":
        # characters: close enough to 字 for a rate
        counts = [(len(part), part.count("我")) for part in _thirds(narration(view))]
    else:
        counts = [(units, first) for units, first, _, _ in _en_third_counts(view)]
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
    for _, _, past, present in _en_third_counts(view):
        if past + present < min_verbs:
            return 1.0
        shares.append(past / (past + present))
    return _ramp(max(shares) - min(shares), max_gap, min(1.0, max_gap + 0.3))


CHECKERS = {
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
