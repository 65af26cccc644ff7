"""A book's glossary (recurring names and coined terms) without any model, cached on disk, user-editable.

- Chinese: :mod:`.glossary_zh` (new-word discovery + dictionary, suffix and speaker rules).
- English: :mod:`.glossary_en` (names, multi-word names, coined compounds and phrases).
Each entry carries its count and the reason it was kept (``swift-scifi glossary BOOK.txt`` prints them).
A user's own list (one term per line, or that command's output) replaces the extracted one: ``--glossary
FILE`` on ``swift-scifi build-dataset``, ``SCIFI_GLOSSARY=FILE`` for ms-swift runs.
Stopwords: ``data/datasets/term_stopwords.yaml``; Chinese rules: ``data/terms/zh_rules.yaml``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

_DATA = Path(__file__).resolve().parent.parent / "data"
_STOPWORDS = _DATA / "datasets" / "term_stopwords.yaml"
_RULE_FILES = (_STOPWORDS, _DATA / "terms" / "zh_rules.yaml")


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary term: its uses in the book, why it was kept, and the other entries that name the same
    thing (a short form inside it, or the longer name it is part of)."""

    term: str
    count: int
    reason: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(_STOPWORDS.read_text(encoding="utf-8"))
    return {key: frozenset(map(str, words)) for key, words in data.items()}


def extract_glossary(text: str, lang: str, top_k: int = 200, min_count: int = 3) -> list[GlossaryEntry]:
    """Up to ``top_k`` glossary entries of ``text`` used ``min_count``+ times, most frequent first.
    ``lang`` is 'zh' or 'en'."""
    if lang == "zh":
        from .glossary_zh import extract

        rows = extract(text, min_count)
    else:
        from .glossary_en import extract

        sw = _stopwords()
        stop = (
            sw["en"] | sw.get("en_titles", frozenset()) | {w.capitalize() for w in sw.get("en_function", ())}
        )
        rows = extract(text, stop, sw.get("en_hyphenated", frozenset()), min_count, sw.get("en_function"))
    rows = rows[:top_k]
    return _with_aliases(rows)


def _with_aliases(rows: list[tuple[str, int, str]]) -> list[GlossaryEntry]:
    """Link entries where one is a whole word (en) or a 2+ character part (zh) of another."""
    terms = [t for t, _, _ in rows]
    out = []
    for t, n, why in rows:
        al = []
        for o in terms:
            if o == t or len(min(o, t, key=len)) < 2:
                continue
            if " " in o or " " in t:
                linked = f" {t} " in f" {o} " or f" {o} " in f" {t} "
            else:
                linked = (o in t or t in o) and not o.isascii()
            if linked:
                al.append(o)
        out.append(GlossaryEntry(t, n, why, tuple(al)))
    return out


def extract_terms(text: str, lang: str, top_k: int = 200, min_count: int = 3) -> list[str]:
    """The terms of :func:`extract_glossary`, most frequent first."""
    return [e.term for e in extract_glossary(text, lang, top_k, min_count)]


_CACHE_VERSION = "13"  # bump when extraction changes


