"""Principle adherence: a bilingual library of writing principles kept as data
(``swift_scifi/data/principles/principles.yaml``), each with an id, domain, description, one example that
follows it, one that violates it, and a rule check (or ``judge`` for the LLM-judge side).

Rule checks (``check.type``):
- ``phrases``: phrases per language (case-insensitive; ASCII-edged ones match whole words only);
- ``regex``: a regex over the text; ``line_regex``: a regex matched at the start of a line (after spaces);
- ``chars``: substrings counted with ``str.count``;
- ``custom``: a function in :mod:`principle_checks` that returns adherence directly.
Every phrase and regex of a language, and the slop phrases, run in one pass over the text
(:mod:`pattern_scan`: Hyperscan, or Python ``re`` where it is not installed); patterns use the subset both
accept (no lookaround), ASCII ``\\b``/``\\s``/``\\d``, and ``ignore_case`` for ASCII case-insensitivity.
Regex options: ``ignore_case``, and ``overlap`` (count every match position, overlaps included: much faster
under Hyperscan for patterns that start with a frequent character; see :mod:`pattern_scan`).
Counting checks allow ``max + per_1000 * units / 1000`` hits (units = 字 + words) in ``scope``
(``all``, ``start`` or ``end``: the first/last 15% of the text, at least 200 characters);
adherence = ``1 / (1 + excess)``.
Score (0-1) = weighted mean adherence over the principles that apply to the text's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import DEFAULTS, RewardConfig
from .pattern_scan import Pattern, PatternSet, char_offset, check_pattern, phrase
from .principle_checks import CHECKERS
from .view import TextView

PRINCIPLES_FILE = Path(__file__).resolve().parent.parent / "data" / "principles" / "principles.yaml"
CHECK_TYPES = ("phrases", "regex", "line_regex", "chars", "custom", "judge")
LINE_START = r"^[ \t\u3000]*"  # a line_regex matches here


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
    if check.get("overlap") and check.get("scope", "all") != "all":
        raise ValueError(f"{where} ({item['id']}): an `overlap` pattern has no start offset, so no `scope`")
    pats = check.get("pattern")
    for pat in pats.values() if isinstance(pats, dict) else [pats] if pats else []:
        try:
            check_pattern(pat)
        except ValueError as e:
            raise ValueError(f"{where} ({item['id']}): {e}") from None
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
    """Compiled checks of one language: ``patterns`` holds the phrase and regex checks (pattern id ->
    principle index in ``owners``; -1 for a slop phrase, whose text is in ``slop``), then the slop phrases."""

    principles: list[Principle]
    patterns: PatternSet
    owners: list[int]
    slop: list[str | None]
    chars: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    scoped: dict[int, str] = field(default_factory=dict)  # principle index -> 'start' / 'end'
    custom: dict[int, tuple[Any, dict[str, Any]]] | None = None
    weights: dict[int, tuple[RewardConfig, list[float]]] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _suite(lang: str, path: str | None = None) -> _LangSuite:
    from .slop import load_phrases  # slop reads its hits from this scan

    prs = [p for p in load_principles(path) if p.is_rule and lang in p.langs]
    patterns: list[Pattern] = []
    owners: list[int] = []
    chars, scoped = [], {}
    for i, p in enumerate(prs):
        c, kind = p.check, p.check["type"]
        if c.get("scope", "all") != "all":
            scoped[i] = c["scope"]
        if kind == "phrases":
            found = [phrase(x) for x in dict.fromkeys(x.lower() for x in _per_lang(c, lang) or [])]
        elif kind in ("regex", "line_regex") and _per_lang(c["pattern"], lang):
            pat = _per_lang(c["pattern"], lang)
            if kind == "line_regex":
                pat = LINE_START + f"(?:{pat})"
            found = [Pattern(pat, bool(c.get("ignore_case")), bool(c.get("overlap")))]
        else:
            found = []
            if kind == "chars":
                chars.append((i, tuple(_per_lang(c["chars"], lang) or ())))
        patterns += found
        owners += [i] * len(found)
    slop = [None] * len(patterns)
    phrases = list(dict.fromkeys(load_phrases("en") + load_phrases("zh")))
    patterns += [phrase(x) for x in phrases]
    owners += [-1] * len(phrases)
    return _LangSuite(prs, PatternSet(patterns), owners, slop + phrases, chars, scoped)


def rule_matches(view: TextView, path: str | None = None) -> tuple[dict[int, int], list[str]]:
    """(principle index -> phrase/regex hits, slop phrases found in order) from one scan; cached per view."""
    key = ("_rule_matches", path)
    if key not in view.__dict__:
        suite = _suite(view.lang, path)
        found, buf = suite.patterns.matches(view.text)
        counts: dict[int, int] = {}
        slop = []
        owners, n = suite.owners, len(view.text)
        for pid, start, _ in found:
            i = owners[pid]
            if i < 0:
                slop.append(suite.slop[pid])
            elif i not in suite.scoped or _in_scope(char_offset(buf, start), n, suite.scoped[i]):
                counts[i] = counts.get(i, 0) + 1
        view.__dict__[key] = (counts, slop)
    return view.__dict__[key]


def _in_scope(pos: int, n: int, scope: str) -> bool:
    if scope == "start":
        return pos < max(200, n * 0.15)
    if scope == "end":
        return pos >= n - max(200, n * 0.15)
    return True


def _counts(suite: _LangSuite, view: TextView, path: str | None) -> dict[int, int]:
    counts = dict(rule_matches(view, path)[0])
    for i, chars in suite.chars:
        counts[i] = sum(view.count(s) for s in chars)
    return counts


def _limits(suite: _LangSuite) -> list[tuple[float, float]]:
    """Per principle: hits allowed at 0 units (``max``) and per unit (``per_1000 / 1000``)."""
    if "limits" not in suite.__dict__:
        suite.__dict__["limits"] = [
            (p.check.get("max", 0), p.check.get("per_1000", 0) / 1000) for p in suite.principles
        ]
    return suite.__dict__["limits"]


def _custom_calls(suite: _LangSuite) -> dict[int, tuple[Any, dict[str, Any]]]:
    """Principle index -> (checker, params) for the ``custom`` checks; built once per suite."""
    if suite.custom is None:
        suite.custom = {
            i: (CHECKERS[p.check["name"]], {k: v for k, v in p.check.items() if k not in ("type", "name")})
            for i, p in enumerate(suite.principles)
            if p.check["type"] == "custom"
        }
    return suite.custom


def _adherences(suite: _LangSuite, view: TextView, path: str | None) -> dict[int, float]:
    """Adherence (0-1) of the principles that are not fully followed (the rest are 1), by index:
    ``1 / (1 + excess hits)``, or the custom checker's value."""
    limits, units = _limits(suite), view.length
    out = {}
    for i, hits in _counts(suite, view, path).items():
        base, per_unit = limits[i]
        excess = hits - base - per_unit * units
        if excess > 0:
            out[i] = 1.0 / (1.0 + excess)
    for i, (fn, params) in _custom_calls(suite).items():
        a = fn(view, **params)
        if a < 1.0:
            out[i] = float(a)
    return out


def principles_report(view: TextView, path: str | None = None) -> dict[str, float]:
    """Adherence (0-1) of every rule principle that applies to the text's language, by id."""
    suite = _suite(view.lang, path)
    below = _adherences(suite, view, path)
    return {p.id: below.get(i, 1.0) for i, p in enumerate(suite.principles)}


def _weights(suite: _LangSuite, cfg: RewardConfig) -> list[float]:
    """Weight per principle (library weight unless ``cfg.principle_weights`` overrides it); cached per cfg."""
    cached = suite.weights.get(id(cfg))
    if cached is None or cached[0] is not cfg:
        cached = suite.weights[id(cfg)] = (
            cfg,
            [float(cfg.principle_weights.get(p.id, p.weight)) for p in suite.principles],
        )
    return cached[1]


def principles_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """Weighted mean adherence in [0, 1]; weights from the library, overridden by ``cfg.principle_weights``."""
    suite = _suite(view.lang, path)
    weights = _weights(suite, cfg)
    total = sum(weights)
    if not total:
        return 1.0
    return (total - sum(weights[i] * (1.0 - a) for i, a in _adherences(suite, view, path).items())) / total
