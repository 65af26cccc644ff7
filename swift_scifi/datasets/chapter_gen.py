"""scifi-chapter-gen: {setting notes + glossary + the end of the preceding text} -> the next chapter window."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .book import PreparedBook, messages
from .continuation import continuation_points
from .prompts import render
from .skips import SkipLog


def build_chapter_gen(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """SFT rows: ``messages`` (system, user, assistant), ``terms`` (list[str]), ``lang``, ``book``, ``chapter``."""
    for book in books:
        for point in continuation_points(book):
            terms = book.sample_terms(point.target)
            instruction = render(
                book.lang,
                "chapter_gen" if point.starts_chapter else "chapter_cont",
                chapter=point.section.title,
            )
            budget = book.prompt_tokens - book.count(instruction)
            context = book.context(
                point.section.title, point.previous, list(point.titles_before), terms, budget
            )
            user = f"{context}\n\n{instruction}"
            if not book.fits(book.system(), user, point.target):
                skips.add("samples over the token budget", f"{book.book.name}: {point.section.title}")
                continue
            yield {
                "messages": messages(book.system(), user, point.target),
                "terms": terms,
                "lang": book.lang,
                "book": book.book.name,
                "chapter": point.section.title,
            }
