"""Minimal rule-made corruptions of a human passage, one principle at a time (for scifi-cdpo-rules).

Each corruption is a pure function ``(text, lang, rng, terms) -> str | None``: the passage with one defect
planted, or None where the passage has no site for it (no dialogue-free narration to shift, no term used
twice, ...). Phrases and word maps are data: ``swift_scifi/data/synth/cdpo_rules.yaml``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "synth" / "cdpo_rules.yaml"
_QUOTE_RE = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"\n]*\"")
_SENT_RE = {
    "zh": re.compile(r"[^。！？!?\n]+[。！？!?]+[”」』]?"),
    "en": re.compile(r"[^.!?\n]+[.!?]+[\"”]?"),
}

_PRONOUN_RE = re.compile(r"\b(He|She|I|They|he|she|they)\b")

Corruption = Callable[[str, str, random.Random, Sequence[str]], "str | None"]


@dataclass(frozen=True)
class Kind:
    """One corruption kind: the principle it breaks and the scifi_* reward that must drop."""

    name: str
    reward: str  # the scifi_* reward (key of score_text) that must be lower on the rejected side
    principles: tuple[str, ...]  # principle ids whose adherence must drop (empty: the reward alone)


@lru_cache(maxsize=1)
def load_data() -> dict[str, Any]:
    """The corruption data file, parsed once."""
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Every corruption kind by name, in the data file's order (built once; do not mutate)."""
    return {k: Kind(k, v["reward"], tuple(v["principles"])) for k, v in load_data()["kinds"].items()}


def _paras(text: str) -> list[str]:
    return text.split("\n\n")


def _join(lang: str) -> str:
    return "" if lang == "zh" else " "


