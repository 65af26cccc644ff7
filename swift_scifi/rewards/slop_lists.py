"""The slop data: weighted phrases and regexes from ``swift_scifi/data/slop/weights.json``, as patterns for
the shared pattern pass (:mod:`scan`) and a standalone matcher for fitting. No scoring here (that is
:mod:`slop`), so :mod:`scan` can import it.

``weights.json`` is written by ``scripts/fit_slop_weights.py`` (provenance, version and per-entry counts
inside); the package reads only that file. An entry is a literal phrase (case-insensitive; whole words where
it starts or ends with an ASCII letter or digit; an ASCII apostrophe also matches ’) or a regex (Python
syntax without lookaround, ASCII-case-insensitive), with a weight in (0, 1].
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .pattern_scan import Pattern, PatternSet, check_pattern, phrase

try:  # the regex parser of the running Python (re._parser from 3.11, sre_parse before)
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as sre
    import sre_parse

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEIGHTS_FILE = DATA_DIR / "slop" / "weights.json"


@dataclass(frozen=True)
class Entry:
    """One slop entry: ``text`` (a phrase, or the id of a regex), ``lang``, ``kind`` ('phrase', 'contrast',
    'cliche'), ``weight`` (0-1] and, for a regex, its pattern."""

    text: str
    lang: str
    kind: str
    weight: float
    regex: str | None = None


def entry_patterns(e: Entry) -> list[Pattern]:
    """The scan patterns of one entry (a phrase with an apostrophe gets a second, ’ form)."""
    if e.regex is not None:
        return [Pattern(e.regex, caseless=True)]
    forms = dict.fromkeys([e.text, e.text.replace("'", "’")])
    return [phrase(f) for f in forms]


def _entry(item: dict, where: str) -> Entry:
    try:
        e = Entry(
            text=str(item["text"]).lower() if item.get("regex") is None else str(item["text"]),
            lang=str(item["lang"]),
            kind=str(item.get("kind", "phrase")),
            weight=float(item["weight"]),
            regex=item.get("regex"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: bad slop entry {item!r} ({exc})") from None
    if not 0 < e.weight <= 1 or not e.text:
        raise ValueError(f"{where}: slop entry {e.text!r} needs a text and a weight in (0, 1]")
    if e.regex is not None:
        check_pattern(e.regex)
    return e


@lru_cache(maxsize=4)
def load_weights(path: str | None = None) -> dict:
    """The weights file as a dict: ``version``, ``formula``, ``provenance``, ``entries`` (validated)."""
    p = Path(path) if path else WEIGHTS_FILE
    raw = p.read_bytes()
    doc = json.loads(raw)
    entries = tuple(_entry(item, str(p)) for item in doc.get("entries", []))
    return {**doc, "entries": entries, "sha256": hashlib.sha256(raw).hexdigest()[:12]}


def data_version(path: str | None = None) -> str:
    """``<version>+<sha256 prefix>`` of the slop weights in use (recorded in run outputs)."""
    doc = load_weights(path)
    return f"{doc.get('version', '?')}+{doc['sha256']}"


def load_phrases(lang: str, path: str | None = None) -> list[str]:
    """The literal phrases of ``lang``, lower-cased."""
    return [e.text for e in load_weights(path)["entries"] if e.lang == lang and e.regex is None]


# Characters that bound the re runs of a regex none of whose matches can hold them (non-word characters,
# without case): the newline and sentence ends.
BARRIERS = "\n.!?;:。！？；"


def _category_has(cat, c: int) -> bool | None:
    """Whether ASCII-mode category ``cat`` holds code point ``c`` (None: a category not known here)."""
    ch = chr(c)
    space = ch in " \t\n\r\f\v"
    digit = "0" <= ch <= "9"
    word = ch.isascii() and (ch.isalnum() or ch == "_")
    return {
        sre.CATEGORY_SPACE: space,
        sre.CATEGORY_NOT_SPACE: not space,
        sre.CATEGORY_DIGIT: digit,
        sre.CATEGORY_NOT_DIGIT: not digit,
        sre.CATEGORY_WORD: word,
        sre.CATEGORY_NOT_WORD: not word,
    }.get(cat)


def _class_has(items: list, c: int) -> bool:
    """Whether a parsed character class (``IN``) matches code point ``c`` (unknown items: assumed to)."""
    hit = False
    negate = False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit |= av == c
        elif op is sre.RANGE:
            hit |= av[0] <= c <= av[1]
        elif op is sre.CATEGORY and _category_has(av, c) is not None:
            hit |= bool(_category_has(av, c))
        else:
            return True
    return hit != negate


def _never_holds(items, c: int) -> bool:
    """Whether no match of the parsed regex ``items`` can hold code point ``c`` (a non-word character
    without case), with only word boundaries as assertions (conservative: any other construct counts as
    holding it)."""
    for op, av in items:
        if op is sre.LITERAL:
            ok = av != c
        elif op is sre.NOT_LITERAL:
            ok = av == c
        elif op is sre.IN:
            ok = not _class_has(av, c)
        elif op is sre.ANY:
            ok = c == 0x0A  # no DOTALL (checked by the caller)
        elif op in _REPEATS:
            ok = _never_holds(av[2], c)
        elif op is sre.SUBPATTERN:
            ok = not av[1] & re.DOTALL and _never_holds(av[3], c)
        elif op is sre.BRANCH:
            ok = all(_never_holds(alt, c) for alt in av[1])
        elif op is sre.AT:
            ok = av in (sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY)
        else:
            ok = False
        if not ok:
            return False
    return True


_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


def barriers(rx: re.Pattern) -> str:
    """The characters of ``BARRIERS`` that no match of compiled regex ``rx`` can hold (empty when ``rx``
    asserts anything but ``\\b`` / ``\\B``, or uses DOTALL). Every match then lies between two of them
    around its end, so :meth:`SlopIndex.raw` runs ``rx`` only from the last barrier before its first
    Hyperscan match end to the first barrier after its last: ``finditer`` with ``pos`` / ``endpos`` there
    gives the same matches as on the whole text (``\\b`` reads the character before ``pos``, and the
    barrier at ``endpos`` is a non-word character that no match takes)."""
    if rx.flags & re.DOTALL:
        return ""
    try:
        tree = sre_parse.parse(rx.pattern, rx.flags)
        return "".join(b for b in BARRIERS if _never_holds(tree, ord(b)))
    except (re.error, TypeError, ValueError, IndexError):
        return ""


class SlopIndex:
    """The patterns of every entry (both languages: a Chinese text can hold English slop and the reverse)
    and the rules that turn their raw matches into counted hits.

    Phrases are literals (their start is their end less their length). A regex entry is counted with
    ``re.finditer`` (leftmost matches, lazy gaps, no overlaps), run only on texts where the scan saw it match:
    in the scan it runs as an ``overlap`` pattern, a prefilter without start-of-match tracking (which is slow
    for the unbounded gaps of the constructions), so Hyperscan and the ``re`` engine give the same hits.
    The shared pass (:mod:`scan`) runs these patterns with the principles'; :meth:`find` runs them alone.
    """

    def __init__(self, entries: tuple[Entry, ...], engine: str | None = None):
        self.entries = entries
        self.weights = [e.weight for e in entries] + [math.inf]  # last: a span claimed by a principle
        pats, owners = [], []
        for i, e in enumerate(entries):
            for p in entry_patterns(e):
                pats.append(p if p.literal else p._replace(overlap=True))
                owners.append(i)
        self.pattern_list = pats
        self.owners = owners
        flags = re.ASCII | re.MULTILINE | re.IGNORECASE
        self.regexes = {pid: re.compile(p.regex, flags) for pid, p in enumerate(pats) if not p.literal}
        self.barriers = {pid: b for pid, rx in self.regexes.items() if (b := barriers(rx))}
        self._engine = engine
        self._own: PatternSet | None = None

    def raw(
        self, text: str, found: list[tuple[int, int, int]], ends: bool = False
    ) -> list[tuple[int, int, int]]:
        """(start, end, entry index) of every match, overlaps included, from the scan's matches of these
        patterns: (pattern id, start, end) in characters. A regex match gives its id, and with ``ends``
        (Hyperscan: every end of a match is reported) its end, which bounds where ``re`` looks for the
        regexes with :func:`barriers`; without, ``re`` reads the whole text."""
        regexes = self.regexes
        out = [(s, e, self.owners[pid]) for pid, s, e in found if pid not in regexes]
        seen: dict[int, list[int]] = {}
        for pid, _, e in found:
            if pid in regexes:
                seen.setdefault(pid, []).append(e)
        for pid, at in seen.items():
            rx = regexes[pid]
            stops = self.barriers.get(pid) if ends else None
            if stops:  # no match starts before the last barrier before the first end, nor ends after
                lo = max(text.rfind(b, 0, min(at)) for b in stops) + 1
                hi = min((j for b in stops if (j := text.find(b, max(at))) >= 0), default=len(text))
                found_re = rx.finditer(text, lo, hi)
            else:
                found_re = rx.finditer(text)
            out += [(m.start(), m.end(), self.owners[pid]) for m in found_re]
        return out

    def reduce(
        self, raw: list[tuple[int, int, int]], claimed: list[tuple[int, int]] = ()
    ) -> list[tuple[int, int, int]]:
        """(entry index, start, end) in order of start. Where hits overlap, the heaviest one is kept (the
        longer on a tie), so a phrase inside a longer entry counts once; a hit overlapping a ``claimed``
        span (a phrase a principle counts) is left to that principle."""
        claim = len(self.entries)
        out: list[tuple[int, int, int]] = []
        weights = self.weights
        for s, e, i in sorted([*raw, *((s, e, claim) for s, e in claimed)]):
            if out and s < out[-1][2]:  # overlaps the last kept hit: keep the heavier, then the longer
                j, ls, le = out[-1]
                if (weights[i], e - s) > (weights[j], le - ls):
                    out[-1] = (i, s, e)
                continue
            out.append((i, s, e))
        return [h for h in out if h[0] != claim]

    def _scan(self, text: str) -> list[tuple[int, int, int]]:
        if self._own is None:
            self._own = PatternSet(self.pattern_list, self._engine)
        found, buf = self._own.matches(text)
        to_char = char_offsets(buf, [o for _, s, e in found for o in ((s, e) if s >= 0 else (e,))])
        return [(pid, to_char[s] if s >= 0 else -1, to_char[e]) for pid, s, e in found]

    @property
    def engine(self) -> str:
        if self._own is None:
            self._own = PatternSet(self.pattern_list, self._engine)
        return self._own.engine

    def find_all(self, text: str) -> list[int]:
        """The entry index of every match, overlapping ones included (for fitting weights)."""
        return [i for _, _, i in self.raw(text, self._scan(text), self.engine == "hyperscan")]

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """:meth:`reduce` of the text's matches, these patterns alone (no principle claims)."""
        return self.reduce(self.raw(text, self._scan(text), self.engine == "hyperscan"))


def char_offsets(buf: bytes | None, offsets: list[int]) -> dict[int, int]:
    """UTF-8 byte offsets of ``buf`` -> character offsets, decoding each stretch once (``buf`` None: the
    offsets are characters already)."""
    if buf is None or buf.isascii():
        return {o: o for o in offsets}
    out, done, chars = {}, 0, 0
    for o in sorted(set(offsets)):
        chars += len(buf[done:o].decode("utf-8", "surrogatepass"))
        done = o
        out[o] = chars
    return out


@lru_cache(maxsize=4)
def slop_index(path: str | None = None) -> SlopIndex:
    """The compiled entries of the weights file at ``path`` (default: bundled)."""
    return SlopIndex(load_weights(path)["entries"])
