"""BM25 retrieval over the passages of one book, never returning the passages around a target.

Words: jieba for Chinese (words of 2+ characters with a CJK character), lower-cased alphabetic words of 3+
letters for English; stopwords from ``bm25s`` (its Chinese and English lists). Index and scoring: ``bm25s``
(MIT licence), ``get_scores`` over the whole book, then the excluded passages are masked before the top k
is taken, so a leak cannot come back through a tie or a short list.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_EN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]+[A-Za-z]")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN_PLUS

    return {"zh": frozenset(STOPWORDS_CHINESE), "en": frozenset(STOPWORDS_EN_PLUS)}


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


def content_words(text: str, lang: str) -> list[str]:
    """The text's content words in order (repeats kept): the units BM25 and the overlap rules count."""
    stop = _stopwords()["zh" if lang == "zh" else "en"]
    if lang == "zh":
        words = (w for w in _jieba().cut(text) if len(w) >= 2 and _CJK_RE.search(w))
    else:
        words = (w.lower() for w in _EN_WORD_RE.findall(text))
    return [w for w in words if w not in stop]


def shingles(text: str, lang: str) -> set[int]:
    """Hashes of 8-character (zh) or 5-word (en) spans: near-duplicate detection between passages."""
    if lang == "zh":
        s = re.sub(r"\s+", "", text)
        return {hash(s[i : i + 8]) for i in range(max(len(s) - 7, 0))}
    w = text.lower().split()
    return {hash(" ".join(w[i : i + 5])) for i in range(max(len(w) - 4, 0))}


class PassageIndex:
    """BM25 over a book's passages; each passage carries the position of the window it was cut from."""

    def __init__(self, passages: Sequence[str], windows: Sequence[int], lang: str) -> None:
        import bm25s

        if len(passages) != len(windows):
            raise ValueError("one window position per passage")
        self.passages = list(passages)
        self.windows = np.asarray(windows, dtype=np.int64)
        self.lang = lang
        self.tokens = [content_words(p, lang) for p in self.passages]
        self._bm25 = bm25s.BM25()
        self._bm25.index([t or ["\0"] for t in self.tokens], show_progress=False)

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: Sequence[str], k: int, exclude: range) -> list[tuple[int, float]]:
        """Up to ``k`` (passage index, score) pairs with a positive score, best first, none cut from a window
        in ``exclude``."""
        if not query or not self.passages:
            return []
        scores = self._bm25.get_scores(list(query)).astype(np.float64)
        mask = (self.windows >= exclude.start) & (self.windows < exclude.stop)
        scores[mask] = -np.inf
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
