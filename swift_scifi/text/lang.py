"""Language detection between Chinese and English prose."""

from typing import Literal

from .scripts import CJK_RE, LATIN_LETTER_RE

Lang = Literal["zh", "en"]


def detect_lang(text: str, sample_chars: int = 4000) -> Lang:
    """Return 'zh' when CJK ideographs outnumber a quarter of the Latin letters, else 'en'.

    Only the first ``sample_chars`` characters are read, so the cost is bounded. An English letter
    carries about a quarter of the information of a Chinese character, hence the weight.
    Empty or letterless text is 'en'.
    """
    head = text[:sample_chars] if text else ""
    cjk = len(CJK_RE.findall(head))
    latin = len(LATIN_LETTER_RE.findall(head))
    return "zh" if cjk > 0 and cjk * 4 >= latin else "en"
