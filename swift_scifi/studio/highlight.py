"""What the rewards say about one candidate, as data and as inert HTML.

:func:`explain_candidate` runs :func:`swift_scifi.rewards.explain` once and turns its breakdowns into
highlight spans (term variants, slop phrases, principle violations, each with the reason shown on hover);
:func:`rerank` orders candidates with the reranker of ``swift-scifi serve``
(:func:`swift_scifi.serve.ranking.rank_texts`); :func:`render_html` and :func:`breakdown_html` give HTML in
which every piece of text is escaped, so model text containing ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

KINDS = ("term", "slop", "principle")  # highlight kinds, in display priority (first wins the colour)
_KIND_LABEL = {"term": "term variant", "slop": "slop phrase", "principle": "principle"}


@dataclass(frozen=True)
class Span:
    """One highlight: characters ``start:end`` of the scored text, its ``kind`` (see KINDS) and ``reason``."""

    start: int
    end: int
    kind: str
    reason: str


@dataclass
class Explained:
    """One candidate explained. ``text`` is the scored text (any ``<think>`` block removed), the text the
    span offsets refer to; ``scores`` every reward in [0, 1] or None; ``whole`` the reasons of violations
    about the whole text (no span)."""

    text: str
    lang: str
    scores: dict[str, float | None]
    spans: list[Span] = field(default_factory=list)
    whole: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    def rewards(self) -> dict[str, float | None]:
        """The reward scores as stored with a candidate (floats or None)."""
        return {k: (None if v is None else float(v)) for k, v in self.scores.items()}


@lru_cache(maxsize=1)
def _descriptions() -> dict[str, dict[str, str]]:
    from swift_scifi.rewards import load_principles

    return {p.id: dict(p.description) for p in load_principles()}


def _principle_reason(v: dict, lang: str) -> str:
    desc = _descriptions().get(v["principle"], {})
    text = desc.get(lang) or desc.get("en") or ""
    note = "observed only, weight 0" if v.get("observed") else f"weight {v.get('weight', 0):g}"
    return f"Principle {v['principle']}: {text} (adherence {v.get('adherence', 0):.2f}, {note})"


def _latin_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _find_all(text: str, surface: str) -> list[int]:
    """Start offsets of ``surface`` in ``text``; a Latin-edged surface only as a whole word."""
    out, i, n = [], text.find(surface), len(surface)
    while i >= 0 and n:
        before = text[i - 1] if i else ""
        after = text[i + n] if i + n < len(text) else ""
        ok = not (surface[0].isascii() and before and _latin_word_char(before))
        ok = ok and not (surface[-1].isascii() and after and _latin_word_char(after) and after != "s")
        if ok:
            out.append(i)
        i = text.find(surface, i + 1)
    return out


def term_spans(text: str, term_rows: Sequence[dict] | None) -> list[Span]:
    """Spans of the near-miss forms in ``term_rows`` (rows of ``explain()["terms"]``: term, forms as
    ``"surface (kind)"``), located in ``text``; an occurrence inside a correct use of a term is skipped."""
    if not term_rows:
        return []
    exact: list[tuple[int, int]] = []
    for row in term_rows:
        exact += [(i, i + len(row["term"])) for i in _find_all(text, row["term"])]
    spans = []
    for row in term_rows:
        for form in row.get("forms") or ():
            surface, _, kind = form.rpartition(" (")
            surface, kind = (surface or form), kind.rstrip(")") or "variant"
            for i in _find_all(text, surface):
                j = i + len(surface)
                if any(a <= i and j <= b for a, b in exact):
                    continue
                reason = f"Term variant ({kind}) of the glossary term “{row['term']}”"
                spans.append(Span(i, j, "term", reason))
    return spans


def spans_from_report(report: dict[str, Any], text: str) -> tuple[list[Span], list[str]]:
    """Highlight spans and whole-text reasons from an ``explain()`` result for ``text`` (its scored text)."""
    lang = report.get("lang") or "en"
    spans = term_spans(text, report.get("terms"))
    for m in (report.get("slop") or {}).get("matches", ()):
        start = int(m["start"])
        reason = f"Slop phrase “{m['entry']}” ({m.get('kind', 'phrase')}, weight {float(m['weight']):.2f})"
        spans.append(Span(start, start + len(m["text"]), "slop", reason))
    whole = []
    for v in report.get("principle_violations") or ():
        reason = _principle_reason(v, lang)
        if v.get("start") is None or v.get("end") is None:
            whole.append(reason)
        elif v["end"] > v["start"]:
            spans.append(Span(int(v["start"]), int(v["end"]), "principle", reason))
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    spans.sort(key=lambda s: (s.start, -s.end, KINDS.index(s.kind)))
    return spans, whole


def explain_candidate(
    text: str,
    *,
    terms: Sequence[str] | None = None,
    prompt: str | None = None,
    target_length: int | None = None,
    lang: str | None = None,
) -> Explained:
    """Scores, breakdowns and highlight spans of one candidate (one :func:`explain` call)."""
    from swift_scifi.rewards import explain, get_config
    from swift_scifi.rewards.prepare import prepare_view

    report = explain(text, terms=list(terms or ()), target_length=target_length, lang=lang, prompt=prompt)
    scored = prepare_view(text, lang, get_config().max_chars).text
    spans, whole = spans_from_report(report, scored)
    return Explained(scored, report["lang"], dict(report["scores"]), spans, whole, report)


def rerank(explained: Sequence[Explained]) -> list[int]:
    """Indexes of ``explained`` best first, by the reranker of ``swift-scifi serve`` on their scores."""
    from swift_scifi.serve.ranking import rank_texts

    it = iter(explained)
    ranked = rank_texts([e.text for e in explained], scorer=lambda _text, **_: next(it).rewards())
    return [r.index for r in ranked]


def total(explained: Explained) -> float:
    """The reranker's total for one candidate, in [0, 1]."""
    from swift_scifi.serve.ranking import total_score

    return total_score(explained.rewards())


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(text: str, spans: Sequence[Span], whole: Sequence[str] = ()) -> str:
    """``text`` as inert HTML with each span wrapped in ``<mark class="hl hl-KIND" data-reason=...>``.
    Overlapping spans split the text at every boundary; a piece covered by several spans shows the colour
    of the first kind in KINDS and all their reasons. Whole-text reasons follow as a list."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        piece = _esc(text[a:b])
        cover = sorted((s for s in spans if s.start <= a and b <= s.end), key=lambda s: KINDS.index(s.kind))
        if not cover:
            out.append(piece)
            continue
        kinds = sorted({s.kind for s in cover}, key=KINDS.index)
        reasons = "\n".join(dict.fromkeys(s.reason for s in cover))
        classes = " ".join(f"hl-{k}" for k in kinds)
        out.append(
            f'<mark class="hl {classes}" title="{_esc(reasons)}" data-reason="{_esc(reasons)}">{piece}</mark>'
        )
    body = "".join(out)
    tail = ""
    if whole:
        items = "".join(f"<li>{_esc(r)}</li>" for r in whole)
        tail = f'<ul class="hl-whole">{items}</ul>'
    return f'<div class="studio-hl"><div class="hl-text">{body}</div>{tail}</div>'


def breakdown_html(explained: Explained, rank: int | None = None) -> str:
    """A small table of every reward score and the reranker total (inert HTML)."""
    rows = []
    for name, value in explained.scores.items():
        shown = "n/a" if value is None else f"{float(value):.3f}"
        rows.append(f"<tr><td>{_esc(name)}</td><td>{shown}</td></tr>")
    counts = {k: sum(1 for s in explained.spans if s.kind == k) for k in KINDS}
    legend = " · ".join(f'<span class="hl hl-{k}">{_esc(_KIND_LABEL[k])}</span> {counts[k]}' for k in KINDS)
    head = f"<div class='bd-rank'>reranker rank {rank + 1}</div>" if rank is not None else ""
    return (
        f'<div class="studio-breakdown">{head}'
        f'<div class="bd-total">total {total(explained):.3f}</div>'
        f'<table class="bd-table"><tr><th>reward</th><th>score</th></tr>{"".join(rows)}</table>'
        f'<div class="bd-legend">{legend}</div></div>'
    )


HIGHLIGHT_CSS = """
.studio-hl .hl-text {white-space: pre-wrap; line-height: 1.8;}
.hl {border-radius: 3px; padding: 0 1px; position: relative; cursor: help;}
.hl-principle {background: #e8dcff; border-bottom: 2px solid #7a4ccf;}
.hl-slop {background: #ffe9a8; border-bottom: 2px solid #c98a00;}
.hl-term {background: #ffc9c9; border-bottom: 2px solid #d11a2a;}
mark.hl:hover::after {content: attr(data-reason); position: absolute; left: 0; top: 1.6em; z-index: 50;
  width: max-content; max-width: 28em; white-space: pre-wrap; background: #222; color: #fff; font-size: .85em;
  padding: .4em .6em; border-radius: 4px; line-height: 1.4;}
.studio-hl .hl-whole {font-size: .9em; opacity: .85;}
.studio-breakdown table {border-collapse: collapse; font-size: .9em;}
.studio-breakdown td, .studio-breakdown th {padding: 1px 8px; border-bottom: 1px solid #ddd; text-align: left;}
.studio-breakdown .bd-total, .studio-breakdown .bd-rank {font-weight: bold;}
"""
