"""Principle adherence: a bilingual library of writing principles kept as data
(``swift_scifi/data/principles/principles.yaml``), each with an id, domain, description, one example that
follows it, one that violates it, and a rule check (or ``judge`` for the LLM-judge side).

Rule checks (``check.type``):
- ``phrases``: phrases per language, counted in one Aho-Corasick pass (:mod:`phrase_index`) shared by all
  principles;
- ``regex``: a regex over the text; ``line_regex``: a regex matched at the start of each line;
- ``chars``: substrings counted with ``str.count``;
- ``custom``: a function in :mod:`principle_checks` that returns adherence directly.
Counting checks allow ``max + per_1000 * units / 1000`` hits (units = 字 + words) in ``scope``
(``all``, ``start`` or ``end``: the first/last 15% of the text); adherence = ``1 / (1 + excess)``.
Regex options: ``lower`` (match the lower-cased text), ``reverse`` (the pattern is written for the reversed
text, so one anchored on a word's end can start with a literal), ``requires`` (substrings, per language or
shared: the regex runs only when one is present) and ``requires_above`` (runs only when a character above it
occurs); these are speed-ups only (all ``requires`` substrings are found in one Aho-Corasick pass). Line
regexes of one language are combined into one pattern matched per line.
Score (0-1) = weighted mean adherence over the principles that apply to the text's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import DEFAULTS, RewardConfig
from .phrase_index import PhraseIndex, latin_bounded
from .principle_checks import CHECKERS
from .view import TextView

PRINCIPLES_FILE = Path(__file__).resolve().parent.parent / "data" / "principles" / "principles.yaml"
CHECK_TYPES = ("phrases", "regex", "line_regex", "chars", "custom", "judge")


@dataclass(frozen=True)
class Principle:
    id: str
    domain: str
    langs: tuple[str, ...]
    description: dict[str, str]
    follows: str
    violates: str
    check: dict[str, Any]
    weight: float = 1.0

    @property
    def is_rule(self) -> bool:
        return self.check["type"] != "judge"


@lru_cache(maxsize=4)
def load_principles(path: str | None = None) -> tuple[Principle, ...]:
    """Read and validate the library (default: the bundled file). Raises ValueError naming a bad entry."""
    import yaml

    p = Path(path) if path else PRINCIPLES_FILE
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    out, ids = [], set()
    for i, item in enumerate(data.get("principles", [])):
        pr = _principle(item, f"{p}: principle #{i}")
        if pr.id in ids:
            raise ValueError(f"{p}: duplicate principle id {pr.id!r}")
        ids.add(pr.id)
        out.append(pr)
    return tuple(out)


def _principle(item: dict, where: str) -> Principle:
    missing = [
        k for k in ("id", "domain", "langs", "description", "follows", "violates", "check") if k not in item
    ]
    if missing:
        raise ValueError(f"{where}: missing {missing}")
    check = dict(item["check"])
    kind = check.get("type")
    if kind not in CHECK_TYPES:
        raise ValueError(f"{where} ({item['id']}): unknown check type {kind!r}")
    if kind == "custom" and check.get("name") not in CHECKERS:
        raise ValueError(f"{where} ({item['id']}): unknown custom checker {check.get('name')!r}")
    for key in ("pattern",):
        pats = check.get(key)
        for pat in pats.values() if isinstance(pats, dict) else [pats] if pats else []:
            re.compile(pat)
    return Principle(
        id=item["id"],
        domain=item["domain"],
        langs=tuple(item["langs"]),
        description=dict(item["description"]),
        follows=item["follows"],
        violates=item["violates"],
        check=check,
        weight=float(item.get("weight", 1.0)),
    )


def _per_lang(value: Any, lang: str) -> Any:
    return value.get(lang) if isinstance(value, dict) else value


@dataclass
class _LangSuite:
    """Compiled checks of one language.

    ``literals`` finds, in one pass over the lower-cased text, the phrases of ``phrases`` checks and the
    ``requires`` substrings of regexes; ``text_literals`` holds requires substrings that must be looked up
    in the original text (ones with cased characters, for regexes that do not match the lower-cased text).
    """

    principles: list[Principle]
    literals: PhraseIndex | None = None
    text_literals: PhraseIndex | None = None
    regexes: list[tuple[int, re.Pattern, bool, frozenset[int], str, bool]] = field(default_factory=list)
    line_regex: re.Pattern | None = None
    chars: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    custom: dict[int, tuple[Any, dict[str, Any]]] | None = None
    weights: dict[int, tuple[RewardConfig, dict[str, float]]] = field(default_factory=dict)


def _caseless(s: str) -> bool:
    """True when ``s`` occurs in a text exactly when it occurs in the lower-cased text: punctuation, spaces,
    symbols and digits of ASCII, or Unicode punctuation/separators (no letter lower-cases to these)."""
    return all((c.isascii() and not c.isalpha()) or unicodedata.category(c)[0] in "PZ" for c in s)


@lru_cache(maxsize=8)
def _suite(lang: str, path: str | None = None) -> _LangSuite:
    prs = [p for p in load_principles(path) if p.is_rule and lang in p.langs]
    suite = _LangSuite(prs)
    phrases: dict[str, list[int]] = {}
    required: dict[tuple[str, bool], int] = {}  # (substring, looked up in the lower-cased text) -> id
    line_parts = []
    for i, p in enumerate(prs):
        c, kind = p.check, p.check["type"]
        if kind == "phrases":
            for ph in _per_lang(c, lang) or []:
                phrases.setdefault(ph.lower(), []).append(i)
        elif kind == "regex" and _per_lang(c["pattern"], lang):
            flags = re.IGNORECASE if c.get("ignore_case") else 0
            rx = re.compile(_per_lang(c["pattern"], lang), flags | re.MULTILINE)
            lower = bool(c.get("lower"))
            requires = frozenset(
                required.setdefault((r, lower or _caseless(r)), len(required))
                for r in _per_lang(c.get("requires"), lang) or ()
            )
            suite.regexes.append(
                (i, rx, lower, requires, c.get("requires_above", ""), bool(c.get("reverse")))
            )
        elif kind == "line_regex" and _per_lang(c["pattern"], lang):
            line_parts.append(f"(?P<p{i}>{_per_lang(c['pattern'], lang)})")
        elif kind == "chars":
            suite.chars.append((i, tuple(_per_lang(c["chars"], lang) or ())))
    if line_parts:
        suite.line_regex = re.compile("|".join(line_parts))
    suite.literals, suite.text_literals = _literal_indexes(phrases, required)
    return suite


def _literal_indexes(
    phrases: dict[str, list[int]], required: dict[tuple[str, bool], int]
) -> tuple[PhraseIndex | None, PhraseIndex | None]:
    """The lower-cased-text index (payload: Latin start/end flags, principle indexes, requires id or -1)
    and the original-text index (payload: requires id)."""
    lower: dict[str, list] = {
        k: [k[0].isascii(), k[-1].isascii(), tuple(idx), -1] for k, idx in phrases.items()
    }
    text: dict[str, int] = {}
    for (r, in_lower), rid in required.items():
        if not in_lower:
            text[r] = rid
        elif r in lower:
            lower[r][3] = rid
        else:
            lower[r] = [False, False, (), rid]
    low_index = PhraseIndex(list(lower), [tuple(v) for v in lower.values()]) if lower else None
    text_index = PhraseIndex(list(text), list(text.values())) if text else None
    return low_index, text_index


def _in_scope(pos: int, n: int, scope: str) -> bool:
    if scope == "start":
        return pos < max(200, n * 0.15)
    if scope == "end":
        return pos >= n - max(200, n * 0.15)
    return True


def _literal_counts(suite: _LangSuite, view: TextView, counts: dict[int, int]) -> set[int]:
    """Count phrase hits into ``counts``; return the ids of the requires substrings present."""
    low, n, prs = view.lower, len(view.lower), suite.principles
    found: set[int] = set()
    if suite.literals is not None:
        payloads = suite.literals.payloads
        for k, start, end in suite.literals.find(low):
            ls, le, idx, rid = payloads[k]
            if rid >= 0:
                found.add(rid)
            if not idx or not latin_bounded(low, start, end, ls, le):
                continue
            for i in idx:
                if _in_scope(start, n, prs[i].check.get("scope", "all")):
                    counts[i] = counts.get(i, 0) + 1
    if suite.text_literals is not None:
        found.update(suite.text_literals.payloads[k] for k, _, _ in suite.text_literals.find(view.text))
    return found


def _regex_counts(suite: _LangSuite, view: TextView, counts: dict[int, int], found: set[int]) -> None:
    n, prs = len(view.text), suite.principles
    top = view.max_char
    for i, rx, lower, requires, above, reverse in suite.regexes:
        if (requires and requires.isdisjoint(found)) or (above and top <= above):
            continue
        text = view.lower if lower else view.text
        scope = prs[i].check.get("scope", "all")
        if scope == "all":  # every match counts: no match objects needed
            counts[i] = len(rx.findall(text[::-1] if reverse else text))
        elif reverse:  # a match ending at e in the reversed text starts at n - e in the text
            counts[i] = sum(1 for m in rx.finditer(text[::-1]) if _in_scope(n - m.end(), n, scope))
        else:
            counts[i] = sum(1 for m in rx.finditer(text) if _in_scope(m.start(), n, scope))


def _counts(suite: _LangSuite, view: TextView) -> dict[int, int]:
    counts: dict[int, int] = {}
    found = _literal_counts(suite, view, counts)
    _regex_counts(suite, view, counts, found)
    if suite.line_regex is not None:
        for ln in view.lines:
            m = suite.line_regex.match(ln)
            if m:
                i = int(m.lastgroup[1:])
                counts[i] = counts.get(i, 0) + 1
    for i, chars in suite.chars:
        counts[i] = sum(view.text.count(s) for s in chars)
    return counts


def _adherence(p: Principle, count: int, units: int) -> float:
    allowed = p.check.get("max", 0) + p.check.get("per_1000", 0) * units / 1000
    return 1.0 / (1.0 + max(0.0, count - allowed))


def _custom_calls(suite: _LangSuite) -> dict[int, tuple[Any, dict[str, Any]]]:
    """Principle index -> (checker, params) for the ``custom`` checks; built once per suite."""
    if suite.custom is None:
        suite.custom = {
            i: (CHECKERS[p.check["name"]], {k: v for k, v in p.check.items() if k not in ("type", "name")})
            for i, p in enumerate(suite.principles)
            if p.check["type"] == "custom"
        }
    return suite.custom


def principles_report(view: TextView, path: str | None = None) -> dict[str, float]:
    """Adherence (0-1) of every rule principle that applies to the text's language, by id."""
    suite = _suite(view.lang, path)
    counts = _counts(suite, view)
    custom = _custom_calls(suite)
    units = view.length
    out = {}
    for i, p in enumerate(suite.principles):
        if i in custom:
            fn, params = custom[i]
            out[p.id] = float(fn(view, **params))
        else:
            out[p.id] = _adherence(p, counts.get(i, 0), units)
    return out


def _weights(suite: _LangSuite, cfg: RewardConfig) -> dict[str, float]:
    """Principle id -> weight (library weight unless ``cfg.principle_weights`` overrides it); cached per cfg."""
    cached = suite.weights.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        cached = suite.weights[id(cfg)] = (
            cfg,
            {p.id: cfg.principle_weights.get(p.id, p.weight) for p in suite.principles},
        )
    return cached[1]


def principles_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """Weighted mean adherence in [0, 1]; weights from the library, overridden by ``cfg.principle_weights``."""
    report = principles_report(view, path)
    weights = _weights(_suite(view.lang, path), cfg)
    total = sum(weights[k] for k in report)
    return sum(weights[k] * v for k, v in report.items()) / total if total else 1.0
