"""Term consistency: established names and terms used as written, near-miss variants penalised.

One Aho-Corasick automaton per term list (LRU-cached) holds, lower-cased:
- each term (an exact hit whose original case differs is a *case* variant);
- its variants: traditional/simplified (opencc), spacing/hyphen forms, full/half width, for Chinese terms of
  2-6 characters one-character homophone / look-alike swaps (:mod:`.zh_variants`; a swap that makes a common
  word counts only in the term's own surroundings), and for Latin terms of 5+ letters an edit-distance-1
  set (inner deletion, adjacent transposition, vowel swap, doubled letter), which for a capitalised term
  counts only when written capitalised, and for a one-word term not when it is an English word or name of
  its own (:func:`_another_word`: Martin beside Martian);
- for CJK terms of 4+ characters, 2-character prefix/suffix anchors: the span of the term's length at an
  anchor with exactly one other character changed is a near miss (天枢深空观侧站 for 天枢深空观测站), when
  ``1 - 1/len(term) >= term_fuzzy_threshold`` and the changed character sounds or looks like the one it
  replaces (:func:`.zh_variants.confusable_swap`; 国际局势 beside 国际形势 is another word).
A lower-case term capitalised by its place (a sentence start, a heading, a longer name) is a correct use
(:func:`capitalised_by_place`). Forms in ``allowed`` (a row's ``term_forms``: near-forms the book itself
uses) are never near misses.
One pass over the text: cost is linear in text length plus the number of hits.

Score (0-1, higher is better): ``(1 - c) * precision + c * coverage`` where
``precision = correct / (correct + variants)`` (``term_no_mention_score`` when neither occurs),
``coverage = distinct terms used correctly / min(len(terms), term_coverage_cap)`` and ``c = term_coverage_weight``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right, insort
from dataclasses import dataclass, field
from functools import lru_cache
from operator import countOf

import numpy as np

from ..text.headings import glued_title_start, is_title_line, line_at
from ..text.scripts import CJK_RE
from ..text.zipf import zipf
from .config import DEFAULTS, RewardConfig
from .phrase_index import PhraseIndex, codepoints
from .term_kernels import key_info, lower_table, scan
from .zh_variants import (
    confusable_swap,
    reads_as_other_words,
    substitution_variants,
    word_swap_is_slip,
    word_variants,
)

EXACT, VARIANT, PREFIX, SUFFIX = 0, 1, 2, 3
FUZZY_MIN_CHARS = 4  # shorter CJK terms get homophone / look-alike swaps only: 3-字 fuzzy spans hit real prose (31% of windows)
_VOWELS = "aeiouy"
OTHER_WORD_ZIPF = 3.0  # a one-edit form this familiar (wordfreq Zipf) is a word of its own: Martin, Best
_SEPARATORS = (" ", "-", "", "·", "_")


@dataclass
class TermReport:
    """Per-term counts for one text: ``correct[t]``, and ``variants[t]`` as (surface form, kind) pairs."""

    terms: list[str]
    correct: dict[str, int] = field(default_factory=dict)
    variants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def n_correct(self) -> int:
        return sum(self.correct.values())

    @property
    def n_variants(self) -> int:
        return sum(map(len, self.variants.values()))

    def score(self, cfg: RewardConfig = DEFAULTS) -> float:
        c, v = self.n_correct, self.n_variants
        precision = c / (c + v) if c + v else cfg.term_no_mention_score
        cap = max(1, min(len(self.terms), cfg.term_coverage_cap))
        coverage = min(1.0, (len(self.correct) - countOf(self.correct.values(), 0)) / cap)  # terms used
        w = cfg.term_coverage_weight
        return (1 - w) * precision + w * coverage

    def rows(self) -> list[dict]:
        """One row per term: term, correct uses, variant uses and the variant forms seen."""
        return [
            {
                "term": t,
                "correct": self.correct.get(t, 0),
                "variants": len(self.variants.get(t, [])),
                "forms": sorted({f"{s} ({k})" for s, k in self.variants.get(t, [])}),
            }
            for t in self.terms
        ]


def _is_cjk_term(term: str) -> bool:
    return bool(CJK_RE.search(term))


def _opencc_forms(term: str) -> set[str]:
    if not _is_cjk_term(term):
        return set()
    return {_converter("s2t").convert(term), _converter("t2s").convert(term)} - {term}


@lru_cache(maxsize=2)
def _converter(kind: str):
    from opencc import OpenCC

    return OpenCC(kind)


def _spacing_forms(term: str) -> set[str]:
    parts = [p for p in re.split(r"[\s\-·_]+", term) if p]
    if len(parts) < 2:
        return set()
    return {sep.join(parts) for sep in _SEPARATORS} - {term}


def _edit1_forms(term: str) -> set[str]:
    """Latin near misses of a 5+ letter word or name (spaces and hyphens kept in place): inner deletions,
    transpositions, vowel swaps, doubling."""
    w = term.lower()
    if len(w) < 5 or not w.isascii() or not w.replace(" ", "").replace("-", "").isalpha():
        return set()
    out: set[str] = set()
    seps = " -"
    for i, ch in enumerate(w):
        if ch in seps:
            continue
        if 0 < i < len(w) - 1 and not (w[i - 1] in seps and w[i + 1] in seps):
            out.add(w[:i] + w[i + 1 :])  # inner deletion (dropping an end letter mostly makes real words)
        if i + 1 < len(w) and w[i + 1] not in seps and w[i + 1] != ch:
            out.add(w[:i] + w[i + 1] + ch + w[i + 2 :])  # transposition
        if ch in _VOWELS and i > 0:
            out.update(w[:i] + v + w[i + 1 :] for v in _VOWELS if v != ch)
        out.add(w[:i] + ch + w[i:])  # doubled letter
    return out - {w}


def _width_forms(term: str) -> set[str]:
    """The term with ASCII letters/digits/punctuation in full width (ＡＩ-７ for AI-7), and the reverse."""
    if any("\uff01" <= ch <= "\uff5e" for ch in term):
        return {unicodedata.normalize("NFKC", term)} - {term}
    if not any(ch.isascii() and ch.isalnum() for ch in term):
        return set()
    return {"".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in term)} - {term}


def term_variants(term: str) -> dict[str, str]:
    """Lower-cased near-miss forms of ``term`` mapped to their kind: homophone and lookalike (one Chinese
    character swapped; homophone-word when a sound-alike swap makes a common word, function-char when the
    swap is to a function character), edit1, spacing
    (hyphenation too), width (full/half-width), opencc (script)."""
    out: dict[str, str] = {**word_variants(term), **substitution_variants(term)}
    for kind, forms in (
        ("edit1", _edit1_forms(term)),
        ("spacing", _spacing_forms(term)),
        ("width", _width_forms(term)),
        ("opencc", _opencc_forms(term)),
    ):
        for f in forms:
            out[f.lower()] = kind
    out.pop(term.lower(), None)
    return out


def near_miss_forms(term: str) -> dict[str, list[str]]:
    """The near-miss forms of ``term`` the reward counts as slips, by kind (lower-cased, sorted): what
    :func:`term_variants` lists, plus ``fuzzy: ["(any of its N characters, by sound or shape)"]`` for a CJK
    term of 4+ characters, whose every one-character homophone or look-alike change counts (subject to the
    checks of :meth:`TermMatcher.report`)."""
    out: dict[str, list[str]] = {}
    for form, kind in term_variants(term).items():
        out.setdefault(kind, []).append(form)
    for forms in out.values():
        forms.sort()
    if _is_cjk_term(term) and len(term) >= FUZZY_MIN_CHARS:
        out["fuzzy"] = [f"(any of its {len(term)} characters, by sound or shape)"]
    return out


class TermMatcher:
    """Compiled state for one term list: the automaton and term metadata. Build via :func:`matcher_for`. A
    term listed twice counts once (its uses are not counted twice)."""

    def __init__(self, terms: tuple[str, ...]):
        terms = tuple(dict.fromkeys(terms))
        self.terms = list(terms)
        self.term_keys = {t.lower() for t in terms}
        payload: dict[str, list[tuple[int, int, str]]] = {}
        for i, t in enumerate(terms):
            payload.setdefault(t.lower(), []).append((i, EXACT, ""))
        for i, t in enumerate(terms):
            for form, kind in term_variants(t).items():
                if form not in self.term_keys:
                    payload.setdefault(form, []).append((i, VARIANT, kind))
            if _is_cjk_term(t) and len(t) >= FUZZY_MIN_CHARS:
                payload.setdefault(t[:2].lower(), []).append((i, PREFIX, ""))
                payload.setdefault(t[-2:].lower(), []).append((i, SUFFIX, ""))
        self.edges = [(t[0].isascii(), t[-1].isascii()) for t in terms]  # Latin-edged: whole words only
        self.caps = [t[0].isupper() for t in terms]
        direct = [tuple(x for x in items if x[1] < PREFIX) for items in payload.values()]
        anchored = [
            tuple(sorted({(x[1], len(terms[x[0]])) for x in items if x[1] >= PREFIX}))
            for items in payload.values()
        ]
        self.payload_keys = list(payload)
        # per key: the term index when the key is one caseless term with no Latin edge and no anchor (a hit
        # is a correct use, nothing to check), else -1; and whether every item needs a word edge at start/end
        self.fast = [
            d[0][0] if len(d) == 1 and d[0][1] == EXACT and not a and _plain(terms[d[0][0]]) else -1
            for d, a in zip(direct, anchored, strict=True)
        ]
        # per key: the term index when the key is one exact term (any script), else -1; a hit of it written as
        # listed is a correct use, and an anchor the key also is sits inside that use (the fuzzy pass skips it)
        self.single = [d[0][0] if len(d) == 1 and d[0][1] == EXACT else -1 for d in direct]
        self.key_edges = [
            (bool(d) and all(self.edges[x[0]][0] for x in d), bool(d) and all(self.edges[x[0]][1] for x in d))
            for d in direct
        ]
        # keys that count only at a word start are looked up at word starts only (most of English prose skipped)
        # the homophone / look-alike swaps (one substitution of a term) are found through masked terms
        self.index = PhraseIndex(
            self.payload_keys,
            list(zip(direct, anchored, strict=True)),
            [e[0] for e in self.key_edges],
            bases=sorted(self.term_keys),
            word_end=[e[1] for e in self.key_edges],  # what triage would drop is not reported at all
        )
        self.empty = self.index.empty
        anchor_only = [not d and bool(a) for d, a in zip(direct, anchored, strict=True)]
        info = key_info(
            self.fast,
            self.single,
            [e[0] for e in self.key_edges],
            [e[1] for e in self.key_edges],
            anchor_only,
        )
        term_codes, term_off = _concat_codes(self.terms)
        # the index's tables and the triage's, in the four arrays the kernel takes (slots U32_TERM_CODES,
        # U32_LOWER, I64_INFO, I64_TERM_OFF)
        self._pools = self.index.pools(u32=(term_codes, lower_table()), i64=(info, term_off))
        # fuzzy near misses: each 4+ character CJK term with one character masked -> term indexes
        self.masked: dict[str, list[int]] = {}
        for i, t in enumerate(terms):
            if _is_cjk_term(t) and len(t) >= FUZZY_MIN_CHARS:
                low = t.lower()
                for j in range(len(low)):
                    self.masked.setdefault(low[:j] + "\0" + low[j + 1 :], []).append(i)
        self._variant_keys: dict[str, frozenset[str]] = {}

    def _scan(self, text: str, codes: np.ndarray) -> list[int]:
        """:func:`term_kernels.scan` of one text (``codes``: its code points), as a list. The kernel lower-cases
        the text as ``str.lower`` does, or asks for ``text.lower()`` (a capital sigma, whose lower case depends
        on its neighbours)."""
        res = scan(_NO_CODES, codes, *self._pools)
        if res[0] == -2:
            lower = text.lower()
            res = scan(codepoints(lower) if len(lower) == len(text) else codes, codes, *self._pools)
        return res.tolist()

    def variant_keys(self, term: str) -> frozenset[str]:
        """The lower-cased near-miss forms of ``term`` (one of this matcher's terms), cached."""
        if term not in self._variant_keys:
            self._variant_keys[term] = frozenset(term_variants(term))
        return self._variant_keys[term]

    def report(
        self,
        text: str,
        lower: str | None = None,
        threshold: float = DEFAULTS.term_fuzzy_threshold,
        allowed: frozenset[str] = frozenset(),
    ) -> TermReport:
        """Count correct uses and near misses of every term in ``text``. ``lower``: ``text.lower()`` (or
        ``text`` where lowering changes its length), read only by the near-miss checks; computed if None.
        ``allowed``: lower-cased forms that are never near misses (the book's own near-forms, ``term_forms``)."""
        rep = TermReport(self.terms)
        if self.empty or not text:
            return rep
        # the compiled pass lower-cases the text, finds every key and settles correct uses as listed and hits
        # inside longer words
        res = self._scan(text, codepoints(text))
        nt, ns, nr = res[0], res[1], res[2]
        terms = self.terms
        # (term index, uses) pairs, one per term, each of a term listed once (a repeated one is never settled
        # in the kernel): the dict built at once
        pairs = zip(map(terms.__getitem__, res[3 : 3 + 2 * nt : 2]), res[4 : 4 + 2 * nt : 2], strict=True)
        rep.correct = correct = dict(pairs)
        if not nr:
            return rep
        p = 3 + 2 * nt
        spans = list(zip(res[p : p + 2 * ns : 2], res[p + 1 : p + 2 * ns : 2], strict=True))
        p += 2 * ns
        anchors: list[tuple[int, int, tuple]] = []
        misses: list[tuple[int, int, str, str]] = []
        payloads, edges, caps, n = self.index.payloads, self.edges, self.caps, len(text)
        word_ch = _WORD_CHARS
        low = None
        names_only: dict[str, bool] = {}  # capitalised_in_names_only per term, asked at lower-case hits
        for q in range(p, p + 3 * nr, 3):
            k, start, end = res[q], res[q + 1], res[q + 2]
            direct, anchored = payloads[k]
            if anchored:
                anchors.append((start, end - 1, anchored))
            for ti, kind, vkind in direct:
                check_start, check_end = edges[ti]
                if check_start:
                    if vkind == "edit1" and caps[ti] and not text[start].isupper():
                        continue  # an edit-1 form of a name counts only capitalised ('than' is no 'Thana')
                    if start and text[start - 1] in word_ch:
                        continue  # inside a longer word (Ares in 'squares')
                if check_end and end < n and text[end] in word_ch and not _plural_end(text, end):
                    continue
                term = terms[ti]
                if kind == EXACT:
                    surface = text[start:end]
                    if surface == term:
                        spans.append((start, end))
                        correct[term] = correct.get(term, 0) + 1
                        continue
                    if surface.isupper() and len(surface) > 1:
                        continue  # DEJAH THORIS in a heading or for emphasis is no case slip
                    if term[0].islower() and capitalised_by_place(text, start, surface, term):
                        spans.append((start, end))
                        correct[term] = correct.get(term, 0) + 1
                        continue  # "Heat-ray" opening a sentence, "Load Forecasting" in a heading
                    if surface[0].islower() and term[0].isupper():
                        if term not in names_only:  # one scan of the text per term, however many hits
                            names_only[term] = capitalised_in_names_only(text, term)
                        if names_only[term]:
                            continue  # "the first robo-advisor" where Robo-Advisor heads names (HFT Robo-Advisor)
                elif vkind in _WORD_SWAPS and not word_swap_is_slip(text, start, end, term):
                    continue  # a word the writer may mean (八届, 行这): a slip only where the sentence wants the term
                elif vkind == "edit1" and _another_word(text, start, end, term):
                    continue  # Martin beside Martian, Francis beside France: a word of its own, not a slip
                elif vkind in _CHAR_SWAPS and reads_as_other_words(
                    text, start, end, _changed(text[start:end], term, start), term
                ):
                    continue  # the swapped character belongs to a common word (包含楚国 holds 含楚, no 韩楚)
                if allowed:
                    if low is None:
                        low = _lowered(text, lower)
                    if low[start:end] in allowed:
                        continue  # a form the book itself uses (紧箍 beside 金箍)
                if check_end and _latin_plural(text, start, end, term):
                    spans.append((start, end))
                    correct[term] = correct.get(term, 0) + 1
                    continue  # Case Studies, crises: the term's plural
                if (check_start or check_end) and _in_link(text, start, end):
                    continue  # part of a web address, an e-mail or a handle: glenmarkpharma.com, alex.meyers
                misses.append((start, end, term, vkind or "case"))
        spans.sort()
        if misses:
            exact = list(spans)
            for start, end, term, vkind in misses:
                if _covered(exact, start, end) or _covered(spans, start, end):
                    continue  # inside a correct use of another term, or inside a variant already counted
                if not _overlaps(spans, start, end) or any(a >= start and b <= end for a, b in exact):
                    insort(spans, (start, end))
                    rep.variants.setdefault(term, []).append((text[start:end], vkind))
        if anchors:
            self._fuzzy(rep, text, anchors, spans, threshold, allowed)
        return rep

    def _fuzzy(self, rep, text, anchors, spans, threshold, allowed) -> None:
        """Near misses at prefix/suffix anchors (one masked-term lookup per candidate position); an anchor
        inside a matched term is skipped at once."""
        seen: set[tuple[int, int]] = set()
        terms, keys, masked, n_text = self.terms, self.term_keys, self.masked, len(text)
        for a_start, a_end, groups in anchors:
            if _overlaps(spans, a_start, a_end + 1):
                continue
            for kind, n in groups:
                if 1 - 1 / n < threshold:
                    continue  # one changed character is all a fuzzy near miss may have
                start = a_start if kind == PREFIX else a_end + 1 - n
                end = start + n
                if start < 0 or end > n_text:
                    continue
                cand = text[start:end]
                low = cand.lower()
                if low in keys or low in allowed:
                    continue
                for j in range(2, n) if kind == PREFIX else range(n - 2):
                    for ti in masked.get(low[:j] + "\0" + low[j + 1 :], ()):
                        term = terms[ti]
                        if (start, ti) in seen or sum(a != b for a, b in zip(cand, term, strict=True)) != 1:
                            continue  # Levenshtein distance 1 between equal lengths: one substitution
                        if _overlaps(spans, start, end) or len(CJK_RE.findall(cand)) != n:
                            continue
                        if not confusable_swap(cand, term):
                            continue  # 国际局势 for 国际形势: another word, neither sounding nor looking like it
                        if not reads_as_other_words(text, start, end, _changed(cand, term, start), term):
                            seen.add((start, ti))
                            insort(spans, (start, end))
                            rep.variants.setdefault(term, []).append((cand, "fuzzy"))


_CHAR_SWAPS = ("homophone", "lookalike")
_NO_CODES = np.zeros(0, np.uint32)
_WORD_SWAPS = ("homophone-word", "function-char")


def _concat_codes(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The terms' code points end to end (uint32) and their offsets (int64, len(terms) + 1)."""
    arrays = [codepoints(t) for t in terms]
    offsets = np.zeros(len(arrays) + 1, np.int64)
    np.cumsum([a.shape[0] for a in arrays], out=offsets[1:])
    return (np.concatenate(arrays) if arrays else np.zeros(0, np.uint32)), offsets


def _lowered(text: str, lower: str | None) -> str:
    """``lower`` if given, else ``text.lower()``; ``text`` itself when lowering changes its length."""
    low = lower if lower is not None else text.lower()
    return low if len(low) == len(text) else text


def _plain(term: str) -> bool:
    """A term with no cased letter and no ASCII edge (孙悟空, 曲率引擎): any hit of it is written as listed."""
    return term.lower() == term.upper() == term and not (term[0].isascii() or term[-1].isascii())


_SENTENCE_START_RE = re.compile(
    r"(?:[.!?:;…]['\"”’)\]*_]*\s+|[\"“‘(\[*_]\s*|\n[ \t]*\n[ \t]*|\n[ \t]*(?:[#>*+-]+|\d+[.)])[ \t]+)$"
)  # before a sentence's first word: an end mark, an open quote, a blank line, a list or heading mark (a bare
# line break is none: hard-wrapped prose breaks lines mid-sentence)


def capitalised_by_place(text: str, start: int, surface: str, term: str) -> bool:
    """Whether ``surface``, the lower-case ``term`` with capitals, is the term capitalised by where it stands:
    its first letter opening a sentence, a line or a quotation ("Heat-ray after heat-ray"); some of its words'
    first letters on a heading line ("Smart Grid Load Forecasting and Dispatch", "Creating a Time-effective
    Team"); or every word's first letter inside a longer capitalised name ("the Disciplinary Inspection
    Commission", not "a Martian Fighting-machine"), before its abbreviation ("Payback Period (PP)") or in a
    run-in heading ("2) Safety Supervision: ..."), or in a heading glued to the end of a line
    (:func:`_in_glued_heading`)."""
    if surface[0].isupper() and surface[1:] == term[1:] and _at_sentence_start(text, start):
        return True
    initials = [i for i, ch in enumerate(term) if ch.isalpha() and (i == 0 or not term[i - 1].isalpha())]
    if any(a != b and i not in initials for i, (a, b) in enumerate(zip(surface, term, strict=False))):
        return False  # a capital inside a word: no place explains it
    if all(surface[i].isupper() for i in initials if i < len(surface)):
        end = start + len(surface)
        after = re.match(r"[ \t]+(?:([A-Z][A-Za-z]+)|\(([A-Z]{2,})\))", text[end : end + 24])
        before = re.search(r"\b([A-Z][A-Za-z]+)[ \t]+$", text[max(0, start - 30) : start])
        if after or (before and not _at_sentence_start(text, max(0, start - 30) + before.start())):
            return True  # inside a longer name (the Disciplinary Inspection Commission), or defined: (PP)
        if text[end : end + 1] in (":", "*", "：") and _at_sentence_start(text, start):
            return True  # a run-in heading: "2) Safety Supervision: ...", "**Heat-Ray:**"
    line = line_at(text, start)
    if is_title_line(line):
        return True
    return _in_glued_heading(text, start, line)


def capitalised_in_names_only(text: str, term: str) -> bool:
    """Whether the capitalised ``term`` is, in ``text``, a head noun that several names share: capitalised
    right after two or more different capitalised words mid-sentence or acronyms ("HFT Robo-Advisor", "Heitu
    AI Robo-Advisor") and never on its own after a lower-case word ("the Heat-Ray"). A lower-case use ("the
    first true robo-advisor") is then the ordinary noun, no case slip. The last word of one name ("Than
    Kosis", "Captain Nemo") is part of that name, and its lower-case form stays a slip. Uses opening a
    sentence or a line say neither."""
    names: set[str] = set()
    for m in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text):
        lo = max(0, m.start() - 40)
        before = re.search(r"(\S+)[ \t]+$", text[lo : m.start()])
        if before is None or before.group(1)[-1] in ".!?:;…\"“”'‘’)]*_":
            continue  # the term opens a line, a sentence or a quotation
        word = before.group(1)
        if not word[0].isupper():
            return False  # the term on its own: "the Heat-Ray"
        if (word.isupper() and len(word) > 1) or not _at_sentence_start(text, lo + before.start()):
            names.add(word)  # "HFT Robo-Advisor"; not "The Heat-Ray" opening a sentence
    return len(names) >= 2


def _in_glued_heading(text: str, start: int, line: str) -> bool:
    """Whether ``text[start]`` lies in a heading glued to the end of its ``line``
    (:func:`.glued_title_start`: "... literary materials Mysterious and Supernatural Phenomena in Folk Tales")
    that the next line does not continue in lower case (a hard-wrapped sentence would)."""
    tail = glued_title_start(line)
    line_start = text.rfind("\n", 0, start) + 1
    if tail is None or start - line_start < tail:
        return False
    after = _NEXT_CHAR.search(text, line_start + len(line))
    return after is None or not after.group().islower()


_NEXT_CHAR = re.compile(r"\S")


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start]`` opens a sentence, a quotation, a list item or the line after a heading
    (:data:`_SENTENCE_START_RE`, :func:`.is_title_line`)."""
    before = text[max(0, start - 8) : start]
    if _SENTENCE_START_RE.search(before if start > 8 else "\n\n" + before):
        return True
    if not before.rstrip(" \t").endswith("\n"):
        return False
    nl = text.rfind("\n", 0, start)
    return nl <= 0 or is_title_line(line_at(text, nl - 1))


def _changed(surface: str, term: str, start: int) -> list[int]:
    """Absolute indexes of the characters where ``surface`` (at ``start``) differs from ``term``."""
    return [start + i for i, (a, b) in enumerate(zip(surface, term, strict=False)) if a != b]


def _another_word(text: str, start: int, end: int, term: str) -> bool:
    """Whether the one-edit form ``text[start:end]`` of the one-word ``term`` is an English word or name of
    its own: it, or the whole word it opens, has Zipf >= ``OTHER_WORD_ZIPF`` (Martin beside Martian, Francis
    beside France, Best beside Brest). A real-word slip reads as meant, so only a spelling no reader knows is
    counted. Doubling or undoubling a letter respells the same word (Traveler for Traveller, Phillip for
    Philip): still a slip."""
    if not term.isalpha():
        return False  # a multi-word or hyphenated term: the changed word stands inside the name
    surface, low = text[start:end].lower(), term.lower()
    if _doubling(surface, low):
        return False
    e = end
    while e < len(text) and _latin_word_char(text[e]):
        e += 1
    return max(zipf(surface), zipf(text[start:e])) >= OTHER_WORD_ZIPF


def _doubling(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one doubled letter (traveler, traveller)."""
    short, long = sorted((a, b), key=len)
    if len(long) != len(short) + 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return long[:i] + long[i + 1 :] == short and (
        long[i - 1 : i] == long[i] or long[i + 1 : i + 2] == long[i]
    )


