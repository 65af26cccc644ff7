"""Teacher replies as JSON objects: strict first, then the judge's safe repairs, else a counted reason.

Safe repairs (:func:`swift_scifi.judge.parsing.parse_json_object`): the object inside a code fence or inside
surrounding chatter, trailing commas, single quotes, a truncated closing brace. Nothing is ``eval()``-ed.
"""

from __future__ import annotations

import json
from typing import Any

from ..judge.parsing import MalformedReply, parse_json_object


def parse_object(text: str) -> tuple[dict[str, Any] | None, str]:
    """``(obj, "clean")``, ``(obj, "repaired")`` or ``(None, reason)`` for a reply that holds no object."""
    try:
        obj = json.loads(text.strip())
        if isinstance(obj, dict):
            return obj, "clean"
    except ValueError:
        pass
    try:
        return parse_json_object(text), "repaired"
    except MalformedReply:
        return None, "malformed reply: no JSON object"


def text_field(obj: dict[str, Any], name: str) -> str | None:
    """A non-empty string field (stripped), else None."""
    value = obj.get(name)
    return value.strip() or None if isinstance(value, str) else None


def score_field(obj: dict[str, Any], lo: int = 1, hi: int = 5) -> int | None:
    """An integer score in ``[lo, hi]`` (ints, floats with no fraction and numeric strings), else None."""
    value = obj.get("score")
    if isinstance(value, str):
        value = value.strip().split("/")[0]
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value) if lo <= value <= hi else None
