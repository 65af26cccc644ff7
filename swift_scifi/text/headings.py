"""Headings in English text: title-cased lines and markdown heading lines, where capitals mark the line's
role rather than a name (pure functions)."""

from __future__ import annotations

import re

TITLE_SHARE = 0.7  # share of a line's words of 4+ letters that are capitalised in a title-cased heading
MAX_TITLE_WORDS = 16  # words of 4+ letters a heading has at most
_LONG_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_LAST_WORD_RE = re.compile(r"([A-Za-z][A-Za-z'’-]*)[^A-Za-z]*$")
_SENTENCE_END_RE = re.compile(r"[a-z][.!?][\"”’)]*(?:\s|$)")  # a word ending a sentence (not 1. or A.)


def is_title_line(line: str) -> bool:
    """Whether ``line`` is a heading: a markdown heading ("## Risks"), or a title-cased line, that is no word
    followed by . ! ?, its last word capitalised, and 1 to MAX_TITLE_WORDS words of 4+ letters of which
    >= TITLE_SHARE are capitalised ("Smart Grid Load Forecasting and Dispatch", "2.3.1 Safety Supervision
    Data"). Prose is none, wrapped or not: "The Thunder Child fired. The Thunder Child sank.", "the steamer
    Governor Higginson, of the"."""
    if line.lstrip().startswith("#"):
        return True
    last = _LAST_WORD_RE.search(line)
    if not last or last.group(1)[0].islower() or _SENTENCE_END_RE.search(line):
        return False
    words = _LONG_WORD_RE.findall(line)
    capitalised = sum(w[0].isupper() for w in words)
    return 0 < len(words) <= MAX_TITLE_WORDS and capitalised >= TITLE_SHARE * len(words)


def line_at(text: str, i: int) -> str:
    """The line of ``text`` that holds index ``i`` (without its line break)."""
    end = text.find("\n", i)
    return text[text.rfind("\n", 0, i) + 1 : end if end >= 0 else len(text)]
