"""The one input normaliser: what "the completion" and "the prompt" are, whatever the caller passes, and
the coercion of untrusted columns. Used by the scorers (so GRPO, ``explain``, ``eval``), ``serve``, and the
``swift sample``, TRL and verl adapters of :mod:`swift_scifi.integrations`.

The rules (docs/rewards.md, "Input rules"):
- **the completion** (:func:`completion_text`): a string as it is; a message dict's ``content``; a message list
  (TRL conversational completions, a ``swift sample`` request) -> its last assistant turn; an object with
  ``messages`` (ms-swift ``InferRequest``) -> the same; content given as OpenAI parts -> its text parts
  joined. Any ``<think>...</think>`` block is then removed.
- **the prompt** (:func:`prompt_text`): a string as it is; a message list -> every system turn and the last
  user turn, in order, joined by a newline. Earlier user turns (chat history) and assistant turns (including
  the completion when the list ends with it) are not part of it. Quoted names in the system turn therefore
  count as terms in training, serving and eval alike.

Rewards run inside training: nothing here raises. Bad values become ``None`` (meaning "not given"),
and each kind of problem is logged once per process, not once per row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from ..text import strip_think

logger = logging.getLogger("swift_scifi.rewards")
_warned: set[str] = set()


def warn_once(key: str, message: str) -> None:
    """Log ``message`` as a warning the first time ``key`` is seen in this process."""
    if key not in _warned:
        _warned.add(key)
        logger.warning("%s (logged once)", message)


def content_text(content: Any) -> str | None:
    """A message's ``content`` as text: a string, or the ``text`` of OpenAI-style parts joined; else None."""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type", "text") == "text"]
        parts = [p for p in parts if isinstance(p, str)]
        return "".join(parts) if parts or not content else None
    return None


def _messages_of(value: Any) -> Any:
    """The message list of an ms-swift ``InferRequest``-like object or a ``{"messages": [...]}`` row."""
    if isinstance(value, dict) and "messages" in value and "role" not in value:
        return value["messages"]
    msgs = getattr(value, "messages", None)
    return msgs if isinstance(msgs, (list, tuple)) else value


def completion_text(value: Any) -> str | None:
    """The completion in ``value`` (rules in the module docstring), think block removed; None if none."""
    value = _messages_of(value)
    if isinstance(value, dict):
        text = content_text(value.get("content"))
    elif isinstance(value, (list, tuple)) and value and all(isinstance(m, dict) for m in value):
        turns = [m for m in value if m.get("role") == "assistant"] or [value[-1]]
        text = content_text(turns[-1].get("content"))
    else:
        text = value if isinstance(value, str) else None
    return strip_think(text) if text else text


def prompt_text(messages: Any) -> str | None:
    """The prompt of a conversation (rules in the module docstring): system turns + the last user turn."""
    messages = _messages_of(messages)
    if isinstance(messages, str):
        return messages
    if not isinstance(messages, (list, tuple)):
        return None
    msgs = [m for m in messages if isinstance(m, dict)]
    users = [i for i, m in enumerate(msgs) if m.get("role") == "user"]
    keep = [m for i, m in enumerate(msgs) if m.get("role") == "system" or (users and i == users[-1])]
    parts = [t for t in (content_text(m.get("content")) for m in keep) if t]
    return "\n".join(parts) if parts else None


def as_text(value: Any, max_chars: int) -> str:
    """A completion as a string (:func:`completion_text`): none found -> '' (warned once); cut to
    ``max_chars`` (warned once)."""
    text = completion_text(value)
    if text is None:
        warn_once(
            f"text-type-{type(value).__name__}",
            f"scifi rewards: completion of type {type(value).__name__} scored as empty",
        )
        return ""
    if len(text) > max_chars:
        warn_once(
            "text-too-long", f"scifi rewards: completion of {len(text)} chars cut to {max_chars} (max_chars)"
        )
        text = text[:max_chars]
    return text


def as_terms(value: Any) -> list[str] | None:
    """A term list from a list/tuple of strings, a JSON list string, or a comma/、/newline separated string.

    Non-string items and blanks are dropped; anything else is ``None`` (warned once).
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse_term_string(value)
    if not isinstance(value, (list, tuple)):
        warn_once("terms-type", f"scifi rewards: `terms` of type {type(value).__name__} ignored")
        return None
    terms = [t.strip() for t in value if isinstance(t, str) and t.strip()]
    if len(terms) != len(value):
        warn_once("terms-items", "scifi rewards: non-string or blank items in `terms` dropped")
    return list(dict.fromkeys(terms))


def _parse_term_string(s: str) -> list[str]:
    s = s.strip()
    if s.startswith("["):
        try:
            parsed = json.loads(s)
            if isinstance(parsed, list):
                return parsed
        except ValueError:
            pass
    for sep in ("\n", "、", "，", ",", ";", "；"):
        s = s.replace(sep, "\x00")
    return [t for t in s.split("\x00") if t.strip()]


def as_target_length(value: Any) -> int | None:
    """A positive int target (int, float or numeric string); anything else is ``None`` (warned once)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            value = float(value)
        except ValueError:
            warn_once("target-str", f"scifi rewards: target_length {value!r} is not a number; ignored")
            return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not value == value
        or value <= 0
        or value > 10**8
    ):
        warn_once("target-type", f"scifi rewards: target_length {value!r} is not a positive number; ignored")
        return None
    return int(round(value))


def as_lang(value: Any) -> str | None:
    """'zh' or 'en' (also accepts 'zh-cn', 'chinese', 'english'...); anything else is ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().lower()
    if v.startswith(("zh", "chinese", "cn")) or v in ("中文", "汉语"):
        return "zh"
    if v.startswith(("en", "english")) or v == "英文":
        return "en"
    warn_once("lang-value", f"scifi rewards: lang {value!r} not understood; detecting the language instead")
    return None


def column(kwargs: dict[str, Any], name: str, n: int) -> Sequence[Any]:
    """Column ``name`` aligned with ``n`` completions; missing or wrong-length columns give ``[None] * n``."""
    col = kwargs.get(name)
    if col is None:
        return [None] * n
    if isinstance(col, (str, bytes)) or not isinstance(col, Sequence):
        if n == 1:
            return [col]
        warn_once(f"col-type-{name}", f"scifi rewards: column {name!r} is not a list; ignored")
        return [None] * n
    if len(col) != n:
        warn_once(
            f"col-len-{name}",
            f"scifi rewards: column {name!r} has {len(col)} items for {n} completions; ignored",
        )
        return [None] * n
    return col
