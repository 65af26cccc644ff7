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


MIN_TAIL_CAPITALS = 3  # capitalised words a heading glued to the end of a line holds at least
_TITLE_SMALL_WORDS = frozenset("a an the and or nor of in on for to with at by from as vs".split())


def glued_title_start(line: str) -> int | None:
    """Where a heading glued to the end of ``line`` starts, or None: a run of capitalised words and title
    small words (in, of, and, ...) that ends the line (a colon may close it), opens with a capitalised word,
    holds >= MIN_TAIL_CAPITALS capitalised words and follows no sentence end ("... from literary materials
    Mysterious and Supernatural Phenomena in Folk Tales", "... advisory field Successful Cases in
    Robo-Advisory:"). A heading the line holds alone is :func:`is_title_line`'s."""
    text = line.rstrip()
    tokens = text.rsplit(None, MAX_TITLE_WORDS + 1)  # the line's last words, and what comes before them
    pos, start, capitals = len(text), None, 0
    for k in range(len(tokens) - 1, -1, -1):
        pos = text.rfind(tokens[k], 0, pos)
        word = tokens[k].rstrip(":：") if k == len(tokens) - 1 else tokens[k]
        if word[:1].isupper() and word[1:].replace("-", "").replace("'", "").isalpha():
            start, capitals = pos, capitals + 1
        elif word not in _TITLE_SMALL_WORDS:
            break
    if start is None or capitals < MIN_TAIL_CAPITALS:
        return None
    before = text[:start].rstrip()
    return None if not before or before.endswith((".", "!", "?", "。", "！", "？")) else start
