"""Length of mixed Chinese/English text in the unit writers use: 字 for Chinese, words for English."""

from .scripts import CJK_RE, WORD_RE


def count_length(text: str) -> int:
    """Chinese ideographs plus English words (as LongWriter counts). Punctuation and spaces count 0.

    A CJK character is not part of any English word, so the two counts never overlap.
    """
    if not text:
        return 0
    return len(CJK_RE.findall(text)) + len(WORD_RE.findall(text))
