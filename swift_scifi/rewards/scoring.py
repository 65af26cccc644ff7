"""``score_text`` / ``score_batch``: every reward for one or many completions, sharing compiled state.

Keys: 'term_consistency', 'principles', 'length', 'repetition', 'slop', 'writing' (all 0-1, higher is
better). 'term_consistency' is None without terms; 'length' is None without a target (column or parsed
from the prompt). Bad input never raises: see :mod:`inputs` and docs/rewards.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .composite import writing_score
from .config import REWARD_NAMES, RewardConfig, get_config
from .inputs import as_lang, as_target_length, as_terms, as_text, column, logger, prompt_text, warn_once
from .length import Target, length_score, parse_target
from .principles import principles_score
from .repetition import repetition_score
from .slop import slop_score
from .term_consistency import matcher_for, terms_from_prompt
from .view import TextView

ALL_KEYS = (*REWARD_NAMES, "writing")
COLUMNS = ("terms", "target_length", "lang", "messages")


def resolve_terms(terms: Any, prompt: str | None, cfg: RewardConfig) -> tuple[str, ...] | None:
    """Terms from the column, plus names quoted in the prompt when ``term_extract_from_prompt``."""
    got = as_terms(terms) or []
    if cfg.term_extract_from_prompt and prompt:
        got = got + terms_from_prompt(prompt)
    return tuple(dict.fromkeys(got)) or None


def resolve_target(target_length: Any, prompt: str | None) -> Target | int | None:
    """The length target: the column if valid, else parsed from the prompt, else None."""
    t = as_target_length(target_length)
    if t is not None:
        return t
    return parse_target(prompt) if prompt else None


def _score_view(
    view: TextView, terms, target, cfg: RewardConfig, only: Sequence[str]
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    if "term_consistency" in only:
        out["term_consistency"] = (
            matcher_for(terms).report(view.text, view.lower, cfg.term_fuzzy_threshold).score(cfg)
            if terms
            else None
        )
    if "principles" in only:
        out["principles"] = principles_score(view, cfg)
    if "length" in only:
        out["length"] = length_score(view.length, target, cfg) if target is not None else None
    if "repetition" in only:
        out["repetition"] = repetition_score(view, cfg)
    if "slop" in only:
        out["slop"] = slop_score(view, cfg)
    return out


def _score_prepared(
    text: Any, lang: Any, terms_t, target, cfg: RewardConfig, only: Sequence[str]
) -> dict[str, float | None]:
    view = TextView(as_text(text, cfg.max_chars), as_lang(lang))
    need = REWARD_NAMES if "writing" in only else tuple(only)
    if not view.text.strip():
        out = {k: cfg.empty_score for k in need}
        out["term_consistency"] = cfg.empty_score if terms_t else None
        out["length"] = cfg.empty_score if target is not None else None
    else:
        try:
            out = _score_view(view, terms_t, target, cfg, need)
        except Exception as e:  # a reward never throws into training
            warn_once(
                f"scorer-{type(e).__name__}", f"scifi rewards: scoring failed ({e!r}); scored as empty_score"
            )
            logger.debug("scorer failure", exc_info=True)
            out = {k: cfg.empty_score for k in need}
    if "writing" in only:
        out["writing"] = writing_score(out, cfg)
    return {k: out.get(k) for k in ALL_KEYS if k in only}


def score_one(
    text: Any,
    *,
    terms: Any = None,
    target_length: Any = None,
    lang: Any = None,
    prompt: Any = None,
    cfg: RewardConfig | None = None,
    only: Sequence[str] = ALL_KEYS,
) -> dict[str, float | None]:
    """Scores of one completion; never raises (a failing scorer gives ``empty_score``, warned once)."""
    cfg = cfg or get_config()
    prompt = prompt_text(prompt)
    return _score_prepared(
        text, lang, resolve_terms(terms, prompt, cfg), resolve_target(target_length, prompt), cfg, only
    )


def score_columns(
    completions: Sequence[Any],
    cols: dict[str, Sequence[Any]],
    cfg: RewardConfig,
    only: Sequence[str] = ALL_KEYS,
) -> list[dict[str, float | None]]:
    """Score completions with aligned columns (``terms``, ``target_length``, ``lang``, ``messages``).

    Terms and targets are resolved once per distinct column value (GRPO repeats each prompt's columns for
    every generation), and term automata are cached per term list.
    """
    memo: dict[tuple[int, int, int], tuple] = {}
    out = []
    for i, text in enumerate(completions):
        terms, target, msgs = cols["terms"][i], cols["target_length"][i], cols["messages"][i]
        key = (id(terms), id(target), id(msgs))
        if key not in memo:
            prompt = prompt_text(msgs)
            memo[key] = (resolve_terms(terms, prompt, cfg), resolve_target(target, prompt))
        terms_t, target_t = memo[key]
        out.append(_score_prepared(text, cols["lang"][i], terms_t, target_t, cfg, only))
    return out


def score_text(
    text: str,
    *,
    terms: list[str] | None = None,
    target_length: int | None = None,
    lang: str | None = None,
    prompt: str | None = None,
) -> dict[str, float]:
    """All rewards for ``text`` (0-1 each, higher is better; None where a reward does not apply)."""
    return score_one(text, terms=terms, target_length=target_length, lang=lang, prompt=prompt)


def score_batch(texts: list[str], **columns: Any) -> list[dict[str, float]]:
    """``score_text`` for many texts. Columns (``terms``, ``target_length``, ``lang``, and ``prompt`` or
    ``messages``) are lists aligned with ``texts``, or single values shared by all (a flat list of strings
    is one shared term list); a wrong-length column is ignored (warned once)."""
    n = len(texts)
    if columns.get("prompt") is not None and columns.get("messages") is None:
        columns = {**columns, "messages": columns["prompt"]}
    cols = {k: _broadcast(columns, k, n) for k in COLUMNS}
    return score_columns(texts, cols, get_config())


def _broadcast(columns: dict[str, Any], name: str, n: int) -> Sequence[Any]:
    """A column as a list of ``n`` values: a flat term list, a prompt string or one conversation is shared."""
    value = columns.get(name)
    if value is None:
        return [None] * n
    shared = isinstance(value, (str, int, float)) or (
        name == "terms" and value and all(isinstance(v, str) for v in value)
    )
    if name == "messages" and isinstance(value, list) and value and isinstance(value[0], dict):
        shared = True
    return [value] * n if shared else column(columns, name, n)
