"""One completion prepared once and shared by every scorer: think block stripped, language, length, lines."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..text import detect_lang, split_sentences, strip_think
from ..text.scripts import WORD_RE

# CJK ideograph ranges of swift_scifi.text.scripts.CJK_CHAR, as code point bounds (inclusive)
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))
# Latin letters of swift_scifi.text.scripts.LATIN_LETTER_RE
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))
CJK, LATIN = 1, 2  # character classes
_LANG_SAMPLE = 1000  # characters read by language detection


def _class_table() -> np.ndarray:
    """Class of every BMP code point (0 = other); U+FFFF (a non-character) is 0."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in _CJK_RANGES:
        table[lo : min(hi, 0xFFFE) + 1] = CJK
    for lo, hi in _LATIN_RANGES:
        table[lo : hi + 1] = LATIN
    return table


_CLASS = _class_table()


def char_classes(cp: np.ndarray) -> np.ndarray:
    """uint8 class (CJK, LATIN or 0) of each code point in ``cp``."""
    if not cp.size or int(cp.max()) <= 0xFFFF:
        return _CLASS.take(cp)
    classes = _CLASS.take(np.minimum(cp, 0xFFFF))
    lo, hi = _CJK_RANGES[-1]
    classes[(cp >= lo) & (cp <= hi)] = CJK
    return classes


def lang_of_classes(classes: np.ndarray) -> str:
    """``detect_lang``'s rule on the classes of the first characters: 'zh' when CJK ideographs are at
    least a quarter of the Latin letters (and present), else 'en'."""
    head = classes[:_LANG_SAMPLE]
    cjk = int(np.count_nonzero(head == CJK))
    return "zh" if cjk > 0 and cjk * 4 >= int(np.count_nonzero(head == LATIN)) else "en"


class TextView:
    """Lazily computed views of one completion. ``text`` has any ``<think>`` block removed."""

    __slots__ = ("text", "lang", "__dict__")

    def __init__(self, text: str, lang: str | None = None):
        self.text = strip_think(text) if text else ""
        if lang:
            self.lang = lang
        else:
            try:  # same result as detect_lang(text, sample_chars=1000), from the shared class array
                self.lang = lang_of_classes(self.classes)
            except UnicodeEncodeError:  # lone surrogates: no code point array
                self.lang = detect_lang(self.text, sample_chars=_LANG_SAMPLE)

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
    def classes(self) -> np.ndarray:
        """uint8 class of each character: CJK ideograph, Latin letter or 0 (see :func:`char_classes`)."""
        return char_classes(self.codepoints)

    @cached_property
    def cjk_count(self) -> int:
        return int(np.count_nonzero(self.classes == CJK))

    @cached_property
    def length(self) -> int:
        """字 + English words (LongWriter's unit); equals ``swift_scifi.text.count_length(text)``."""
        return self.cjk_count + len(self.words)

    @cached_property
    def lines(self) -> list[str]:
        """Non-blank lines, stripped."""
        return [ln for ln in map(str.strip, self.text.split("\n")) if ln]

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
