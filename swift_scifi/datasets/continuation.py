"""Continuation points of a book: every response-sized window with the text that precedes it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .book import PreparedBook, Section


@dataclass(frozen=True)
class Point:
    """``target`` is window ``index`` of ``section``; ``previous`` the window before it (maybe another chapter)."""

    section: Section
    index: int
    target: str
    previous: str
    titles_before: tuple[str, ...]

    @property
    def starts_chapter(self) -> bool:
        return self.index == 0


def continuation_points(book: PreparedBook) -> Iterator[Point]:
    """All windows after the book's first, in reading order."""
    previous = ""
    titles: list[str] = []
    for section in book.sections:
        for j, window in enumerate(book.windows(section)):
            if previous:
                yield Point(section, j, window, previous, tuple(titles))
            previous = window
        titles.append(section.title)
