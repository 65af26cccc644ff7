"""The principle library as data: ``swift_scifi/data/principles/principles.yaml`` read, validated and turned
into the patterns its rule checks count. No scoring here (that is :mod:`principles`), so both the scorer and
the shared pattern scan (:mod:`scan`) can import it.

Each principle has an id, domain, langs, a description, one example that follows it, one that violates it,
``observed`` (true or a list of languages: checked and reported, weight 0 in the score), and a check (``check.type``): ``phrases``, ``regex``, ``line_regex`` (a regex matched at the start of a line,
after spaces), ``chars``, ``custom`` (a function in :mod:`principle_checks`) or ``judge`` (LLM-judge side).
A phrases or regex check with ``narration: true`` counts only the hits outside quoted dialogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .pattern_scan import Pattern, check_pattern, phrase
from .principle_checks import CHECKERS

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
    observed: tuple[str, ...] = ()  # languages where it is reported and logged but weighs 0 in the score

    @property
    def is_rule(self) -> bool:
        return self.check["type"] != "judge"

    @property
    def scope(self) -> str:
        """Where hits count: 'all', 'start' or 'end' (the first/last 15% of the text, at least 200 chars)."""
        return self.check.get("scope", "all")

    def patterns(self, lang: str) -> list[Pattern]:
        """The patterns a ``phrases``/``regex``/``line_regex`` check counts in ``lang`` (others: none)."""
        c, kind = self.check, self.check["type"]
        if kind == "phrases":
            return [phrase(x) for x in dict.fromkeys(x.lower() for x in per_lang(c, lang) or [])]
        if kind in ("regex", "line_regex") and per_lang(c["pattern"], lang):
            pat = per_lang(c["pattern"], lang)
            if kind == "line_regex":
                pat = LINE_START + f"(?:{pat})"
            return [Pattern(pat, bool(c.get("ignore_case")), bool(c.get("overlap")))]
        return []


def per_lang(value: Any, lang: str) -> Any:
    """``value[lang]`` for a per-language mapping, else ``value`` itself."""
    return value.get(lang) if isinstance(value, dict) else value


def lang_param(value: Any, lang: str) -> Any:
    """A check parameter for ``lang``: a ``{zh: .., en: ..}`` mapping is resolved, anything else kept."""
    return value.get(lang) if isinstance(value, dict) and value and set(value) <= {"zh", "en"} else value


@lru_cache(maxsize=4)
def library_info(path: str | None = None) -> dict[str, Any]:
    """The library's ``version``, counting window (``window_chars`` per language), path and SHA-256."""
    import hashlib

    import yaml

    p = Path(path) if path else PRINCIPLES_FILE
    raw = p.read_bytes()
    data = yaml.safe_load(raw.decode("utf-8")) or {}
    return {
        "path": str(p),
        "version": data.get("version"),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "window_chars": dict(data.get("window_chars") or {"zh": 1200, "en": 5600}),
    }


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


def rule_principles(lang: str, path: str | None = None) -> tuple[Principle, ...]:
    """The rule-checked principles that apply to ``lang``, in library order (the index every scorer uses)."""
    return tuple(p for p in load_principles(path) if p.is_rule and lang in p.langs)


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
    if check.get("narration") and kind not in ("phrases", "regex", "line_regex"):
        raise ValueError(f"{where} ({item['id']}): `narration` is for phrases and regex checks")
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
        observed=_observed(item.get("observed", False), tuple(item["langs"]), f"{where} ({item['id']})"),
    )


def _observed(value: Any, langs: tuple[str, ...], where: str) -> tuple[str, ...]:
    """``observed``: true (every language of the principle), false, or a list of its languages."""
    if isinstance(value, bool):
        return langs if value else ()
    if isinstance(value, list) and set(value) <= set(langs):
        return tuple(value)
    raise ValueError(f"{where}: `observed` must be true, false or a list of its langs, not {value!r}")
