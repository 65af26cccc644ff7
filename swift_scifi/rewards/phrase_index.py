"""Every occurrence of many literal strings in one pass over a text (Aho-Corasick).

Uses ``ahocorasick_rs`` (a compiled DFA): one call returns all matches, overlapping ones included, so no
Python code runs per character. Offsets are code point indexes into the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class PhraseIndex:
    """Literal keys (unique, non-empty) with one payload each; :meth:`find` lists every occurrence."""

    def __init__(self, keys: Sequence[str], payloads: Sequence[Any]):
        import ahocorasick_rs

        self.keys = list(keys)
        self.payloads = list(payloads)
        self.empty = not self.keys
        if not self.empty:
            self._ac = ahocorasick_rs.AhoCorasick(self.keys, implementation=ahocorasick_rs.Implementation.DFA)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(key index, start, end) of every occurrence, overlapping included, in order of end."""
        if self.empty or not text:
            return []
        return self._ac.find_matches_as_indexes(text, overlapping=True)
