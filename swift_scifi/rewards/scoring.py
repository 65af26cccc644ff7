"""``score_text`` / ``score_batch``: every reward of :mod:`registry` for one or many completions.

Keys: the registry's rewards ('term_consistency', 'principles', 'length', 'repetition', 'slop', and the
gates 'format', 'fluency') and the composite 'writing' (all 0-1, higher is better). The soft rewards are
multiplied by 'fluency' (text that is not language is good at nothing); 'writing' is the gates times the
weighted mean of the unmultiplied soft rewards (:mod:`composite`). A reward whose ``needs`` is missing is None
('term_consistency' without terms; 'length' without a target from the column or the prompt). Inputs are
read by the one normaliser (:mod:`inputs`), each completion is prepared once per batch (:mod:`prepare`), and
bad input never raises (docs/rewards.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from .composite import writing_score
from .config import RewardConfig, get_config
from .inputs import as_target_length, as_terms, column, logger, prompt_text, warn_once
from .length import Target, parse_target
from .prepare import VIEWS, prepare_view
from .registry import ALL_KEYS, COMPOSITE, FLUENCY, REWARD_NAMES, REWARDS, SOFT, Prepared
from .scan import scan
from .term_consistency import allowed_forms, terms_from_prompt
from .view import TextView
from .warmup import announce_compile

COLUMNS = ("terms", "target_length", "lang", "messages", "term_forms")

__all__ = ["ALL_KEYS", "COLUMNS", "score_batch", "score_columns", "score_one", "score_text"]


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


def _needed(only: Sequence[str]) -> tuple[str, ...]:
    """The rewards to score for ``only``: every sub-reward when the composite is asked, and the fluency gate
    when a soft reward is."""
    if COMPOSITE in only:
        return REWARD_NAMES
    need = tuple(k for k in only if k in REWARDS)
    if FLUENCY not in need and any(k in SOFT for k in need):
        need += (FLUENCY,)
    return need


def _paragraphs(view: TextView) -> None:
    view.paragraphs  # noqa: B018 - fills the view's cache


def _sentences(view: TextView) -> None:
    view.sentences  # noqa: B018 - fills the view's cache


# Per reward, the shared per-view passes it reads, each run over the whole batch before the first such reward
# scores: each kernel, Hyperscan database and table stays in cache over the batch instead of being evicted by
# the other checks between two completions (texts grouped by language: one Hyperscan database at a time;
# 5-10 ms of ~90 on the bench batch). Only the order of the work changes, never what is computed.
_BATCH_FIRST: dict[str, tuple[Callable[[TextView], Any], ...]] = {
    "principles": (_paragraphs, _sentences, scan),
    "slop": (scan,),
    "format": (scan,),
}


def _batch_first(items: list[Prepared], empty: list[bool], need: Sequence[str]) -> None:
    """Run the :data:`_BATCH_FIRST` work of the first reward of ``need`` that has some, over the non-blank
    completions grouped by language; a failure is left to the scorer (which scores it as it would have)."""
    passes = next((_BATCH_FIRST[n] for n in need if n in _BATCH_FIRST), ())
    views = sorted(
        (item.view for item, blank in zip(items, empty, strict=True) if not blank), key=attrgetter("lang")
    )
    for fn in passes:
        for view in views:
            try:
                fn(view)
            except Exception:  # noqa: S112 - the scorer meets it again and scores it as empty_score
                continue


def _score_items(
    items: list[Prepared], cfg: RewardConfig, only: Sequence[str]
) -> list[dict[str, float | None]]:
    """The scores of ``only`` for each completion. Batch-major: one reward over every completion, then the
    next (each scorer's tables and compiled code stay in cache; about 1.3x faster than completion by
    completion on a 256 x 4,000-character batch, docs/benchmarks.md)."""
    # blank: empty or all whitespace (``not text.strip()`` without copying the text)
    empty = [not item.view.text or item.view.text.isspace() for item in items]
    outs: list[dict[str, float | None]] = [{} for _ in items]
    need = _needed(only)
    _batch_first(items, empty, need)
    for name in need:
        reward = REWARDS[name]
        scorer, needs = reward.scorer, reward.needs
        for item, out, blank in zip(items, outs, empty, strict=True):
            if needs and getattr(item, needs) is None:
                out[name] = None
            elif blank:
                out[name] = cfg.empty_score
            else:
                try:
                    out[name] = scorer(item, cfg)
                except Exception as e:  # a reward never throws into training
                    warn_once(
                        f"scorer-{name}-{type(e).__name__}",
                        f"scifi rewards: {name} failed ({e!r}); scored as empty_score",
                    )
                    logger.debug("scorer failure", exc_info=True)
                    out[name] = cfg.empty_score
    keys = [k for k in ALL_KEYS if k in only]
    rows = []
    for out, blank in zip(outs, empty, strict=True):
        if COMPOSITE in only:
            out[COMPOSITE] = cfg.empty_score if blank else writing_score(out, cfg)
        fluency = out.get(FLUENCY)
        if not blank and fluency is not None and fluency < 1.0:  # gibberish is good at nothing
            for name in SOFT:
                if out.get(name) is not None:
                    out[name] *= fluency
        rows.append({k: out.get(k) for k in keys})
    return rows


def score_one(
    text: Any,
    *,
    terms: Any = None,
    target_length: Any = None,
    lang: Any = None,
    prompt: Any = None,
    cfg: RewardConfig | None = None,
    only: Sequence[str] = ALL_KEYS,
    term_forms: Any = None,
) -> dict[str, float | None]:
    """Scores of one completion; never raises (a failing scorer gives ``empty_score``, warned once).
    ``term_forms``: near-forms of the terms that the book itself uses (never counted as near misses)."""
    return score_columns(
        [text],
        {
            "terms": [terms],
            "target_length": [target_length],
            "lang": [lang],
            "messages": [prompt],
            "term_forms": [term_forms],
        },
        cfg or get_config(),
        only,
    )[0]


def score_columns(
    completions: Sequence[Any],
    cols: dict[str, Sequence[Any]],
    cfg: RewardConfig,
    only: Sequence[str] = ALL_KEYS,
) -> list[dict[str, float | None]]:
    """Score completions with aligned columns (``terms``, ``target_length``, ``lang``, ``messages``, and
    optionally ``term_forms``: the book's own near-forms of its terms, never counted as near misses).

    Terms and targets are resolved once per distinct column value (GRPO repeats each prompt's columns for
    every generation); each completion's view comes from the per-batch cache (:mod:`prepare`).
    """
    announce_compile()
    VIEWS.fit(len(completions))
    memo: dict[tuple[int, int, int, int], tuple] = {}
    items = []
    forms_col = cols.get("term_forms") or [None] * len(completions)
    for i, text in enumerate(completions):
        terms, target, msgs = cols["terms"][i], cols["target_length"][i], cols["messages"][i]
        forms = forms_col[i]
        key = (id(terms), id(target), id(msgs), id(forms))
        if key not in memo:
            prompt = prompt_text(msgs)
            memo[key] = (
                resolve_terms(terms, prompt, cfg),
                resolve_target(target, prompt),
                allowed_forms(as_terms(forms)),
            )
        terms_t, target_t, forms_t = memo[key]
        try:
            view = prepare_view(text, cols["lang"][i], cfg.max_chars)
        except Exception as e:  # a reward never throws into training
            warn_once(f"prepare-{type(e).__name__}", f"scifi rewards: preparing a completion failed ({e!r})")
            view = prepare_view("", cols["lang"][i], cfg.max_chars)
        items.append(Prepared(view, terms_t, target_t, forms_t))
    return _score_items(items, cfg, only)


def score_text(
    text: str,
    *,
    terms: list[str] | None = None,
    target_length: int | None = None,
    lang: str | None = None,
    prompt: str | None = None,
    term_forms: list[str] | None = None,
) -> dict[str, float]:
    """All rewards for ``text`` (0-1 each, higher is better; None where a reward does not apply)."""
    return score_one(
        text, terms=terms, target_length=target_length, lang=lang, prompt=prompt, term_forms=term_forms
    )


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
        name in ("terms", "term_forms") and value and all(isinstance(v, str) for v in value)
    )
    if name == "messages" and isinstance(value, list) and value and isinstance(value[0], dict):
        shared = True
    return [value] * n if shared else column(columns, name, n)
