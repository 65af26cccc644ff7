"""Paragraph and sentence splitting for Chinese and English prose."""

import re

_BLANK_LINE_RE = re.compile(r"\n\s*\n")
# Sentence ends: Chinese 。！？… (with closing quotes/brackets), English .!? followed by space.
_ZH_SENT_RE = re.compile(r"[^。！？!?…]*(?:[。！？!?]+|…+|$)[”’」』）)]*")
_CLOSE = r"[\"'”’)\]]"  # closing quotes and brackets after an English sentence end
# An English sentence runs to the first .!? run (plus closers) followed by whitespace or the end.
# Runs not followed by whitespace are skipped whole: (?=(...))\1 acts as an atomic group.
_EN_SENT_RE = re.compile(rf"\S[^.!?]*(?:(?=([.!?]+{_CLOSE}*))\1(?!\s|\Z)[^.!?]*)*(?:[.!?]+{_CLOSE}*|\Z)")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; a text with no blank lines splits on single newlines.

    Hard-wrapped English (Gutenberg style) keeps its lines joined with spaces inside a paragraph.
    """
    if not text or not text.strip():
        return []
    blocks = _BLANK_LINE_RE.split(text.strip())
    if len(blocks) == 1:
        blocks = text.strip().split("\n")
    paras = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if lines:
            paras.append(_join_lines(lines))
    return paras


def _join_lines(lines: list[str]) -> str:
    out = lines[0]
    for ln in lines[1:]:
        # Chinese text joins without a space; English wrapped lines join with one.
        if out[-1].isascii() or ln[0].isascii():
            out += " " + ln
        else:
            out += ln
    return out


def split_sentences(text: str, lang: str = "zh") -> list[str]:
    """Sentences with their end punctuation kept. ``lang`` is 'zh' or 'en'."""
    if lang == "zh":
        found = _ZH_SENT_RE.findall(text)
    else:
        found = [m.group() for m in _EN_SENT_RE.finditer(text)]
    return [s for s in map(str.strip, found) if s]
