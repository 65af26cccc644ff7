"""Remove a model's reasoning block before scoring the prose it wrote."""

import re

_THINK_RE = re.compile(r"<think>.*?</think>\s*", re.DOTALL)
_OPEN_THINK_RE = re.compile(r"^\s*<think>.*", re.DOTALL)


def strip_think(text: str) -> str:
    """Drop every closed ``<think>...</think>`` block; an unclosed one at the start swallows the rest.

    A completion cut off inside its reasoning has written no prose, so it becomes ''.
    """
    # one search for what both tags share (most texts hold neither), then the exact test
    if "think>" not in text or ("<think>" not in text and "</think>" not in text):
        return text
    text = _THINK_RE.sub("", text)
    text = _OPEN_THINK_RE.sub("", text)
    # A stray closing tag (template put <think> in the prompt): keep what follows it.
    if "</think>" in text:
        text = text.rsplit("</think>", 1)[1]
    return text.strip()
