"""Human passages for the teacher-made datasets: paragraph-aligned windows of a corpus, books interleaved.

Windows are runs of whole paragraphs of at most ``units`` (字 + English words) inside a chapter; windows
under half that are skipped (chapter tails, front matter). Books take turns, so ``--limit N`` mixes books
and languages. Keys (``book:chapter:window``) are stable for a given corpus and ``units``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from ..datasets.config import BuildConfig
from ..datasets.corpus import read_corpus, sample_corpus_path
from ..datasets.skips import SkipLog
from ..text.chapters import split_chapters
from ..text.length import count_length
from ..text.windows import window_text


@dataclass(frozen=True)
class Passage:
    key: str
    lang: str
    text: str
    book: str
    before: str = ""  # the window before it in the same chapter ('' for a chapter's first)


def book_passages(name: str, text: str, lang: str, units: int, min_chapter: int = 200) -> list[Passage]:
    """The passages of one book, in order."""
    chapters = [c.text for c in split_chapters(text, min_chapter)] or [text]
    out = []
    for ci, chapter in enumerate(chapters):
        windows = window_text(chapter, units, lang)
        for wi, window in enumerate(windows):
            if count_length(window) >= units // 2:
                before = windows[wi - 1].strip() if wi else ""
                out.append(Passage(f"{name}:{ci}:{wi}", lang, window.strip(), name, before))
    return out


def load_passages(
    corpus: Path | None = None, langs: tuple[str, ...] = ("zh", "en"), units: int = 400
) -> list[Passage]:
    """Passages of every book in ``corpus`` (default: ``$SCIFI_CORPUS``, else the package sample) whose
    language is in ``langs``, books taking turns. Raises FileNotFoundError for a missing corpus."""
    config = BuildConfig.from_env(**({"corpus": corpus} if corpus else {}))
    skips = SkipLog("books while reading passages")
    books = [b for b in read_corpus(config.corpus or sample_corpus_path(), skips) if b.lang in langs]
    skips.report()
    per_book = [book_passages(b.name, b.text, b.lang, units, config.min_chapter_length) for b in books]
    return [p for group in zip_longest(*per_book) for p in group if p is not None]
