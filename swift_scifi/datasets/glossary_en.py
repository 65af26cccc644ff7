"""English glossary: names (capitalised, also at sentence starts), multi-word names and coined terms.

A term is kept for one of these reasons:

- ``name``: a capitalised word or run of capitalised words ("Port Meridian") written capitalised
  mid-sentence at least once, or next to a speech verb ("said Varga"), and (almost) never in lower case;
  its sentence-opening uses count too; a multi-word one written in lower case at least as often is an
  ordinary phrase capitalised in headings, and a multi-word run on a heading line (title-cased, or a
  markdown heading) or a run-in heading ("1. Monthly Card Discount: ...") is no evidence at all. Leading titles and articles are dropped ("Captain Idris Varga" ->
  "Idris Varga", "The Halcyon Reach" -> "Halcyon Reach");
- ``coined compound``: a hyphenated lower-case word that recurs ("heat-ray", "fold-drive");
- ``coined phrase``: a recurring lower-case two-word phrase, rare in general English (its rarer word at most
  Zipf 4.2, from wordfreq) and cohesive (it carries half the uses of each of its words): "lattice anchor".

Plurals fold into the singular when both occur; possessives ('s) are never part of a term.
Stopwords, titles and common hyphenated words: data/datasets/term_stopwords.yaml.
"""

from __future__ import annotations

import re
from collections import Counter

from ..text.headings import is_title_line, line_at
from ..text.zipf import zipf, zipf_table

_CAP = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*"
_NAME_RE = re.compile(rf"\b{_CAP}(?:\s(?:{_CAP}))*\b")
_START_RE = re.compile(r"(?:^|[.!?:;]['\"”’)]*\s+|[\"“‘(]\s*|\n\s*)$")
_SPEECH = r"(?:said|says|asked|asks|replied|cried|shouted|whispered|answered|called|muttered|reported|added|exclaimed)"
# a run-in heading: a line's first words, after a list or bold mark at most, and a colon after them
_LINE_OPENING = re.compile(r"[ \t]*(?:(?:[-*+]|\d+[.)]|#+)[ \t]+)?(?:\*\*)?")
_RUN_IN_END = re.compile(r"(?:\*\*)?[:：](?:\*\*)?(?:\s|$)")
_HYPHEN_RE = re.compile(r"\b[A-Za-z]+(?:-[A-Za-z]+)+\b")
_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
# hyphenated adjectives ("awe-inspiring", "moss-like", "self-defense") and adjective-noun phrases are no terms
_ADJ_ENDINGS = ("ing", "ed", "like", "ly", "ful", "less", "ish")
_ADJ_ONLY = ("ous", "able", "ible", "ive", "al", "ic", "ent", "ant")
_MODIFIER_HEADS = frozenset({"self", "well", "ill", "full", "half", "fair", "ever", "all", "much", "never"})
RARE_ZIPF = 4.2  # a coined phrase's rarer word is at most this common (Zipf: log10 uses per 1e9 words)


def _run_in_heading(text: str, m: re.Match) -> bool:
    """Whether the capitalised run ``m`` is a run-in heading: a colon follows it and it opens a list item, a
    bold run or a paragraph ("1. Monthly Card Discount: the original price ...", "**Payback Period:**"). A bare
    line start is not enough: hard-wrapped prose starts lines mid-sentence ("the\nCaptain Nemo: I supposed")."""
    if _RUN_IN_END.match(text, m.end()) is None:
        return False
    line_start = text.rfind("\n", 0, m.start()) + 1
    opening = _LINE_OPENING.match(text, line_start)
    if opening is None or opening.end() != m.start():
        return False
    if text[line_start : m.start()].strip():
        return True  # after a list or bold mark
    if line_start == 0:
        return True  # the text's first line
    return not text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].strip()  # a paragraph's first


def _strip(words: list[str], stop: frozenset[str]) -> list[str]:
    while words and words[0] in stop:
        words = words[1:]
    while words and words[-1] in stop:
        words = words[:-1]
    return words


