"""RAG-aware samples: reference material for a continuation point of a book, and the rules that keep only
samples whose real continuation visibly uses it.

Two kinds of reference material, both taken from the same book and never from the target window or the
``leak_window`` windows on either side of it:

- ``bible``: world-bible entries, a glossary term with the first sentence that uses it (outside the leak
  window). Entries are the glossary terms the target uses plus a few of the preceding text's terms that it
  does not (distractors). Kept when at least ``bible_min_used`` entry terms occur in the target.
- ``passages``: the ``passages_k`` best BM25 passages of the book for the target (near-duplicates of it
  skipped). Kept when the target shares at least ``passages_min_shared`` content words with the passages that
  the preceding text does not hold, and they are at least ``passages_min_support`` of its distinct content
  words: the passages brought something the target uses that the context alone did not.

Rules and templates: ``data/synth/rag.yaml``. The ms-swift dataset ``scifi-rag`` is
:mod:`swift_scifi.datasets.rag`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from swift_scifi.text.segment import split_sentences
from swift_scifi.text.windows import window_text

from .distribution import distribution
from .retrieval import PassageIndex, content_words, shingles

KINDS = ("bible", "passages")
_DATA = Path(__file__).resolve().parent.parent / "data" / "synth" / "rag.yaml"


@lru_cache(maxsize=1)
def load_data() -> dict:
    """``data/synth/rag.yaml``: ``rules`` and ``templates`` per language."""
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        ids = [t["id"] for t in data["templates"][lang]]
        if len(set(ids)) != len(ids) or any(t["kind"] not in KINDS for t in data["templates"][lang]):
            raise ValueError(f"{_DATA}: template ids must be unique and kinds one of {KINDS} ({lang})")
    return data


def rules() -> dict:
    return load_data()["rules"]


def templates(lang: str, kind: str) -> list[dict]:
    return [t for t in load_data()["templates"][lang] if t["kind"] == kind]


def leak_range(target: int, width: int | None = None) -> range:
    """The window positions references may not come from: the target and ``width`` windows each side."""
    w = rules()["leak_window"] if width is None else width
    return range(target - w, target + w + 1)


def term_in(term: str, text: str, lang: str) -> bool:
    """Whether ``term`` occurs in ``text`` (as whole words in English)."""
    if lang == "zh":
        return term in text
    i = text.find(term)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + len(term)] if i + len(term) < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        i = text.find(term, i + 1)
    return False


@dataclass(frozen=True)
class Support:
    """How much of the target the references account for. ``shared``: distinct content words of the target
    found in the references but not in the preceding text; ``share``: ``shared`` / distinct content words
    of the target (0-1); ``terms``: entry terms the target uses."""

    shared: int
    share: float
    terms: tuple[str, ...] = ()


def passage_support(target: str, references: Sequence[str], previous: str, lang: str) -> Support:
    """The target's content words that the references hold and the preceding text does not."""
    refs = set(content_words("\n".join(references), lang))
    return word_support(set(content_words(target, lang)), refs, set(content_words(previous, lang)))


def word_support(target: set[str], references: set[str], previous: set[str]) -> Support:
    """:func:`passage_support` on content-word sets."""
    if not target:
        return Support(0, 0.0)
    novel = (target & references) - previous
    return Support(len(novel), len(novel) / len(target))


def bible_support(target: str, terms: Sequence[str], lang: str) -> Support:
    """The entry terms the target uses; ``share`` is their share of the entries."""
    used = tuple(x for x in terms if term_in(x, target, lang))
    return Support(len(used), len(used) / max(len(terms), 1), used)


@dataclass
class References:
    """Reference material for one target: ``items`` are rendered lines (entries) or passages."""

    kind: str
    items: list[str]
    terms: tuple[str, ...]  # entry terms (bible) or () (passages)
    sources: tuple[int, ...]  # window positions the items came from
    support: Support


