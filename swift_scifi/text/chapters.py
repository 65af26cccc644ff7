"""Split long-form fiction into chapters by their headings.

Recognised headings (each alone on its line):
- Chinese: 第十二章 / 第12回 / 第三节 ... with an optional title; 序, 楔子, 引子, 尾声, 后记, 附录, 番外, 《书名》自序.
- English: CHAPTER I / Chapter 12 / Letter 3 / BOOK ONE / PART II / Prologue / Epilogue, with an optional title;
  a bare roman numeral or number ("IV", "IV.", "12.") or one followed by a capitalised title, after a blank line.
- Layout: a short line with no sentence punctuation, after two or more blank lines and before a blank line
  (how the bundled Chinese corpus and many web texts set story titles).

A heading followed, across blank lines only, by a short title line takes that line as its title.
Stretches shorter than ``min_chapter_length`` (title pages, tables of contents) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .length import count_length

_ZH_NUM = "0-9０-９一二三四五六七八九十百千万零〇两壹贰叁肆伍陆柒捌玖拾佰"
_ZH_HEADING_RE = re.compile(
    rf"^(?:第[{_ZH_NUM}]+[章回节卷部篇集幕话](?:[\s　:：、.].*)?"
    r"|(?:《[^》]{1,20}》)?(?:序章?|序言|自序|楔子|引子|尾声|后记|附录|番外)(?:[\s　:：].*)?)$"
)
_EN_WORD_NUM = (
    r"ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|FIRST|SECOND|THIRD|FOURTH|FIFTH|LAST"
)
_EN_HEADING_RE = re.compile(
    rf"^(?:(?:CHAPTER|Chapter|CHAP\.|Chap\.|LETTER|Letter|BOOK|Book|PART|Part|VOLUME|Volume)\s+"
    rf"(?:[IVXLCDM]+|\d+|(?i:{_EN_WORD_NUM}))\b\.?(?:[\s:.\-—].*)?"
    r"|(?:PROLOGUE|Prologue|EPILOGUE|Epilogue|INTRODUCTION|Introduction)\.?)$"
)
# Bare numerals only count after a blank line, so "I" inside prose never splits a chapter.
_BARE_NUM_RE = re.compile(r"^(?:[IVXLCDM]{1,7}|\d{1,3})\.?(?:\s+[A-Z“\"'].{0,70})?$")
_SENTENCE_END = tuple('。！？!?.,，；;：:”"’)）…')


@dataclass(frozen=True)
class Chapter:
    """One chapter: ``title`` is the heading line(s) joined ('' for untitled windows); ``text`` the body."""

    index: int
    title: str
    text: str
    start: int  # character offset of the heading (or body) in the source text


def heading_kind(line: str, blank_before: int, blank_after: bool) -> str | None:
    """'explicit', 'numeral' or 'layout' when ``line`` (stripped) is a chapter heading, given the blank lines
    around it; None otherwise."""
    if not line or len(line) > 80:
        return None
    if _ZH_HEADING_RE.match(line) or _EN_HEADING_RE.match(line):
        return "explicit"
    if blank_before >= 1 and blank_after and _BARE_NUM_RE.match(line):
        return "numeral"
    if blank_before >= 2 and blank_after and _is_short_title(line):
        return "layout"
    return None


def _is_short_title(line: str) -> bool:
    if not 0 < count_length(line) <= 12 or line.startswith(("“", '"', "「")):
        return False
    # "THE EVE OF THE WAR." is a title; "He left." is a sentence.
    return not line.endswith(_SENTENCE_END) or (line.isupper() and line.endswith("."))


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append((pos, raw))
        pos += len(raw) + 1
    return out


def find_headings(text: str) -> list[tuple[int, int, str]]:
    """Return (heading start, body start, title) for every heading, in order. Offsets index ``text``.

    Layout headings count only where they are not rare next to explicit ones (at least one per five):
    in a book with numbered chapters, a word set apart by blank lines is emphasis, not a chapter.
    """
    heads = _candidate_headings(text)
    explicit = sum(kind != "layout" for *_, kind in heads)
    layout = len(heads) - explicit
    keep_layout = layout * 5 >= explicit
    return [(a, b, title) for a, b, title, kind in heads if keep_layout or kind != "layout"]


def _candidate_headings(text: str) -> list[tuple[int, int, str, str]]:
    lines = _lines_with_offsets(text)
    heads: list[tuple[int, int, str, str]] = []
    blank_run = 2  # the start of the text counts as preceded by blank lines
    i = 0
    while i < len(lines):
        off, raw = lines[i]
        line = raw.strip()
        if not line:
            blank_run += 1
            i += 1
            continue
        blank_after = i + 1 >= len(lines) or not lines[i + 1][1].strip()
        kind = heading_kind(line, blank_run, blank_after)
        if kind is None and _BARE_NUM_RE.match(line) and blank_run >= 1 and i + 1 < len(lines):
            kind = "numeral" if _title_follows(lines, i) else None
        if kind:
            title, end = _absorb_title(lines, i, line)
            heads.append((off, end, title, kind))
            i = _index_after(lines, end)
            blank_run = 0
            continue
        blank_run = 0
        i += 1
    return heads


def _title_follows(lines: list[tuple[int, str]], i: int) -> bool:
    """'I.' directly above a short title line and then a blank line (Wells's layout)."""
    nxt = lines[i + 1][1].strip()
    after_blank = i + 2 >= len(lines) or not lines[i + 2][1].strip()
    return bool(nxt) and after_blank and 0 < count_length(nxt) <= 14 and not nxt.endswith(_SENTENCE_END[:-3])


def _absorb_title(lines: list[tuple[int, str]], i: int, heading: str) -> tuple[str, int]:
    """Join a title line that follows the heading across blank lines only. Returns (title, body offset)."""
    j = i + 1
    while j < len(lines) and not lines[j][1].strip():
        j += 1
    if j < len(lines):
        nxt = lines[j][1].strip()
        after_blank = j + 1 >= len(lines) or not lines[j + 1][1].strip()
        bare_numeral = (
            _BARE_NUM_RE.match(nxt) and " " not in nxt
        )  # "IV" alone; "I FORM MY RESOLUTION" is a title
        other_heading = _ZH_HEADING_RE.match(nxt) or _EN_HEADING_RE.match(nxt) or bare_numeral
        if after_blank and _is_short_title(nxt) and not other_heading:
            off = lines[j][0] + len(lines[j][1]) + 1
            return f"{heading} {nxt}", off
    off = lines[i][0] + len(lines[i][1]) + 1
    return heading, off


def _index_after(lines: list[tuple[int, str]], offset: int) -> int:
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid][0] < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def split_chapters(text: str, min_chapter_length: int = 200) -> list[Chapter]:
    """Chapters found by heading, in order. Bodies shorter than ``min_chapter_length`` (字 + words) are dropped.

    Returns [] when the text has fewer than two headings; callers then fall back to length windows
    (see :func:`swift_scifi.text.windows.window_text`).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    heads = find_headings(text)
    if len(heads) < 2:
        return []
    chapters: list[Chapter] = []
    for k, (start, body_start, title) in enumerate(heads):
        body_end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        body = text[body_start:body_end].strip()
        if count_length(body) >= min_chapter_length:
            chapters.append(Chapter(len(chapters), title, body, start))
    return chapters if len(chapters) >= 2 else []