def names(text: str, stop: frozenset[str], min_count: int) -> dict[str, tuple[int, str]]:
    """Capitalised names: {name: (uses, reason)}."""
    mid: Counter[str] = Counter()
    start: Counter[str] = Counter()
    lower = Counter(w for w in _WORD_RE.findall(text) if w[0].islower())
    runs = []
    for m in _NAME_RE.finditer(text):
        if " " in m.group(0) and (is_title_line(line_at(text, m.start())) or _run_in_heading(text, m)):
            continue  # a heading capitalises its words: "## Pure Plant Masks", "1. Monthly Card Discount: ..."
        opens = bool(_START_RE.search(text[max(0, m.start() - 4) : m.start()]))
        runs.append((m.group(0).split(), opens))
    # a run not at a sentence start, or after a stopword that opens it ("The Time Traveller"), is mid-sentence
    runs = [(raw, opens and raw[0] not in stop) for raw, opens in runs]
    for raw, opens in runs:
        if not opens and (words := _strip(raw, stop)):
            mid[" ".join(words)] += 1
    for raw, opens in runs:
        if not opens:
            continue
        words = _strip(raw, stop)
        full = " ".join(words)
        if len(raw) > 1 and full not in mid:
            rest = _strip(raw[1:], stop)
            if " ".join(rest) in mid or lower[raw[0].lower()] or zipf(raw[0]) >= 4.5:
                words = rest  # "Ask Idris Varga": an ordinary word capitalised by the sentence start
        if not words:
            continue
        name = " ".join(words)
        if words[0] == raw[0]:
            start[name] += 1
        else:
            mid[name] += 1
    speech: Counter[str] = Counter()
    for m in re.finditer(rf"\b{_SPEECH}\s+({_CAP}(?:\s{_CAP})*)|({_CAP}(?:\s{_CAP})*)\s+{_SPEECH}\b", text):
        words = _strip((m.group(1) or m.group(2)).split(), stop)
        if words:
            speech[" ".join(words)] += 1
    for counts in (mid, start, speech):
        for w in [w for w in counts if w.endswith("s") and w[:-1] in (set(mid) | set(start))]:
            counts[w[:-1]] += counts.pop(w)  # Heat-Rays -> Heat-Ray, Martians -> Martian
    out: dict[str, tuple[int, str]] = {}
    for name in set(mid) | set(start):
        n = mid[name] + start[name]
        if n < min_count:
            continue
        if " " not in name and lower[name.lower()] * 10 > n:
            continue  # an ordinary word that happens to be capitalised
        if " " in name and len(re.findall(rf"\b{re.escape(name.lower())}\b", text)) >= n:
            continue  # an ordinary phrase capitalised in headings ("Payment Industry" beside "payment industry")
        if name.endswith(("ward", "wards")) and name.rstrip("s")[:-4] in mid:
            continue  # Londonward: a direction, not a name
        if mid[name]:
            why = f"name (capitalised mid-sentence {mid[name]} of {n} times)"
        elif speech[name]:
            why = f"name (next to a speech verb {speech[name]} times)"
        else:
            continue  # only ever opens a sentence: no evidence it is a name
        out[name] = (n, why)
    return out


def _fold_plurals(counts: Counter[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for w, n in counts.items():
        if w.endswith("s") and not w.endswith("ss") and w[:-1] in counts:
            out[w[:-1]] += n
        else:
            out[w] += n
    return out


def coined(
    text: str, stop: frozenset[str], common_hyphenated: frozenset[str], min_count: int
) -> dict[str, tuple[int, str]]:
    """Lower-case coined terms: recurring hyphenated words and rare cohesive two-word phrases."""
    out: dict[str, tuple[int, str]] = {}
    hyph = _fold_plurals(Counter(w.lower() for w in _HYPHEN_RE.findall(text)))
    for w, n in hyph.items():
        parts = w.split("-")
        if (
            n >= min_count
            and w not in common_hyphenated
            and not any(p in stop for p in parts)
            and parts[0] not in _MODIFIER_HEADS
            and not parts[-1].endswith(_ADJ_ENDINGS + ("ward", "wards"))
            and "".join(parts) not in zipf_table()  # an English word in old hyphenation: air-tight, to-day
        ):
            out[w] = (n, "coined compound (recurring hyphenated word)")
    raw = re.findall(r"[A-Za-z]+|[^\sA-Za-z]", text)
    tokens = [t if t.islower() else "." for t in raw]  # capitalised words belong to names, not phrases
    words = Counter(t.lower() for t in raw if t.isalpha())
    words = words + Counter({w[:-1]: n for w, n in words.items() if w.endswith("s") and w[:-1] in words})
    pairs = Counter(zip(tokens, tokens[1:], strict=False))
    bigrams: Counter[str] = Counter()
    for (a, b), n in pairs.items():
        if a.isalpha() and b.isalpha() and len(a) > 2 and len(b) > 2 and a not in stop and b not in stop:
            bigrams[f"{a} {b}"] += n
    for phrase, n in _fold_plurals(bigrams).items():
        a, b = phrase.split()
        if n < min_count or a.capitalize() in stop or b.capitalize() in stop:
            continue
        if a.endswith(_ADJ_ENDINGS + _ADJ_ONLY):
            continue  # an adjective and a noun ("ruined castles"), not a named thing
        rarer = min((a, b), key=zipf)
        if zipf(rarer) <= RARE_ZIPF and n >= 0.5 * max(words[a], words[b]):
            out[phrase] = (n, f"coined phrase (rare in English: {rarer} Zipf {zipf(rarer):.1f})")
    return out


def extract(
    text: str,
    stop: frozenset[str],
    common_hyphenated: frozenset[str],
    min_count: int = 3,
    function_words: frozenset[str] | None = None,
) -> list[tuple[str, int, str]]:
    """(term, count, reason) for the book ``text``, most frequent first. ``stop``: capitalised words that are
    no names; ``function_words``: lower-case words no coined phrase starts or ends with."""
    text = text.replace("_", " ")  # _italics_ (Project Gutenberg) around names
    found = names(text, stop, min_count)
    low_stop = frozenset(s.lower() for s in stop) | (function_words or frozenset())
    for w, v in coined(text, low_stop, common_hyphenated, min_count).items():
        if not any(w.lower() == k.lower() for k in found):
            found[w] = v
    return sorted(((w, n, why) for w, (n, why) in found.items()), key=lambda x: (-x[1], x[0]))
