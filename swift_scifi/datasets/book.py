"""A book prepared for sample building: its sections (chapters, or length windows), glossary and budgets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from swift_scifi.text.chapters import split_chapters
from swift_scifi.text.length import count_length
from swift_scifi.text.segment import split_paragraphs
from swift_scifi.text.windows import window_text

from .budget import TokenCounter, fit_tail
from .config import BuildConfig
from .corpus import Book
from .prompts import join_terms, render
from .terms import GlossaryMatcher, attested_forms, cached_extract_terms, load_glossary

logger = logging.getLogger("swift_scifi.datasets")

PROMPT_OVERHEAD_TOKENS = 48  # chat-template tokens around system, user and assistant turns


@dataclass(frozen=True)
class Section:
    """A chapter (``title`` from its heading) or, when the book has no headings, a length window."""

    title: str
    text: str


@dataclass
class PreparedBook:
    book: Book
    config: BuildConfig
    count: TokenCounter

    @cached_property
    def sections(self) -> list[Section]:
        chapters = split_chapters(self.book.text, self.config.min_chapter_length)
        if chapters:
            return [Section(c.title, c.text) for c in chapters]
        logger.warning("no chapter headings found in %r; splitting it into length windows", self.book.name)
        size = max(self.response_units, 50)
        label = "第{}节" if self.lang == "zh" else "Part {}"
        return [
            Section(label.format(i + 1), w)
            for i, w in enumerate(window_text(self.book.text, size, self.lang))
        ]

    @property
    def lang(self) -> str:
        return self.book.lang

    @cached_property
    def glossary(self) -> list[str]:
        """The user's glossary file (``config.glossary``) if given, else the book's extracted glossary."""
        if self.config.glossary is not None:
            return load_glossary(self.config.glossary)
        return cached_extract_terms(self.book.text, self.lang)

    @cached_property
    def _matcher(self) -> GlossaryMatcher:
        return GlossaryMatcher(self.glossary)

    @property
    def response_tokens(self) -> int:
        return int(self.config.max_tokens * self.config.response_share)

    @cached_property
    def prompt_tokens(self) -> int:
        """Tokens left for the user turn: the budget less the response, the system prompt and the template."""
        return (
            self.config.max_tokens - self.response_tokens - PROMPT_OVERHEAD_TOKENS - self.count(self.system())
        )

    @cached_property
    def tokens_per_unit(self) -> float:
        """Tokens per 字/word, measured on the book's opening (at least 1)."""
        head = self.book.text[:20000]
        return max(self.count(head) / max(count_length(head), 1), 1.0)

    @property
    def response_units(self) -> int:
        return int(self.response_tokens / self.tokens_per_unit * 0.9)

    def windows(self, section: Section) -> list[str]:
        """The section cut into windows of whole paragraphs, each within the response budget in tokens."""
        return self._fit_windows(section.text, max(self.response_units, 20))

    def _fit_windows(self, text: str, units: int) -> list[str]:
        out: list[str] = []
        for window in window_text(text, units, self.lang):
            if self.count(window) <= self.response_tokens or units <= 20:
                out.append(window)
            else:  # denser than the book's average: cut this window finer
                out.extend(self._fit_windows(window, units * 2 // 3))
        return out

    def system(self) -> str:
        return render(self.lang, "system")

    def context(
        self, chapter: str, previous_text: str, titles: list[str], terms: list[str], budget: int
    ) -> str:
        """Notes + glossary + chapters so far + the tail of the previous text, within ``budget`` tokens.

        The header (notes, glossary, titles) takes at most half the budget: glossary terms and then the
        titles give way first, so a small budget still leaves room for the preceding text.
        """
        terms, titles = list(terms), list(titles[-5:])
        head_text = self._context_head(chapter, titles, terms)
        while self.count(head_text) > budget // 2 and (terms or titles):
            if terms:
                terms.pop()
            else:
                titles.pop(0)
            head_text = self._context_head(chapter, titles, terms)
        room = budget - self.count(head_text) - 16
        tail = fit_tail(split_paragraphs(previous_text), room, self.count) if room > 0 else ""
        return head_text + "\n\n" + render(self.lang, "previous", text=tail) if tail else head_text

    def _context_head(self, chapter: str, titles: list[str], terms: list[str]) -> str:
        head = [render(self.lang, "notes", book=self.book.name, chapter=chapter)]
        if terms:
            head.append(render(self.lang, "glossary", terms=join_terms(terms, self.lang)))
        if titles:
            head.append(render(self.lang, "outline_so_far", titles=join_terms(titles, self.lang)))
        return "\n".join(head)

    def sample_terms(self, *texts: str) -> list[str]:
        return self._matcher.terms_in("\n".join(texts), self.config.glossary_size)

    @cached_property
    def _near_forms(self) -> dict[str, list[str]]:
        return attested_forms(self.book.text, self.glossary)

    def term_forms(self, terms: list[str]) -> list[str]:
        """The near-forms of ``terms`` that the book itself uses (the ``term_forms`` column)."""
        return list(dict.fromkeys(f for t in terms for f in self._near_forms.get(t, ())))

    def fits(self, *texts: str) -> bool:
        return sum(self.count(t) for t in texts) + PROMPT_OVERHEAD_TOKENS <= self.config.max_tokens


def messages(system: str, user: str, assistant: str | None = None) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    if assistant is not None:
        msgs.append({"role": "assistant", "content": assistant})
    return msgs
