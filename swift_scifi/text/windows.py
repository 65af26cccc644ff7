"""Cut text into windows of bounded length along paragraph, then sentence, boundaries."""

from __future__ import annotations

from .length import count_length
from .segment import split_paragraphs, split_sentences


def window_text(text: str, max_length: int, lang: str = "zh") -> list[str]:
    """Consecutive windows of at most ``max_length`` units (字 + words), each a run of whole paragraphs.

    A paragraph longer than the budget is cut at sentence ends; a sentence longer than the budget is
    cut by characters. Paragraphs inside a window are joined by a blank line. Order is kept.
    """
    if max_length <= 0:
        raise ValueError(f"max_length must be positive, got {max_length}")
    windows: list[str] = []
    cur: list[str] = []
    cur_len = 0
    for piece, n in _pieces(text, max_length, lang):
        if cur and cur_len + n > max_length:
            windows.append("\n\n".join(cur))
            cur, cur_len = [], 0
        cur.append(piece)
        cur_len += n
    if cur:
        windows.append("\n\n".join(cur))
    return windows


def _pieces(text: str, max_length: int, lang: str):
    for para in split_paragraphs(text):
        n = count_length(para)
        if n <= max_length:
            yield para, n
            continue
        for sent in split_sentences(para, lang):
            m = count_length(sent)
            if m <= max_length:
                yield sent, m
            else:
                yield from _hard_cut(sent, max_length)


def _hard_cut(sentence: str, max_length: int):
    """Cut by characters so each chunk holds at most ``max_length`` units."""
    start = 0
    while start < len(sentence):
        lo, hi = start + 1, len(sentence)
        # longest prefix within budget (binary search; count_length is monotone in the prefix)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_length(sentence[start:mid]) <= max_length:
                lo = mid
            else:
                hi = mid - 1
        chunk = sentence[start:lo]
        if chunk.strip():
            yield chunk, count_length(chunk)
        start = lo