def _latin_plural(text: str, start: int, end: int, term: str) -> bool:
    """Whether ``text[start:end]`` is the plural of ``term`` that one edit away looks like a slip: -y to
    -ies (Case Study, Case Studies) or, for a lower-case term, -is to -es (crisis, crises; Pares is no
    plural of Paris)."""
    low, t = text[start:end].lower(), term.lower()
    if t.endswith("y") and low == t[:-1] + "i":
        return text[end : end + 2].lower() == "es"
    return term.islower() and t.endswith("is") and low == t[:-2] + "es"  # not a name: Paris, Pares


_LINK_MARKS = frozenset("./@:")  # what stands right beside a word inside an address or a handle
_LINK_RE = re.compile(r"://|www\.|@|[a-z0-9]\.[a-z]{2,}")


def _in_link(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies in a web address, an e-mail address or a dotted handle (the token
    between spaces, at most 100 characters each side, holds ://, www., @ or a dot between lower-case letters)."""
    if (not start or text[start - 1] not in _LINK_MARKS) and text[end : end + 1] not in _LINK_MARKS:
        return False  # a word between spaces or punctuation, as nearly every hit is
    if not _LINK_RE.search(text, max(0, start - 100), end + 100):
        return False
    a = max(text.rfind(c, max(0, start - 100), start) for c in " \n\t(<[") + 1
    ends = [i for i in (text.find(c, end, end + 100) for c in " \n\t)>]") if i >= 0]
    return bool(_LINK_RE.search(text[a : min(ends) if ends else end + 100]))


def _plural_end(text: str, end: int) -> bool:
    """``text[end:]`` starts with a plural ending that ends the word: s (Morlocks, Heat-Rays), or es after s x
    z o ch sh or the i of -ies (boxes, Studies; Nam + es is names, Lin + es is lines: no plural of theirs)."""
    for suf in ("s", "es"):
        e = end + len(suf)
        if text[end:e] == suf and (e >= len(text) or not _latin_word_char(text[e])):
            if suf == "es" and not (
                text[end - 1 : end].lower() in _ES_STEM_ENDS or text[end - 2 : end].lower() in ("ch", "sh")
            ):
                continue
            return True
    return False


_ES_STEM_ENDS = frozenset("sxzoi")


_WORD_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "".join(map(chr, range(0xC0, 0x250)))
)


def _latin_word_char(ch: str) -> bool:
    """A character of ``WORD_RE``'s runs: ASCII letters and digits, U+00C0-U+024F."""
    return ch in _WORD_CHARS


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one span of the sorted ``spans`` contains [start, end)."""
    i = bisect_right(spans, (start, 10**18))
    for j in range(i - 1, max(-1, i - 9), -1):  # the 8 nearest spans starting at or before ``start``
        if spans[j][1] >= end:
            return True
    return False


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(spans, (start, 10**18))
    if i > 0 and spans[i - 1][1] > start:
        return True
    return i < len(spans) and spans[i][0] < end


@lru_cache(maxsize=256)
def matcher_for(terms: tuple[str, ...]) -> TermMatcher:
    """The compiled matcher for a term tuple (cached: GRPO repeats each prompt's terms per generation)."""
    return TermMatcher(terms)


def allowed_forms(forms) -> frozenset[str]:
    """The ``term_forms`` of a row (forms the book itself uses beside its terms) as the lower-cased set
    :meth:`TermMatcher.report` takes; None or an empty list gives the empty set."""
    return frozenset(f.lower() for f in forms or () if isinstance(f, str) and f)


def term_report(
    text: str, terms: list[str], cfg: RewardConfig = DEFAULTS, forms: list[str] | None = None
) -> TermReport:
    """Per-term breakdown of ``text`` (see :class:`TermReport`; ``.rows()`` for a table); ``forms`` are
    near-forms the book itself uses, never counted as near misses."""
    return matcher_for(tuple(dict.fromkeys(terms))).report(
        text, threshold=cfg.term_fuzzy_threshold, allowed=allowed_forms(forms)
    )


def term_consistency_score(
    text: str, terms: list[str], cfg: RewardConfig = DEFAULTS, forms: list[str] | None = None
) -> float:
    """Term consistency of ``text`` in [0, 1] (formula in the module docstring)."""
    return term_report(text, terms, cfg, forms).score(cfg)


def variant_counts(text: str, terms: list[str]) -> dict[str, dict[str, int]]:
    """For each term, how often each of its near-miss forms occurs in ``text`` (a whole book: one pass), as
    ``{term: {form: uses}}``; a form near two terms (兰英 for 兰言 and 兰音) counts for both, and so does
    another of ``terms`` near it (a book's glossary holds 兰言 and 兰英); terms without one are left out."""
    matcher = matcher_for(tuple(dict.fromkeys(terms)))
    rep = matcher.report(text)
    uses: dict[str, int] = {}
    for forms in rep.variants.values():
        for surface, _ in forms:
            uses[surface] = uses.get(surface, 0) + 1
    for term in matcher.terms:  # a listed term near another one (兰英 beside 兰言) is a form of it too
        uses.setdefault(term, 0)
    for surface in _nested_forms(rep, matcher.terms):  # 黄尤子 hides behind 黄尤 (黄龙 in 黄龙子)
        if surface not in uses and (n := text.count(surface)):
            uses[surface] = n
    out: dict[str, dict[str, int]] = {}
    for surface, n in uses.items():
        low = surface.lower()
        for term in matcher.terms:
            if term != surface and (
                low in matcher.variant_keys(term) or _one_char_apart(surface, term) or low == term.lower()
            ):
                out.setdefault(term, {})[surface] = n or text.count(surface)
    return out


def _nested_forms(rep: TermReport, terms: list[str]) -> list[str]:
    """The form of a longer term for each near miss of a term inside a longer listed term, written into it: a
    book's 黄尤 (for 黄龙) gives 黄尤子 for 黄龙子. One pass reports only the shorter term at a place, so
    without this the longer term's near-form would never count as the book's own."""
    out = []
    for term, forms in rep.variants.items():
        longer = [u for u in terms if term in u and u != term]
        for surface, _ in forms:
            out += [u.replace(term, surface, 1) for u in longer]
    return out


def _one_char_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


# Quoted names: “…” "…" 『…』 「…」. Not 《…》 (titles of works: 《三体》 names a book, not a term of the story)
# and not a chapter title (下一章「第二章」, the chapter, "Part 2", 「第三回」).
_PROMPT_TERM_RE = re.compile(r"[『「“\"]([^《》「」『』“”\"\n，。！？、,.!?;；:：]{2,24})[』」”\"]")
_CHAPTER_BEFORE_RE = re.compile(r"(?i)(chapter,?\s*|[章题回节])$")
_TITLE_AFTER = ("为题", "为标题", "一章")
_HEADING_RE = re.compile(
    r"(?i)^(第\s*[\d〇零一二三四五六七八九十百千两]+\s*[章回节卷部篇集]|(chapter|part|book)\s+\w+$)"
)
# A glossary line: the builders' templates (data/datasets/prompts.yaml) and common labels, then the list.
_GLOSSARY_LINE_RE = re.compile(
    r"(?:已确立的名词|专有名词|名词表|名词|术语表|Established names and terms|Established terms|Glossary)"
    r"\s*(?:[（(][^）)\n]*[）)])?\s*[：:]\s*([^\n]+)",
    re.IGNORECASE,
)
_LIST_SEP_RE = re.compile(r"\s*[、，,;；]\s*")


def terms_from_prompt(prompt: str) -> list[str]:
    """Terms named in a prompt: the items of a glossary line (``已确立的名词（请照原样使用）：A、B``,
    ``Established names and terms (...): A, B``, ``术语表：``, ``Glossary:``), then names quoted in “…” "…"
    『…』 「…」 (2-24 characters, no sentence punctuation, not a chapter title). 《…》 are titles of works."""
    if not prompt:
        return []
    found: list[str] = []
    for m in _GLOSSARY_LINE_RE.finditer(prompt):
        items = _LIST_SEP_RE.split(m.group(1).strip().rstrip("。.;；"))
        found += [t.strip(" \"“”'《》「」『』") for t in items if 1 < len(t.strip()) <= 40]
    for m in _PROMPT_TERM_RE.finditer(prompt):
        name = m.group(1).strip()
        before, after = prompt[max(0, m.start() - 12) : m.start()], prompt[m.end() : m.end() + 3]
        if not (
            _CHAPTER_BEFORE_RE.search(before) or after.startswith(_TITLE_AFTER) or _HEADING_RE.match(name)
        ):
            found.append(name)
    return [t for t in dict.fromkeys(found) if t and len(t.split()) <= 4]