@lru_cache(maxsize=2)
def _slop_weights(lang: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Slop sentences and their weights: the number of bundled slop-list phrases each holds (at least 1)."""
    from swift_scifi.rewards.slop_lists import load_phrases

    phrases = load_phrases(lang)
    sents = tuple(load_data()[lang]["slop"])
    return sents, tuple(max(1, sum(p in s.lower() for p in phrases)) for s in sents)


def insert_slop(
    text: str, lang: str, rng: random.Random, terms: Sequence[str] = (), n: int = 2
) -> str | None:
    """``n`` slop sentences (drawn by slop-list weight) appended to random paragraphs."""
    sents, weights = _slop_weights(lang)
    paras = _paras(text)
    picked: list[str] = []
    while len(picked) < n:
        s = rng.choices(sents, weights)[0]
        if s not in picked:
            picked.append(s)
    for s in picked:
        i = rng.randrange(len(paras))
        paras[i] = paras[i] + _join(lang) + s
    return "\n\n".join(paras)


def assistant_wrapper(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """An assistant preamble before the passage and an offer of help after it."""
    d = load_data()[lang]
    return f"{rng.choice(d['preamble'])}\n\n{text}\n\n{rng.choice(d['closing'])}"


def markdown(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """Markdown inside prose: one paragraph's sentences as a bullet list, or two phrases in **bold**."""
    paras = _paras(text)
    if rng.random() < 0.5:
        i = rng.randrange(len(paras))
        sents = [m.group().strip() for m in _SENT_RE[lang].finditer(paras[i])][:4]
        if len(sents) >= 2:
            paras[i] = "\n".join(f"- {s}" for s in sents) + paras[i][sum(len(s) for s in sents) :].strip()
            return "\n\n".join(paras)
    out = text
    for _ in range(2):
        words = [
            m for m in re.finditer(r"[\u4e00-\u9fff]{2,4}" if lang == "zh" else r"\b[a-zA-Z]{4,}\b", out)
        ]
        if not words:
            return None
        m = rng.choice(words)
        out = out[: m.start()] + f"**{m.group()}**" + out[m.end() :]
    return out


def moralising_ending(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """A sentence stating the story's lesson appended to the last paragraph."""
    return text.rstrip() + _join(lang) + rng.choice(load_data()[lang]["moral"])


def duplicate_paragraph(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """One paragraph (at least 30 characters, at most a quarter of the passage) repeated right after itself."""
    paras = _paras(text)
    sites = [i for i, p in enumerate(paras) if 30 <= len(p) <= len(text) // 4]
    if not sites:
        return None
    i = rng.choice(sites)
    return "\n\n".join(paras[: i + 1] + [paras[i]] + paras[i + 1 :])


def term_variant(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """The last use of a glossary term (used at least twice) replaced by a near variant
    (:func:`swift_scifi.rewards.term_variants`: traditional script for zh, one-letter slips for en)."""
    from swift_scifi.rewards import term_variants

    for term in sorted((t for t in terms if text.count(t) >= 2), key=len, reverse=True):
        forms = sorted(f for f, kind in term_variants(term).items() if kind in ("opencc", "edit1"))
        if not forms:
            continue
        variant = rng.choice(forms)
        if term[:1].isupper():
            variant = variant[:1].upper() + variant[1:]
        i = text.rfind(term)
        return text[:i] + variant + text[i + len(term) :]
    return None


def _narration_sub(text: str, start: int, pattern: re.Pattern, repl: Callable[[re.Match], str]) -> str:
    """``pattern`` replaced outside quoted dialogue, from character ``start`` on."""
    out, pos = [], start
    for q in _QUOTE_RE.finditer(text, start):
        out.append(pattern.sub(repl, text[pos : q.start()]))
        out.append(q.group())
        pos = q.end()
    out.append(pattern.sub(repl, text[pos:]))
    return text[:start] + "".join(out)


def _half_start(text: str) -> int:
    """The start of the paragraph nearest the middle of the passage (the shift begins there)."""
    i = text.find("\n\n", len(text) // 2 - len(text) // 8)
    return i + 2 if 0 <= i < len(text) * 3 // 4 else len(text) // 2


def tense_shift(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """English only: past-tense verbs of the second half's narration put in the present tense."""
    if lang != "en":
        return None
    table: dict[str, str] = load_data()["en"]["tense"]
    pattern = re.compile(r"\b(" + "|".join(table) + r")\b", re.IGNORECASE)

    def repl(m: re.Match) -> str:
        new = table[m.group().lower()]
        return new[:1].upper() + new[1:] if m.group()[:1].isupper() else new

    out = _narration_sub(text, _half_start(text), pattern, repl)
    return out if out != text else None


def person_shift(text: str, lang: str, rng: random.Random, terms: Sequence[str] = ()) -> str | None:
    """Third-person narration of the second half turned into first person (他/她 -> 我; he/she -> I),
    for passages narrated in the third person (no first-person pronoun outside dialogue)."""
    d = load_data()[lang]
    narration = _QUOTE_RE.sub("", text)
    if lang == "zh":
        if "我" in narration:
            return None
        src = max(d["person_from"], key=narration.count)
        out = _narration_sub(text, _half_start(text), re.compile(src), lambda m: d["person_to"])
    else:
        if re.search(r"\b(?:I|me|my|we|us|our)\b", narration):
            return None
        table = d["person"]
        src = max(table, key=lambda p: len(re.findall(rf"\b{p}\b", narration, re.IGNORECASE)))
        forms: dict[str, str] = table[src]
        pattern = re.compile(r"\b(" + "|".join(forms) + r")\b", re.IGNORECASE)

        def repl(m: re.Match) -> str:
            new = forms[m.group().lower()]
            return new if new == "I" or not m.group()[:1].isupper() else new[:1].upper() + new[1:]

        out = _narration_sub(text, _half_start(text), pattern, repl)
    return out if out != text else None


def _pronoun(text: str, lang: str) -> tuple[str, str]:
    """The passage's most used subject pronoun (and, for en, its form of 'to be' in the past)."""
    if lang == "zh":
        return max(("他", "她", "我"), key=text.count), ""
    found = Counter(_PRONOUN_RE.findall(text))  # one scan; "i" is not a pronoun, "I" is
    counts = {p: found[p] + (found[p.lower()] if p != "I" else 0) for p in ("He", "She", "I", "They")}
    p = max(counts, key=lambda k: counts[k])
    return p, "were" if p == "They" else "was"


def _outside_quotes(text: str, matches) -> list[re.Match]:
    """The matches (in text order) that overlap no quoted span: one pass over both, sorted by start."""
    quoted = [(q.start(), q.end()) for q in _QUOTE_RE.finditer(text)]
    out, j = [], 0
    for m in matches:
        while (
            j < len(quoted) and quoted[j][1] <= m.start()
        ):  # quotes ending before m can't overlap later ones
            j += 1
        if not (j < len(quoted) and quoted[j][0] < m.end()):
            out.append(m)
    return out


@lru_cache(maxsize=2)
def _cue_re(lang: str) -> re.Pattern:
    """Any of the language's ``shown_cues`` (feeling shown through the body)."""
    cues = sorted(load_data()[lang]["shown_cues"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, cues)))


def emotion_label(
    text: str, lang: str, rng: random.Random, terms: Sequence[str] = (), n: int = 3
) -> str | None:
    """``n`` sentences of narration replaced by labelled emotions ("She felt very sad."), those that show a
    feeling through the body first; needs a passage of at least ``n + 2`` narrated sentences."""
    d = load_data()[lang]
    sents = _outside_quotes(text, _SENT_RE[lang].finditer(text))
    if len(sents) < n + 2:
        return None
    cue = _cue_re(lang)
    flags = [cue.search(m.group()) is not None for m in sents]
    shown = [m for m, f in zip(sents, flags, strict=True) if f]
    rest = [m for m, f in zip(sents, flags, strict=True) if not f]
    rng.shuffle(shown)
    rng.shuffle(rest)
    chosen = sorted((shown + rest)[:n], key=lambda m: m.start(), reverse=True)
    p, be = _pronoun(_QUOTE_RE.sub("", text), lang)
    labels = rng.sample(d["emotion_label"], n)
    out = text
    for m, label in zip(chosen, labels, strict=True):
        lead = m.group()[: len(m.group()) - len(m.group().lstrip())]
        out = out[: m.start()] + lead + label.format(p=p, be=be) + out[m.end() :]
    return out


CORRUPTIONS: dict[str, Corruption] = {
    "slop": insert_slop,
    "assistant_wrapper": assistant_wrapper,
    "markdown": markdown,
    "moralising": moralising_ending,
    "duplicate_paragraph": duplicate_paragraph,
    "term_variant": term_variant,
    "tense_shift": tense_shift,
    "person_shift": person_shift,
    "emotion_label": emotion_label,
}
