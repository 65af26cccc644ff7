"""Many regexes over one text in one pass: Hyperscan where it is installed, Python ``re`` otherwise.

Patterns are written in the subset that both engines accept (no lookaround, no backreferences), in Python
``re`` syntax; ``\\uXXXX`` escapes are translated for Hyperscan. Both engines match in ASCII mode over the
text: ``\\b``, ``\\w``, ``\\s``, ``\\d`` and case-insensitivity cover ASCII only; other characters match
themselves. A pattern is counted by one of two rules:
- non-overlapping (the default): matches are taken in order of their end, and one that starts before the
  previous accepted match of the same pattern ends is dropped; for the patterns of the principle library
  and the slop lists this gives the same counts as ``re.finditer``;
- ``overlap``: every place a match ends (Hyperscan) or starts (``re``) counts, overlaps included. It is much
  cheaper under Hyperscan (no start-of-match tracking), for patterns whose matches each have one end and one
  start (e.g. ``\\b...\\b`` words, fixed-length contexts); such matches carry no start position, except
  for literal phrases (:func:`phrase`), whose start is their end less their length.
``tests/rewards/test_pattern_scan.py`` checks both engines against each other on the real corpus.

Offsets are UTF-8 byte offsets under Hyperscan and character offsets under ``re``; :meth:`PatternSet.scan`
returns character offsets for the matches a caller asks positions for.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import NamedTuple

logger = logging.getLogger("swift_scifi.rewards")

try:  # wheels for Linux x86_64; elsewhere the re engine runs the same patterns
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None

_U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


def to_hyperscan(pattern: str) -> bytes:
    """A Python-syntax pattern in Hyperscan syntax (``\\uXXXX`` -> ``\\x{XXXX}``), UTF-8 encoded."""
    return _U_ESCAPE.sub(lambda m: f"\\x{{{int(m.group(1) or m.group(2), 16):x}}}", pattern).encode()


class Pattern(NamedTuple):
    """One pattern: a regex (Python syntax), ASCII case-insensitivity, the counting rule, and for a literal
    phrase its text (matches then have a known length)."""

    regex: str
    caseless: bool = False
    overlap: bool = False
    literal: str | None = None


def phrase(text: str) -> Pattern:
    """A case-insensitive literal; an ASCII letter or digit at either end must not touch another one
    (``\\b``). Counted with overlaps, each occurrence with its position."""
    body = re.escape(text)
    if text[:1].isascii() and text[:1].isalnum():
        body = r"\b" + body
    if text[-1:].isascii() and text[-1:].isalnum():
        body += r"\b"
    return Pattern(body, caseless=True, overlap=True, literal=text)


_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?P=")


def check_pattern(pattern: str) -> None:
    """Raise ValueError when ``pattern`` is not a regex both engines run (lookaround, backreferences)."""
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"bad regex {pattern!r}: {e}") from None
    if _UNSUPPORTED.search(pattern):
        raise ValueError(
            f"regex {pattern!r} uses lookaround or a backreference, which Hyperscan does not run"
        )
    if _hs is not None:
        try:
            PatternSet([Pattern(pattern)])
        except _hs.error as e:
            raise ValueError(f"regex {pattern!r} is not accepted by Hyperscan: {e}") from None


def engine_name() -> str:
    return "hyperscan" if _hs is not None else "re"


class PatternSet:
    """Compiled :class:`Pattern` s; :meth:`matches` scans a text once."""

    def __init__(self, patterns: Sequence[Pattern], engine: str | None = None):
        self.patterns = list(patterns)
        self.engine = engine or engine_name()
        self._lock = threading.Lock()
        self._dbs = []
        # bytes (Hyperscan) or characters (re) of each literal, 0 for other patterns
        self._width = [0] * len(self.patterns)
        if not self.patterns:
            self.engine = "none"
        elif self.engine == "hyperscan":
            self._width = [len(p.literal.encode()) if p.literal else 0 for p in self.patterns]
            for overlap in (False, True):
                ids = [i for i, p in enumerate(self.patterns) if p.overlap == overlap]
                if ids:
                    self._dbs.append((overlap, self._compile(ids, som=not overlap)))
        else:
            self._width = [len(p.literal) if p.literal else 0 for p in self.patterns]
            flags = re.ASCII | re.MULTILINE
            self._res = [
                re.compile(
                    f"(?=(?:{p.regex}))" if p.overlap else p.regex, flags | (re.IGNORECASE * p.caseless)
                )
                for p in self.patterns
            ]

    def _compile(self, ids: list[int], som: bool):
        from .hs_cache import compile_block  # compiled once per machine, then loaded from disk

        base = _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_MULTILINE | (_hs.HS_FLAG_SOM_LEFTMOST if som else 0)
        return compile_block(
            _hs,
            expressions=[to_hyperscan(self.patterns[i].regex) for i in ids],
            ids=ids,
            flags=[base | (_hs.HS_FLAG_CASELESS if self.patterns[i].caseless else 0) for i in ids],
        )

    def matches(self, text: str, ordered: bool = True) -> tuple[list[tuple[int, int, int]], bytes | None]:
        """(pattern id, start, end) of every counted match, in order of end (``ordered`` False: in order of
        end per Hyperscan database, the non-overlap database's first; a caller that sorts what it keeps by
        end, stably, gets the same order). A non-overlap match ends at its
        first possible end under Hyperscan (its greedy end under ``re``); the start of an ``overlap``
        pattern's match that is not a literal is -1 under Hyperscan, and its end is its start under ``re``.
        Offsets are UTF-8 byte offsets when the second value (the encoded text) is not None, else
        character offsets."""
        if self.engine == "none" or not text:
            return [], None
        width = self._width
        if self.engine == "re":
            found = []
            for i, rx in enumerate(self._res):
                if self.patterns[i].overlap:
                    found += [(i, m.start(), m.start() + width[i]) for m in rx.finditer(text)]
                else:
                    found += [(i, m.start(), m.end()) for m in rx.finditer(text)]
            found.sort(key=lambda t: t[2])
            return found, None
        buf = text.encode("utf-8", "surrogatepass")
        raw: list[tuple[int, int, int]] = []
        push = raw.append

        def on_match(pid, start, end, flags, context):
            push((pid, start, end))

        kept: list[tuple[int, int, int]] = []
        with self._lock:  # one scratch space per database
            for overlap, db in self._dbs:
                raw.clear()
                db.scan(buf, match_event_handler=on_match)
                if overlap:
                    kept += [(pid, end - width[pid] if width[pid] else -1, end) for pid, _, end in raw]
                    continue
                last: dict[int, int] = {}
                for hit in raw:  # every end is reported: keep non-overlapping matches per pattern
                    if hit[1] >= last.get(hit[0], -1):
                        last[hit[0]] = hit[2]
                        kept.append(hit)
        if ordered and len(self._dbs) > 1:
            kept.sort(key=match_end)
        return kept, buf


def match_end(hit: tuple[int, int, int]) -> int:
    return hit[2]


def char_offset(buf: bytes | None, offset: int) -> int:
    """A match offset from :meth:`PatternSet.matches` as a character offset."""
    return offset if buf is None else len(buf[:offset].decode("utf-8", "surrogatepass"))