class BookReferences:
    """World bible and BM25 index of one book cut into ``windows`` (the continuation targets, in order)."""

    def __init__(
        self, windows: Sequence[str], glossary: Sequence[str], lang: str, passage_units: int
    ) -> None:
        self.windows = list(windows)
        self.glossary = [t for t in dict.fromkeys(glossary) if t]
        self.lang = lang
        self.passage_units = max(passage_units, 20)
        self.duplicates_skipped = 0
        self._tokens: dict[int, list[str]] = {}

    @cached_property
    def index(self) -> PassageIndex:
        passages, owners = [], []
        for i, w in enumerate(self.windows):
            for p in window_text(w, self.passage_units, self.lang):
                passages.append(p)
                owners.append(i)
        return PassageIndex(passages, owners, self.lang)

    @cached_property
    def _occurrences(self) -> dict[str, list[tuple[int, str]]]:
        """term -> (window, sentence) of its first uses, in reading order (at most 8 per term)."""
        from swift_scifi.datasets.terms import GlossaryMatcher

        matcher = GlossaryMatcher(self.glossary)
        out: dict[str, list[tuple[int, str]]] = {}
        for i, w in enumerate(self.windows):
            for s in split_sentences(w, self.lang):
                for term in matcher.terms_in(s, limit=len(self.glossary)):
                    uses = out.setdefault(term, [])
                    if len(uses) < 8 and term_in(term, s, self.lang):
                        uses.append((i, s))
        return out

    def tokens(self, i: int) -> list[str]:
        """The content words of window ``i`` in order: those of its passages (the text is cut into words
        once, for the index)."""
        if not self._tokens:  # a window's words are its passages' words, in order (jieba runs once)
            for j, toks in zip(self.index.windows.tolist(), self.index.tokens, strict=True):
                self._tokens.setdefault(j, []).extend(toks)
        return self._tokens.get(i, [])

    def words(self, i: int) -> set[str]:
        return set(self.tokens(i))

    def definition(self, term: str, exclude: range) -> tuple[int, str] | None:
        """The first sentence using ``term`` outside ``exclude``; one longer than ``definition_max_chars`` is
        cut to that many characters around the term's first use, with an ellipsis on each cut side."""
        cap = rules()["definition_max_chars"]
        for i, s in self._occurrences.get(term, ()):
            if i in exclude:
                continue
            if len(s) <= cap:
                return i, s
            start = max(0, min(s.find(term) - (cap - len(term)) // 2, len(s) - cap))
            cut = s[start : start + cap]
            return i, ("…" if start else "") + cut + ("…" if start + cap < len(s) else "")
        return None

    def terms_in(self, text: str) -> list[str]:
        return [t for t in self.glossary if term_in(t, text, self.lang)]

    def bible(self, target: int, rng: random.Random) -> References | str:
        """World-bible entries for window ``target``, or the reason there are none worth keeping."""
        r = rules()
        exclude = leak_range(target)
        used = self.terms_in(self.windows[target])
        if len(used) < r["bible_min_used"]:
            return "too few glossary terms in the target"
        entries = [(t, d) for t in used if (d := self.definition(t, exclude))][: r["bible_max_entries"]]
        previous = self.windows[target - 1] if target else ""
        others = [t for t in self.terms_in(previous) if t not in used]
        distract = [(t, d) for t in others if (d := self.definition(t, exclude))][: r["bible_distractors"]]
        entries += distract
        rng.shuffle(entries)
        terms = tuple(t for t, _ in entries)
        support = bible_support(self.windows[target], terms, self.lang)
        if support.shared < r["bible_min_used"]:
            return "too few entries defined outside the leak window"
        sep = "：" if self.lang == "zh" else ": "
        items = [f"- {t}{sep}{s}" for t, (_, s) in entries]
        return References("bible", items, terms, tuple(i for _, (i, _) in entries), support)

    def passages(self, target: int) -> References | str:
        """BM25 passages for window ``target`` (its content words as the query), or why none are kept."""
        r = rules()
        text = self.windows[target]
        exclude = leak_range(target)
        k = r["passages_k"]
        hits = self.index.search(self.tokens(target), k + 4, exclude)
        own = shingles(text, self.lang)
        chosen: list[int] = []
        for i, _ in hits:
            s = shingles(self.index.passages[i], self.lang)
            if own and s and len(own & s) / min(len(own), len(s)) >= r["duplicate_shingle_share"]:
                self.duplicates_skipped += 1
                continue
            chosen.append(i)
            if len(chosen) == k:
                break
        if not chosen:
            return "no passage retrieved"
        items = [self.index.passages[i] for i in chosen]
        refs = set().union(*(self.index.tokens[i] for i in chosen))
        support = word_support(self.words(target), refs, self.words(target - 1))
        if support.shared < r["passages_min_shared"] or support.share < r["passages_min_support"]:
            return "passages share too little with the target"
        return References("passages", items, (), tuple(int(self.index.windows[i]) for i in chosen), support)


@dataclass
class Report:
    """Samples kept by kind, template and language; attempts dropped by ``kind: reason``; support values."""

    points: int = 0
    kept: Counter = field(default_factory=Counter)  # kind -> samples
    langs: Counter = field(default_factory=Counter)
    templates: Counter = field(default_factory=Counter)  # "lang/id" -> samples
    dropped: Counter = field(default_factory=Counter)  # "kind: reason" -> attempts
    skipped_points: Counter = field(default_factory=Counter)  # reason -> continuation points with no sample
    duplicates_skipped: int = 0  # retrieved passages skipped as near-duplicates of the target
    support: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    shared: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def as_dict(self) -> dict:
        return {
            "points": self.points,
            "kept": sum(self.kept.values()),
            "points_without_sample": sum(self.skipped_points.values()),
            "dropped_attempts": sum(self.dropped.values()),
            "kept_by_kind": dict(self.kept.most_common()),
            "kept_by_lang": dict(self.langs.most_common()),
            "kept_by_template": dict(sorted(self.templates.items())),
            "dropped_by_reason": dict(self.dropped.most_common()),
            "points_without_sample_by_reason": dict(self.skipped_points.most_common()),
            "near_duplicate_passages_skipped": self.duplicates_skipped,
            "support": {
                "bible_terms_used": distribution(self.shared["bible"]),
                "bible_share_of_entries_used": distribution(self.support["bible"]),
                "passages_shared_words": distribution(self.shared["passages"]),
                "passages_share_of_target_words": distribution(self.support["passages"]),
            },
        }
