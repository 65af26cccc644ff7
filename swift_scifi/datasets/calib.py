"""scifi-calib: prose windows as chat samples, for AWQ/GPTQ calibration in `swift export`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import zip_longest

from .book import PreparedBook, messages
from .prompts import render
from .skips import SkipLog


def build_calib(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """Rows ``messages`` (user: a short instruction, assistant: a prose window), books interleaved so that a
    prefix of the dataset (``--quant_n_samples``) mixes every book and both languages."""
    per_book = [_windows(book, skips) for book in books]
    for group in zip_longest(*per_book):
        yield from (row for row in group if row is not None)


def _windows(book: PreparedBook, skips: SkipLog) -> list[dict]:
    rows = []
    for section in book.sections:
        for window in book.windows(section):
            user = render(book.lang, "calib")
            if book.fits(user, window):
                rows.append({"messages": messages(book.system(), user, window), "lang": book.lang})
            else:
                skips.add("calibration windows over the token budget", book.book.name)
    return rows
