"""One completion prepared once and shared by every scorer: think block stripped, language, length, lines."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..text import split_sentences, strip_think
from ..text.scripts import WORD_RE

# CJK ideograph ranges of swift_scifi.text.scripts.CJK_CHAR, as code point bounds (inclusive)
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))
# Latin letters of swift_scifi.text.scripts.LATIN_LETTER_RE
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))
_LANG_SAMPLE = 1000  # characters read by language detection


def _count_in(cp: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> int:
    """Number of code points in ``cp`` inside any of the inclusive ``ranges``."""
    return int(sum(np.count_nonzero((cp >= lo) & (cp <= hi)) for lo, hi in ranges))


def detect_lang_fast(text: str) -> str:
    """``swift_scifi.text.detect_lang(text, sample_chars=1000)`` computed on a code point array (same result)."""
    cp = np.frombuffer(text[:_LANG_SAMPLE].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = _count_in(cp, _CJK_RANGES)
    return "zh" if cjk > 0 and cjk * 4 >= _count_in(cp, _LATIN_RANGES) else "en"


class TextView:
    """Lazily computed views of one completion. ``text`` has any ``<think>`` block removed."""

    __slots__ = ("text", "lang", "__dict__")

    def __init__(self, text: str, lang: str | None = None):
        self.text = strip_think(text) if text else ""
        self.lang = lang or detect_lang_fast(self.text)

    @cached_property
    def lower(self) -> str:
        """Lower-cased text; same length as ``text`` (falls back to ``text`` when lowering changes length)."""
        low = self.text.lower()
        return low if len(low) == len(self.text) else self.text

    @cached_property
    def codepoints(self) -> np.ndarray:
        """The text as a uint32 array of code points."""
        return np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)

    @cached_property
    def cjk_count(self) -> int:
        return _count_in(self.codepoints, _CJK_RANGES)

    @cached_property
    def length(self) -> int:
        """字 + English words (LongWriter's unit); equals ``swift_scifi.text.count_length(text)``."""
        return self.cjk_count + len(self.words)

    @cached_property
    def lines(self) -> list[str]:
        """Non-blank lines, stripped."""
        return [ln.strip() for ln in self.text.split("\n") if ln.strip()]

    @cached_property
    def paragraphs(self) -> list[str]:
        """Paragraphs: blank-line blocks, or lines when the text has no blank lines."""
        blocks = [b for b in self.text.replace("\r", "").split("\n\n") if b.strip()]
        if len(blocks) <= 1:
            return self.lines
        return [" ".join(b.split()) if self.lang == "en" else "".join(b.split()) for b in blocks]

    @cached_property
    def sentences(self) -> list[str]:
        return split_sentences(self.text, self.lang)

    @cached_property
    def words(self) -> list[str]:
        """Lower-cased English words (empty for none)."""
        return WORD_RE.findall(self.lower)

    @cached_property
    def max_char(self) -> str:
        """The character with the highest code point ('' for empty text)."""
        return chr(int(self.codepoints.max())) if self.text else ""
