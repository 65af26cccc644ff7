"""Where each violation of a principle is in the text: character spans for ``explain()`` and the positions
the windowed counting of :mod:`principles` needs.

Phrase and regex checks are re-run with Python ``re`` on the patterns the shared scan counts (only when a
check has hits, so never on the hot path of a clean text): an ``overlap`` pattern gives every start with its
greedy match, others the non-overlapping matches of ``re.finditer`` (the counts the scan is tested to give).
``chars`` checks give every occurrence; custom checks give the spans their checker can name (quotation
errors, exclamation marks in the narration, over-long paragraphs) and otherwise none.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .principle_checks import long_paragraphs, narration_mark_positions, quote_errors
from .view import TextView


class Span(NamedTuple):
    """One violation: character offsets ``[start, end)`` in the scored text and the text matched."""

    start: int
    end: int
    text: str


def _in_scope(pos: int, n: int, scope: str) -> bool:
    if scope == "start":
        return pos < max(200, n * 0.15)
    if scope == "end":
        return pos >= n - max(200, n * 0.15)
    return True


@lru_cache(maxsize=512)
def _compiled(regex: str, caseless: bool) -> re.Pattern:
    return re.compile(regex, re.ASCII | re.MULTILINE | (re.IGNORECASE if caseless else 0))


def _overlapping(rx: re.Pattern, text: str):
    """The match of ``rx`` at every position where one starts (what ``finditer`` of ``(?=(rx))`` gives), found
    by searching on from one past each start: the search keeps ``re``'s fast scan for the first character,
    which a lookahead at every position loses (1.4-1.5x faster on the 4,000-character texts of the bench)."""
    m = rx.search(text)
    while m is not None:
        yield m
        m = rx.search(text, m.start() + 1)


def pattern_spans(text: str, patterns, scope: str = "all") -> list[Span]:
    """Spans of every match of ``patterns`` (:class:`pattern_scan.Pattern`) in ``text``, by start: every
    position where a match starts for an ``overlap`` pattern, else the matches of ``re.finditer``."""
    out = []
    for p in patterns:
        rx = _compiled(p.regex, p.caseless)
        for m in _overlapping(rx, text) if p.overlap else rx.finditer(text):
            s, e = m.span()
            if _in_scope(s, len(text), scope):
                out.append(Span(s, e, text[s:e]))
    out.sort()
    return out


def chars_spans(text: str, subs) -> list[Span]:
    """Spans of every occurrence of each substring in ``subs``, by start."""
    out = []
    for sub in subs:
        i = text.find(sub)
        while i >= 0:
            out.append(Span(i, i + len(sub), sub))
            i = text.find(sub, i + len(sub))
    out.sort()
    return out


def _paragraph_spans(view: TextView, params: dict) -> list[Span]:
    limit = params.get("max_units_zh", 1200) if view.lang == "zh" else params.get("max_units_en", 450)
    text = view.text
    return [Span(s, e, text[s : min(e, s + 80)] + "…") for s, e in long_paragraphs(text, view.lang, limit)]


def custom_spans(view: TextView, name: str, params: dict) -> list[Span]:
    """Spans a custom checker can point at (empty where its verdict is about the whole text)."""
    text = view.text
    if name == "quote_balance":
        return [
            Span(i, i + 1, text[i])
            for i in quote_errors(view, tuple(params.get("pairs", ("“”", "「」", "『』"))))
        ]
    if name == "narration_marks":
        pos = narration_mark_positions(view, tuple(params.get("marks", ("!",))))
        return [Span(int(i), int(i) + 1, text[i]) for i in pos]
    if name == "wall_of_text":
        return _paragraph_spans(view, params)
    return []


def starts(spans: list[Span]) -> np.ndarray:
    """The start offsets of ``spans`` as a sorted int64 array."""
    return np.array(sorted(s.start for s in spans), np.int64)
