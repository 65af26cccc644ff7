"""Format and meta failures: what makes a completion an assistant's answer instead of a story.

Categories (data: ``swift_scifi/data/format/format.yaml``, versioned): an assistant preamble ("Sure! Here's…",
以下是…) in the first ``head_chars`` characters, a closing offer ("Let me know…", 希望你喜欢) in the last
``tail_chars``, AI identity talk, markdown headings, lists and bold, and moral/summary/title/word-count
labels. The patterns (:mod:`format_rules`) run in the shared pattern pass of :mod:`scan`.

``failures`` = number of categories that fire (0-7; several hits of one category count once), and
score (0-1, higher is better) ``= (1 - p) ** failures`` with ``p = format_penalty`` (default 0.6: one
failure gives 0.4). The count is absolute, not a density, so padding cannot dilute it; the composite
``writing`` multiplies by this score (see :mod:`composite`).
"""

from __future__ import annotations

from functools import lru_cache

from .config import DEFAULTS, RewardConfig
from .format_rules import FORMAT_FILE, SCOPES, FormatRules, load_rules
from .pattern_scan import char_offset
from .scan import scan
from .view import TextView

__all__ = [
    "FORMAT_FILE",
    "SCOPES",
    "FormatRules",
    "format_failures",
    "format_hits",
    "format_report",
    "format_score",
    "load_rules",
]


def format_hits(view: TextView, path: str | None = None) -> list[tuple[str, int, int]]:
    """(category, start, end) character spans of every in-scope match, in order of end; once per view."""
    return view.derive(_hits_with(path))


@lru_cache(maxsize=4)
def _hits_with(path: str | None):
    def hits(view: TextView) -> list[tuple[str, int, int]]:
        rules = load_rules(path)
        text = view.text
        if path is None:  # the bundled rules run in the shared pass (:mod:`scan`)
            found = scan(view).format
        else:
            raw, buf = rules.patterns.matches(text)
            found = [(pid, char_offset(buf, start), char_offset(buf, end)) for pid, start, end in raw]
        n = len(text)
        out = []
        for pid, s, e in found:
            cat = rules.owners[pid]
            scope = rules.scopes[cat]
            if (scope == "start" and s >= rules.head_chars) or (scope == "end" and e <= n - rules.tail_chars):
                continue
            out.append((rules.categories[cat], s, e))
        return out

    return hits


def format_failures(view: TextView, path: str | None = None) -> int:
    """Number of categories (0-7) with at least one in-scope match."""
    return len({cat for cat, _, _ in format_hits(view, path)})


def format_score(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> float:
    """``(1 - format_penalty) ** failures`` in [0, 1]; 1 = reads as a story, not an assistant's answer."""
    return (1.0 - cfg.format_penalty) ** format_failures(view, path)


def format_report(view: TextView, cfg: RewardConfig = DEFAULTS, path: str | None = None) -> dict:
    """failures, the matched text of each hit by category, the data version and the score."""
    hits: dict[str, list[str]] = {}
    for cat, s, e in format_hits(view, path):
        hits.setdefault(cat, []).append(view.text[s:e][:120])
    return {
        "failures": len(hits),
        "hits": hits,
        "version": load_rules(path).version,
        "score": format_score(view, cfg, path),
    }
