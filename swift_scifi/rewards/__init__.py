"""GRPO rewards for sci-fi prose as pure functions (no ms-swift or torch import here).

Public API (used by training, evaluation and serving):
- :func:`score_text` / :func:`score_batch`: every reward, 0-1, higher is better.
- Breakdowns: :func:`term_report`, :func:`principles_report` (adherence by id),
  :func:`principle_violations` (each violation's span, text and weight), :func:`length_report`,
  :func:`repetition_report`, :func:`slop_report`, :func:`format_report`, :func:`fluency_report`,
  :func:`explain`.
- Every reward by name, with its scorer: :mod:`swift_scifi.rewards.registry` (add a reward there).
- What "the prompt" and "the completion" are, for every caller: :mod:`swift_scifi.rewards.inputs`.
- Adapters for ms-swift GRPO and ``swift sample``, TRL and verl: :mod:`swift_scifi.integrations`.
"""

from __future__ import annotations

from typing import Any

from .config import RewardConfig, RewardConfigError, get_config, load_config_file
from .fluency import fluency_report
from .format import format_report
from .length import full_units, length_report, parse_target
from .principles import load_principles, principle_violations, principles_report
from .registry import ALL_KEYS, REWARD_NAMES, REWARDS
from .repetition import repetition_report
from .scoring import score_batch, score_text
from .slop import slop_report
from .term_consistency import TermReport, term_report, term_variants
from .view import TextView


def explain(
    text: str,
    *,
    terms: list[str] | None = None,
    target_length: int | None = None,
    lang: str | None = None,
    prompt: str | None = None,
) -> dict[str, Any]:
    """Scores plus every per-reward breakdown for one completion (for reports and the reranker)."""
    from .inputs import prompt_text
    from .prepare import prepare_view
    from .scoring import resolve_target, resolve_terms

    cfg = get_config()
    prompt = prompt_text(prompt)
    view = prepare_view(text, lang, cfg.max_chars)
    terms_t = resolve_terms(terms, prompt, cfg)
    target = resolve_target(target_length, prompt)
    return {
        "scores": score_text(text, terms=terms, target_length=target_length, lang=lang, prompt=prompt),
        "lang": view.lang,
        "terms": term_report(view.text, list(terms_t), cfg).rows() if terms_t else None,
        "principles": principles_report(view),
        "principle_violations": principle_violations(view, cfg),
        "length": length_report(view.derive(full_units), target, cfg) if target is not None else None,
        "repetition": repetition_report(view, cfg),
        "slop": slop_report(view, cfg),
        "format": format_report(view, cfg),
        "fluency": fluency_report(view),
    }


__all__ = [
    "ALL_KEYS",
    "REWARDS",
    "REWARD_NAMES",
    "RewardConfig",
    "RewardConfigError",
    "TermReport",
    "TextView",
    "explain",
    "fluency_report",
    "format_report",
    "get_config",
    "length_report",
    "load_config_file",
    "load_principles",
    "parse_target",
    "principle_violations",
    "principles_report",
    "repetition_report",
    "score_batch",
    "score_text",
    "slop_report",
    "term_report",
    "term_variants",
]
