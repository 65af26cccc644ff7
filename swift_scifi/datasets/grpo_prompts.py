"""scifi-grpo-prompts: continuation prompts with the columns the reward plugins read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from swift_scifi.text.length import count_length

from .book import PreparedBook, messages
from .continuation import continuation_points
from .prompts import render
from .skips import SkipLog

MIN_TARGET, MAX_TARGET = 100, 5000


def target_length_for(text: str) -> int:
    """The length the original author wrote, rounded to 50 and clamped to [100, 5000] (字 for zh, words for en)."""
    return int(min(max(round(count_length(text) / 50) * 50, MIN_TARGET), MAX_TARGET))


def build_grpo_prompts(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """GRPO rows: ``messages`` (system, user), ``terms`` list[str], ``target_length`` int, ``lang`` 'zh'|'en',
    ``term_forms`` list[str] (near-forms of the terms that the book itself uses: no slip for the reward)."""
    for book in books:
        for point in continuation_points(book):
            terms = book.sample_terms(point.previous, point.target)
            target_length = target_length_for(point.target)
            instruction = render(
                book.lang,
                "grpo" if point.starts_chapter else "grpo_cont",
                chapter=point.section.title,
                target_length=target_length,
            )
            budget = book.prompt_tokens - book.count(instruction)
            user = f"{book.context(point.section.title, point.previous, list(point.titles_before), terms, budget)}\n\n{instruction}"
            if not book.fits(book.system(), user):
                skips.add("prompts over the token budget", f"{book.book.name}: {point.section.title}")
                continue
            yield {
                "messages": messages(book.system(), user),
                "terms": terms,
                "target_length": target_length,
                "lang": book.lang,
                "term_forms": book.term_forms(terms),
            }
