"""Strict JSON parsing of judge replies, with repair for near-JSON. Judge text is never ``eval()``-ed.

Order: strict ``json.loads`` of the whole reply, then of a fenced ```json block or the outermost
``{...}``, then ``json_repair`` on that span. Anything still not a JSON object raises :class:`MalformedReply`,
which the client treats as retryable.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


class MalformedReply(ValueError):
    """The judge's reply is not (repairable) JSON of the expected shape."""


def parse_json_object(text: str) -> dict[str, Any]:
    """Return the JSON object in a judge reply; repair near-JSON (quotes, commas, truncation)."""
    for candidate in _candidates(text):
        try:
            obj = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    span = _object_span(text)
    if span:
        import json_repair

        obj = json_repair.loads(span)
        if isinstance(obj, dict) and obj:
            return obj
    raise MalformedReply(f"no JSON object in reply: {text[:120]!r}")


def _candidates(text: str) -> list[str]:
    out = [text.strip()]
    out += [m.group(1).strip() for m in _FENCE_RE.finditer(text)]
    span = _object_span(text)
    if span:
        out.append(span)
    return out


def _object_span(text: str) -> str | None:
    fenced = _FENCE_RE.search(text)
    body = fenced.group(1) if fenced else text
    start = body.find("{")
    if start < 0:
        return None
    end = body.rfind("}")
    return body[start : end + 1] if end > start else body[start:]


def as_score(value: Any, lo: float = 1, hi: float = 10) -> float:
    """A score in ``[lo, hi]`` from an int, float or numeric string like ``"7"`` or ``"7/10"``."""
    if isinstance(value, str):
        match = re.match(r"\s*(-?\d+(?:\.\d+)?)", value)
        if not match:
            raise MalformedReply(f"score is not a number: {value!r}")
        value = float(match.group(1))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise MalformedReply(f"score is not a number: {value!r}")
    if not lo <= value <= hi:
        raise MalformedReply(f"score {value} outside [{lo}, {hi}]")
    return float(value)


def parse_score_reply(text: str) -> dict[str, Any]:
    """``{"score": 1..10, "reason": str}`` from a criterion-scoring reply."""
    obj = parse_json_object(text)
    reason = obj.get("reason", obj.get("reasoning", ""))
    return {"score": as_score(obj.get("score")), "reason": str(reason or "")}


def parse_rubric_reply(text: str, names: list[str]) -> dict[str, float]:
    """Per-criterion scores (1..10) from ``{"scores": [{"name", "score", "reason"}]}``; all names required."""
    obj = parse_json_object(text)
    items = obj.get("scores")
    if not isinstance(items, list):
        raise MalformedReply("reply has no 'scores' list")
    found = {str(i.get("name", "")).strip(): as_score(i.get("score")) for i in items if isinstance(i, dict)}
    if len(items) == len(names) and set(found) != set(names):  # judge renamed criteria: trust the order
        found = {
            n: as_score(i.get("score")) for n, i in zip(names, items, strict=True) if isinstance(i, dict)
        }
    missing = [n for n in names if n not in found]
    if missing:
        raise MalformedReply(f"reply misses criteria {missing}")
    return {n: found[n] for n in names}


BANDS = ("1-2", "3-4", "5-6", "7-8", "9-10")


def parse_criteria_reply(text: str, count: int = 5) -> list[dict[str, str]]:
    """``count`` criteria in WritingBench's checklist shape from ``{"criteria": [...]}``."""
    obj = parse_json_object(text)
    items = obj.get("criteria")
    if not isinstance(items, list) or len(items) < count:
        raise MalformedReply(f"expected {count} criteria, got {items if items is None else len(items)}")
    out = []
    for item in items[:count]:
        if not isinstance(item, dict) or not item.get("name") or not item.get("criteria_description"):
            raise MalformedReply(f"criterion lacks name/criteria_description: {item!r}"[:200])
        out.append(
            {
                "name": str(item["name"]),
                "criteria_description": str(item["criteria_description"]),
                **{b: str(item.get(b, "")) for b in BANDS},
            }
        )
    return out


def parse_pairwise_reply(text: str) -> dict[str, Any]:
    """``{"winner": "A"|"B"|"tie", "margin": 0..5, "reason": str}``; a tie has margin 0."""
    obj = parse_json_object(text)
    winner = str(obj.get("winner", "")).strip().upper()
    if winner in ("TIE", "DRAW", "EQUAL"):
        winner = "tie"
    if winner not in ("A", "B", "tie"):
        raise MalformedReply(f"winner must be A, B or tie: {obj.get('winner')!r}")
    margin = 0.0 if winner == "tie" else as_score(obj.get("margin", 1), lo=1, hi=5)
    return {"winner": winner, "margin": margin, "reason": str(obj.get("reason", ""))}
