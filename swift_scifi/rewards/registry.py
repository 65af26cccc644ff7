"""Every rule reward by name, with the one function that scores it. Adding a reward is one entry here.

A scorer takes a :class:`Prepared` completion (its :class:`TextView`, resolved terms and length target) and
the :class:`RewardConfig`, and returns a score in [0, 1] (higher is better). ``needs`` names the input
without which the reward does not apply (it is then None, and left out of the composite). The entry also
names the ms-swift ORM class (``--reward_funcs scifi_<name>`` logs ``rewards/<orm>/mean``), its ``role``
in the composite ``writing`` and, for a soft reward, its default weight there (``weights`` in the reward
config overrides it).

The composite (:mod:`composite`), with the weights and gates of this table in one place:
``writing = format × fluency × Σ w_k·s_k / Σ w_k`` over the soft rewards that apply. A gate is a hard
constraint (an assistant's wrapper, gibberish), not one more weighted term; the soft rewards are also
multiplied by ``fluency`` when reported (gibberish is good at nothing).

To add a reward: write its scorer as a pure function of the view in a module named after it, and add a
:class:`Reward` line to :data:`REWARDS`. Scoring, the composite, ``explain``, the ms-swift ORMs, ``swift
sample``, TRL and verl adapters all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .config import RewardConfig
from .fluency import fluency_score
from .format import format_score
from .length import Target, full_units, length_score
from .principles import principles_score
from .repetition import repetition_score
from .slop import slop_score
from .term_consistency import matcher_for
from .view import TextView


class Prepared(NamedTuple):
    """One completion ready for every scorer: its view, terms (None: none given), target (None: none) and
    the book's own near-forms of its terms (lower-cased, ``term_forms``)."""

    view: TextView
    terms: tuple[str, ...] | None
    target: Target | int | None
    forms: frozenset[str] = frozenset()


Scorer = Callable[[Prepared, RewardConfig], float]


@dataclass(frozen=True)
class Reward:
    """A reward: key, scorer, the input it needs (``'terms'`` / ``'target'`` / None), ORM class, its role
    in the composite (``'soft'``: weighted mean; ``'gate'``: multiplies it) and its weight (soft only)."""

    name: str
    scorer: Scorer
    orm: str
    doc: str
    needs: str | None = None
    weight: float = 1.0
    role: str = "soft"


def _term_consistency(item: Prepared, cfg: RewardConfig) -> float:
    view = item.view
    return _matcher(item.terms).report(view.text, view.lower, cfg.term_fuzzy_threshold, item.forms).score(cfg)


_last_matcher: list = [None, None]  # (terms tuple, matcher): rows of one prompt share one terms object


def _matcher(terms: tuple[str, ...]):
    """``matcher_for(terms)``, skipping the hash of a long term tuple when the last row had the same one."""
    last_terms, matcher = _last_matcher
    if last_terms is not terms:
        matcher = matcher_for(terms)
        _last_matcher[:] = [terms, matcher]
    return matcher


def _length(item: Prepared, cfg: RewardConfig) -> float:
    return length_score(item.view.derive(full_units), item.target, cfg)


def _principles(item: Prepared, cfg: RewardConfig) -> float:
    return principles_score(item.view, cfg)


def _repetition(item: Prepared, cfg: RewardConfig) -> float:
    return repetition_score(item.view, cfg)


def _slop(item: Prepared, cfg: RewardConfig) -> float:
    return slop_score(item.view, cfg)


def _format(item: Prepared, cfg: RewardConfig) -> float:
    return format_score(item.view, cfg)


def _fluency(item: Prepared, cfg: RewardConfig) -> float:
    return fluency_score(item.view)


REWARDS: dict[str, Reward] = {
    r.name: r
    for r in (
        Reward(
            "term_consistency",
            _term_consistency,  # -> term_consistency.TermMatcher.report(...).score
            "ScifiTermConsistency",
            "Established terms used as written; near-miss variants penalised. 0-1; None without terms.",
            needs="terms",
        ),
        Reward(
            "principles",
            _principles,  # -> principles.principles_score
            "ScifiPrinciples",
            "Weighted adherence to the rule-checkable writing principles. 0-1.",
        ),
        Reward(
            "length",
            _length,  # -> length.length_score
            "ScifiLength",
            "LongWriter's S_l against `target_length` or a length parsed from the prompt. 0-1; None without "
            "a target.",
            needs="target",
        ),
        Reward(
            "repetition",
            _repetition,  # -> repetition.repetition_score
            "ScifiRepetition",
            "Character/word n-gram loops and duplicated paragraphs. 0-1 (1 = no repetition).",
        ),
        Reward(
            "slop",
            _slop,  # -> slop.slop_score
            "ScifiSlop",
            "Density of overused AI phrasing per 1,000 字/words. 0-1 (1 = none).",
        ),
        Reward(
            "format",
            _format,  # -> format.format_score
            "ScifiFormat",
            "Hard format/meta failures: assistant preamble or closing, AI talk, markdown headings/lists/bold, "
            "moral or summary labels. (1 - format_penalty) ** failures; 0-1 (1 = reads as a story).",
            weight=0.0,
            role="gate",
        ),
        Reward(
            "fluency",
            _fluency,  # -> fluency.fluency_score
            "ScifiFluency",
            "Is it language at all: random tokens, lorem ipsum, mixed-script soup, U+FFFD and endless "
            "punctuation score ~0. 0-1 (1 = language).",
            weight=0.0,
            role="gate",
        ),
    )
}
REWARD_NAMES: tuple[str, ...] = tuple(REWARDS)
SOFT: tuple[str, ...] = tuple(n for n, r in REWARDS.items() if r.role == "soft")
GATES: tuple[str, ...] = tuple(n for n, r in REWARDS.items() if r.role == "gate")
FLUENCY = "fluency"  # the gate that also multiplies every soft reward
COMPOSITE = "writing"
COMPOSITE_ORM = "ScifiWriting"
COMPOSITE_DOC = "format × fluency × weighted mean of the soft rewards (weights in the reward config). 0-1."
ALL_KEYS: tuple[str, ...] = (*REWARD_NAMES, COMPOSITE)


def default_weights() -> dict[str, float]:
    """Weight of each soft reward in the composite before the reward config overrides any."""
    return {name: REWARDS[name].weight for name in SOFT}