def cache_dir() -> Path:
    """Where glossaries are cached: ``$SCIFI_CACHE_DIR`` or ``~/.cache/swift_scifi``, subfolder ``glossary``."""
    root = os.environ.get("SCIFI_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "swift_scifi")
    return Path(root) / "glossary"


def cached_extract_glossary(
    text: str, lang: str, top_k: int = 200, min_count: int = 3
) -> list[GlossaryEntry]:
    """:func:`extract_glossary`, memoised on disk by a hash of the text, the arguments and the rule files.

    A second ms-swift launch on the same corpus reads the glossary back instead of recomputing it; an
    unwritable cache only costs the recomputation.
    """
    head = f"{_CACHE_VERSION}|{lang}|{top_k}|{min_count}|".encode() + b"".join(
        p.read_bytes() for p in _RULE_FILES
    )
    key = hashlib.sha256(head + text.encode()).hexdigest()
    path = cache_dir() / f"{key}.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [GlossaryEntry(r["term"], r["count"], r["reason"], tuple(r["aliases"])) for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    entries = extract_glossary(text, lang, top_k, min_count)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        logging.getLogger("swift_scifi.datasets").debug("glossary cache not written: %s", err)
    return entries


def cached_extract_terms(text: str, lang: str, top_k: int = 200, min_count: int = 3) -> list[str]:
    """The terms of :func:`cached_extract_glossary`."""
    return [e.term for e in cached_extract_glossary(text, lang, top_k, min_count)]


class GlossaryFileError(ValueError):
    """A user glossary file that cannot be read or holds no term."""


def load_glossary(path: str | os.PathLike) -> list[str]:
    """Terms of a user glossary file, in file order: one term per line, or the TSV that ``swift-scifi
    glossary`` prints (the first column). Blank lines and lines starting with ``#`` are skipped."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise GlossaryFileError(f"glossary file {p}: cannot be read ({err})") from err
    terms = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        term = line.split("\t", 1)[0].strip()
        if term and term.lower() != "term":
            terms.append(term)
    if not terms:
        raise GlossaryFileError(f"glossary file {p}: no term in it (one term per line)")
    return list(dict.fromkeys(terms))


NEAR_FORM_MIN_USES = 2  # a near-miss form a book uses this often is the book's own (紧箍 beside 金箍)


def attested_forms(text: str, terms: list[str], min_uses: int = NEAR_FORM_MIN_USES) -> dict[str, list[str]]:
    """Near-forms of ``terms`` that ``text`` (the whole book) itself uses ``min_uses``+ times, as
    ``{term: [form, ...]}`` (most used first). They go into the ``term_forms`` column beside ``terms``, so
    the reward does not count a form the author uses (紧箍 beside 金箍, 兰英 beside 兰言) as a slip; a slip
    the book makes once stays one."""
    from ..rewards.term_consistency import variant_counts

    out = {}
    for term, counts in variant_counts(text, terms).items():
        forms = sorted((f for f, n in counts.items() if n >= min_uses), key=lambda f: -counts[f])
        if forms:
            out[term] = forms
    return out


@dataclass(frozen=True)
class NearForms:
    """What the term reward makes of a term's near misses in one book: ``own`` the book's own forms
    (used NEAR_FORM_MIN_USES+ times, exempt: they go into ``term_forms``), ``slips`` the near-miss forms the
    book writes less often with their uses (the reward flags them), ``kinds`` how many near-miss forms of
    each kind the reward looks for (``fuzzy``: a 4+ character CJK term's one-character changes by sound or
    shape, not counted)."""

    own: tuple[str, ...]
    slips: tuple[tuple[str, int], ...]
    kinds: dict[str, int]


def near_forms(text: str, terms: list[str], min_uses: int = NEAR_FORM_MIN_USES) -> dict[str, NearForms]:
    """:class:`NearForms` of each of ``terms`` in the book ``text`` (one pass over the book)."""
    from ..rewards.term_consistency import near_miss_forms, variant_counts

    seen = variant_counts(text, terms)
    out = {}
    for t in terms:
        counts = seen.get(t, {})
        ranked = sorted(counts, key=lambda f: (-counts[f], f))
        kinds = {k: len(v) for k, v in near_miss_forms(t).items()}
        if "fuzzy" in kinds:
            kinds["fuzzy"] = 0
        out[t] = NearForms(
            tuple(f for f in ranked if counts[f] >= min_uses),
            tuple((f, counts[f]) for f in ranked if 0 < counts[f] < min_uses),
            kinds,
        )
    return out


class GlossaryMatcher:
    """Finds which glossary terms occur in a text in one pass (Aho-Corasick), whatever the glossary size."""

    def __init__(self, glossary: list[str]) -> None:
        import ahocorasick_rs  # the package's one Aho-Corasick library (rewards/phrase_index.py too)

        self.glossary = list(dict.fromkeys(t for t in glossary if t))
        if self.glossary:
            self._ac = ahocorasick_rs.AhoCorasick(
                self.glossary, implementation=ahocorasick_rs.Implementation.DFA
            )

    def terms_in(self, text: str, limit: int = 20) -> list[str]:
        """The glossary terms that occur in ``text``, in glossary (frequency) order, at most ``limit``."""
        if not self.glossary or not text:
            return []
        ranks = {k for k, _, _ in self._ac.find_matches_as_indexes(text, overlapping=True)}
        return [self.glossary[r] for r in sorted(ranks)[:limit]]
