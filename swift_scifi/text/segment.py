"""Paragraph and sentence splitting for Chinese and English prose."""

import re

_BLANK_LINE_RE = re.compile(r"\n\s*\n")
# Sentence ends: Chinese 。！？… (with closing quotes/brackets), English .!? followed by space.
_ZH_SENT_RE = re.compile(r"[^。！？!?…]*(?:[。！？!?]+|…+|$)[”’」』）)]*")
_EN_SENT_RE = re.compile(r"\S.*?(?:[.!?]+[\"'”’)\]]*(?=\s|$)|$)", re.DOTALL)


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
    pattern = _ZH_SENT_RE if lang == "zh" else _EN_SENT_RE
    return [s.strip() for s in pattern.findall(text) if s.strip()]
