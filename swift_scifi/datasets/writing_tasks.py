"""scifi-writing-tasks: writing tasks that rules can build honestly from a corpus, as SFT ``messages``.

Tasks (the ``task`` column):
- ``continue``: a passage -> the passage that follows it in the same chapter;
- ``title``: a chapter's opening -> its title (only chapters whose heading carries a title);
- ``outline``: the openings of up to 6 consecutive chapters -> one outline line per chapter (title: opening);
- ``opening``: a chapter title (+ glossary) -> the chapter's first window.
Tasks that need a teacher model (polish, style transfer, backtranslated instructions) are not built here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from swift_scifi.text.segment import split_paragraphs, split_sentences

from .book import PreparedBook, Section, messages
from .prompts import join_terms, render
from .skips import SkipLog

OUTLINE_GROUP = 6
_NUMBERING_RE = re.compile(
    r"^(?:第\S+?[章回节卷部篇集幕话]|(?:CHAPTER|Chapter|LETTER|Letter|BOOK|Book|PART|Part)\s+\S+|(?:[IVXLCDM]+|\d+)\.?(?=\s|$))[\s　:：.\-—]*"
)


def heading_title(heading: str) -> str:
    """The words of a heading after its numbering ('第一回　灵根育孕源流出' -> '灵根育孕源流出'); '' if none."""
    return _NUMBERING_RE.sub("", heading, count=1).strip(" 　.:：-—_")


def build_writing_tasks(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """SFT rows: ``messages`` (system, user, assistant), ``task``, ``lang``, ``terms``."""
    for book in books:
        for row in (*_continue(book), *_title(book), *_outline(book), *_opening(book)):
            msgs = row["messages"]
            if book.fits(*(m["content"] for m in msgs)):
                yield {**row, "lang": book.lang}
            else:
                skips.add(f"{row['task']} samples over the token budget", book.book.name)


def _row(book: PreparedBook, task: str, user: str, answer: str, terms: list[str] | None = None) -> dict:
    return {"messages": messages(book.system(), user, answer), "task": task, "terms": terms or []}


def _continue(book: PreparedBook) -> Iterator[dict]:
    half = book.prompt_tokens // 2
    for section in book.sections:
        windows = book.windows(section)
        for before, after in zip(windows, windows[1:], strict=False):
            passage = book.context(section.title, before, [], [], half).split("\n\n", 1)[-1]
            yield _row(
                book,
                "continue",
                f"{render(book.lang, 'continue')}\n\n{passage}",
                after,
                book.sample_terms(after),
            )


def _titled_sections(book: PreparedBook) -> list[Section]:
    """Sections whose heading carries a title that no other section of the book shares."""
    titles = [heading_title(s.title) for s in book.sections]
    return [s for s, t in zip(book.sections, titles, strict=False) if t and titles.count(t) == 1]


def _title(book: PreparedBook) -> Iterator[dict]:
    for section in _titled_sections(book):
        title = heading_title(section.title)
        if title:
            opening = book.windows(section)[0]
            yield _row(book, "title", f"{render(book.lang, 'title')}\n\n{opening}", title)


def _opening_line(section: Section, lang: str, limit: int = 120) -> str:
    """Whole sentences from the chapter's start, at least 40 characters where the text has them."""
    out = ""
    head = ("" if lang == "zh" else " ").join(split_paragraphs(section.text[:3000]))
    for sentence in split_sentences(head, lang):
        out = f"{out} {sentence}".strip() if lang == "en" else out + sentence
        if len(out) >= 40:
            break
    return out[:limit]


def _outline(book: PreparedBook) -> Iterator[dict]:
    sections = _titled_sections(book)
    for start in range(0, len(sections) - 1, OUTLINE_GROUP):
        group = sections[start : start + OUTLINE_GROUP]
        if len(group) < 2:
            continue
        openings = "\n\n".join(_opening_line(s, book.lang, 400) for s in group)
        answer = "\n".join(
            render(
                book.lang,
                "outline_item",
                n=i + 1,
                title=heading_title(s.title),
                opening=_opening_line(s, book.lang),
            )
            for i, s in enumerate(group)
        )
        yield _row(book, "outline", f"{render(book.lang, 'outline')}\n\n{openings}", answer)


def _opening(book: PreparedBook) -> Iterator[dict]:
    for section in book.sections:
        first = book.windows(section)[0]
        terms = book.sample_terms(first)
        user = render(book.lang, "opening", chapter=section.title)
        if terms:
            user += "\n" + render(book.lang, "glossary", terms=join_terms(terms, book.lang))
        yield _row(book, "opening", user, first, terms)
