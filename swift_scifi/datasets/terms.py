"""Extract a book's recurring names and terms (its glossary) without any model.

- English: capitalised words and capitalised multi-word names that recur mid-sentence and are (almost)
  never written in lower case ("Time Traveller", "Weena", "Morlocks").
- Chinese: words jieba's HMM finds outside its dictionary, or that its dictionary tags as person/place/
  other proper nouns (nr, nrt, ns, nz, nt), that recur (孙悟空, 齐河县, 人瑞).
Stopwords live in ``data/datasets/term_stopwords.yaml``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml

_EN_NAME_RE = re.compile(r"(?<![.!?\"“]\s)(?<!^)\b([A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2})\b", re.MULTILINE)
_ZH_WORD_RE = re.compile(r"[\u4e00-\u9fff]{2,5}")
_ZH_NAME_TAGS = {"nr", "nrt", "ns", "nz", "nt", "nrfg"}
_ZH_SPEECH_SUFFIX = ("道", "说", "笑")


_STOPWORDS = Path(__file__).resolve().parent.parent / "data" / "datasets" / "term_stopwords.yaml"


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(_STOPWORDS.read_text(encoding="utf-8"))
    return {lang: frozenset(map(str, words)) for lang, words in data.items()}


def extract_terms(text: str, lang: str, top_k: int = 200, min_count: int = 3) -> list[str]:
    """Up to ``top_k`` recurring names/terms of ``text``, most frequent first. ``lang`` is 'zh' or 'en'."""
    counts = _zh_candidates(text) if lang == "zh" else _en_candidates(text)
    return [t for t, n in counts.most_common() if n >= min_count][:top_k]


_CACHE_VERSION = "1"  # bump when extraction changes


def cache_dir() -> Path:
    """Where glossaries are cached: ``$SCIFI_CACHE_DIR`` or ``~/.cache/swift_scifi``, subfolder ``glossary``."""
    root = os.environ.get("SCIFI_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "swift_scifi")
    return Path(root) / "glossary"


def cached_extract_terms(text: str, lang: str, top_k: int = 200, min_count: int = 3) -> list[str]:
    """:func:`extract_terms`, memoised on disk by a hash of the text and the arguments.

    Chinese extraction runs jieba at about 0.2 MB/s, so every ms-swift launch on a large corpus would pay
    it again; the cache makes the second launch free. An unwritable cache only costs the recomputation.
    """
    head = (
        f"{_CACHE_VERSION}|{lang}|{top_k}|{min_count}|".encode() + _STOPWORDS.read_bytes()
    )  # edits invalidate
    key = hashlib.sha256(head + text.encode()).hexdigest()
    path = cache_dir() / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    terms = extract_terms(text, lang, top_k, min_count)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        logging.getLogger("swift_scifi.datasets").debug("glossary cache not written: %s", err)
    return terms


def _en_candidates(text: str) -> Counter[str]:
    stop = _stopwords()["en"]
    caps = Counter(m.group(1) for m in _EN_NAME_RE.finditer(text))
    lower = Counter(re.findall(r"\b[a-z]+\b", text))
    out: Counter[str] = Counter()
    for name, n in caps.items():
        words = re.split(r"[ \-]", name)
        if words[0] in stop or words[-1] in stop:
            continue
        if len(words) == 1 and lower[name.lower()] * 10 > n:
            continue  # an ordinary word that happened to be capitalised
        out[name] = n
    return out


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, jieba.posseg.dt.word_tag_tab


def _zh_candidates(text: str) -> Counter[str]:
    jieba, tags = _jieba()
    stop = _stopwords()["zh"]
    vocab = jieba.dt.FREQ
    counts: Counter[str] = Counter()
    for word in jieba.cut(text, HMM=True):
        if (
            _ZH_WORD_RE.fullmatch(word)
            and word not in stop
            and (tags.get(word) in _ZH_NAME_TAGS or word not in vocab)
        ):
            counts[word] += 1
    # "子平道" (name + 道) is the name speaking: fold it into the name when the name is a candidate.
    for word in [w for w in counts if w.endswith(_ZH_SPEECH_SUFFIX) and w[:-1] in counts]:
        counts[word[:-1]] += counts.pop(word)
    return counts


class GlossaryMatcher:
    """Finds which glossary terms occur in a text in one pass (Aho-Corasick), whatever the glossary size."""

    def __init__(self, glossary: list[str]) -> None:
        import ahocorasick

        self.glossary = list(dict.fromkeys(t for t in glossary if t))
        self._automaton = ahocorasick.Automaton()
        for rank, term in enumerate(self.glossary):
            self._automaton.add_word(term, rank)
        if self.glossary:
            self._automaton.make_automaton()

    def terms_in(self, text: str, limit: int = 20) -> list[str]:
        """The glossary terms that occur in ``text``, in glossary (frequency) order, at most ``limit``."""
        if not self.glossary or not text:
            return []
        ranks = {rank for _, rank in self._automaton.iter(text)}
        return [self.glossary[r] for r in sorted(ranks)[:limit]]
