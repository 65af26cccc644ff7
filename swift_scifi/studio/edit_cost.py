"""Edit cost of an editor's rewrite: Levenshtein distance between before and after, in characters and in
words, each also normalised to [0, 1] by the longer side (0 = unchanged, 1 = rewritten throughout).

Words: runs of letters/digits for alphabetic scripts; each Han character counts as one word (Chinese has
no spaces, and the studio's diff is character-level for it); each punctuation mark is one token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\W{_HAN}]+|[^\w\s]")


def words(text: str) -> list[str]:
    """Word tokens of ``text`` (see module doc)."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class EditCost:
    char_distance: int  # character insertions + deletions + substitutions
    word_distance: int  # the same over word tokens
    chars: float  # char_distance / max(len(before), len(after)), in [0, 1]
    words: float  # word_distance / max(word counts), in [0, 1]

    def as_dict(self) -> dict:
        return {
            "chars": self.chars,
            "words": self.words,
            "char_distance": self.char_distance,
            "word_distance": self.word_distance,
        }


def edit_cost(before: str, after: str) -> EditCost:
    """The :class:`EditCost` of turning ``before`` into ``after``."""
    cd = Levenshtein.distance(before, after)
    wb, wa = words(before), words(after)
    wd = Levenshtein.distance(wb, wa)
    return EditCost(
        char_distance=cd,
        word_distance=wd,
        chars=cd / max(len(before), len(after), 1),
        words=wd / max(len(wb), len(wa), 1),
    )
