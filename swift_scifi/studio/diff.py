"""Diff of two versions of a text: character level for Chinese, word level for English, mixed text both.

Pure functions. :func:`tokens` splits a text into units (one CJK character, one Latin word or number, one
run of spaces, one other character); :func:`diff_ops` aligns two token lists by their longest common
subsequence (rapidfuzz's Indel opcodes, linear memory and C++ speed) and merges a delete next to an insert
into a replace; :func:`side_by_side_html` renders both sides as inert HTML (every text escaped).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# One CJK ideograph / kana / hangul / fullwidth punctuation char; a Latin word (with inner ' and -); digits;
# a whitespace run; any other single character.
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_TOKEN_RE = re.compile(
    rf"[{_CJK}]"
    rf"|[^\W\d_{_CJK}](?:[^\W_{_CJK}]|['’\-](?=[^\W\d_{_CJK}]))*"
    r"|\d+(?:[.,]\d+)*"
    r"|\s+"
    r"|.",
    re.S,
)


@dataclass(frozen=True)
class DiffOp:
    """One aligned stretch: ``tag`` is equal, delete, insert or replace; ``a``/``b`` the texts on each side."""

    tag: str
    a: str
    b: str


def tokens(text: str) -> list[str]:
    """Diff units of ``text``; ``"".join(tokens(t)) == t`` always."""
    return _TOKEN_RE.findall(text)


def diff_ops(before: str, after: str) -> list[DiffOp]:
    """Aligned stretches turning ``before`` into ``after``; joined ``a`` sides give ``before``, ``b`` ``after``."""
    from rapidfuzz.distance import Indel

    ta, tb = tokens(before), tokens(after)
    ops: list[DiffOp] = []
    for op in Indel.opcodes(ta, tb):
        a, b = "".join(ta[op.src_start : op.src_end]), "".join(tb[op.dest_start : op.dest_end])
        if op.tag == "equal":
            ops.append(DiffOp("equal", a, b))
        elif ops and ops[-1].tag in ("delete", "insert", "replace"):
            prev = ops.pop()
            ops.append(DiffOp("replace", prev.a + a, prev.b + b))
        else:
            ops.append(DiffOp("delete" if op.tag == "delete" else "insert", a, b))
    return ops


def change_ratio(before: str, after: str) -> float:
    """Share of diff units changed, in [0, 1]: Indel distance over the two token counts (0 = identical)."""
    from rapidfuzz.distance import Indel

    return Indel.normalized_distance(tokens(before), tokens(after))


def _side(ops: list[DiffOp], side: str) -> str:
    out = []
    for op in ops:
        text = op.a if side == "a" else op.b
        if not text:
            continue
        body = html.escape(text, quote=True)
        if op.tag == "equal":
            out.append(body)
        elif side == "a":
            out.append(f'<del class="diff-del">{body}</del>')
        else:
            out.append(f'<ins class="diff-ins">{body}</ins>')
    return "".join(out)


def side_by_side_html(before: str, after: str, left_label: str = "before", right_label: str = "after") -> str:
    """Two columns, removed units struck through on the left, added ones underlined on the right. Inert:
    every piece of text (labels included) is HTML-escaped."""
    ops = diff_ops(before, after)
    ratio = change_ratio(before, after)
    left, right = html.escape(left_label, quote=True), html.escape(right_label, quote=True)
    return (
        '<div class="studio-diff">'
        f'<div class="diff-stat">changed: {ratio:.1%} of units</div>'
        '<div class="diff-cols">'
        f'<div class="diff-col diff-a"><div class="diff-label">{left}</div>'
        f'<div class="diff-text">{_side(ops, "a")}</div></div>'
        f'<div class="diff-col diff-b"><div class="diff-label">{right}</div>'
        f'<div class="diff-text">{_side(ops, "b")}</div></div>'
        "</div></div>"
    )


DIFF_CSS = """
.studio-diff .diff-cols {display: flex; gap: 1em;}
.studio-diff .diff-col {flex: 1; min-width: 0;}
.studio-diff .diff-text {white-space: pre-wrap; line-height: 1.7;}
.studio-diff .diff-label {font-weight: bold; margin-bottom: .3em;}
.studio-diff del.diff-del {background: #ffd7d5; color: #82071e; text-decoration: line-through;}
.studio-diff ins.diff-ins {background: #ccffd8; color: #055d20; text-decoration: underline;}
.studio-diff .diff-stat {font-size: .9em; opacity: .8; margin-bottom: .4em;}
"""
