"""Language-aware text basics shared by datasets, rewards and evaluation.

All functions here are pure: text in, values out, no I/O.
"""

from .chapters import Chapter, split_chapters
from .lang import detect_lang
from .length import count_length
from .segment import split_paragraphs, split_sentences
from .think import strip_think

__all__ = [
    "Chapter",
    "count_length",
    "detect_lang",
    "split_chapters",
    "split_paragraphs",
    "split_sentences",
    "strip_think",
]
