"""One completion prepared once and shared by every scorer: think block stripped, language, length, lines."""

from __future__ import annotations

from functools import cached_property

from ..text import count_length, detect_lang, split_sentences, strip_think
from ..text.scripts import WORD_RE


class TextView:
    """Lazily computed views of one completion. ``text`` has any ``<think>`` block removed."""

    __slots__ = ("text", "lang", "__dict__")

    def __init__(self, text: str, lang: str | None = None):
        self.text = strip_think(text) if text else ""
        self.lang = lang or detect_lang(self.text, sample_chars=1000)

    @cached_property
    def lower(self) -> str:
        """Lower-cased text; same length as ``text`` (falls back to ``text`` when lowering changes length)."""
        low = self.text.lower()
        return low if len(low) == len(self.text) else self.text

    @cached_property
    def length(self) -> int:
        """字 + English words (LongWriter's unit)."""
        return count_length(self.text)

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
