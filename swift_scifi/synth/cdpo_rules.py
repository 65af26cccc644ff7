"""Teacher-free Constitutional DPO pairs: a human passage (chosen) against a minimal rule-made corruption of it
(rejected), one principle at a time, each pair verified by the scifi_* rewards before it is kept.

Pure functions; the ms-swift dataset ``scifi-cdpo-rules`` (:mod:`swift_scifi.datasets.cdpo_rules`) wraps them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz.distance import Indel

from .corruptions import CORRUPTIONS, Kind, kinds, load_data

REWARD_KEYS_SKIPPED = ("writing",)  # the composite moves with its parts; "every other reward" means the parts
EPS = 1e-9


@dataclass
class Pair:
    """A corrupted passage before verification: ``chosen`` is the human text."""

    chosen: str
    rejected: str
    kind: Kind
    lang: str
    terms: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()  # principle ids verified as broken (set by verify)
    index: int = -1  # position of the passage in build_pairs' input

    @property
    def principle(self) -> str:
        """The id recorded on the row: the principles verified as broken, else the kind's reward."""
        return "+".join(self.broken) or self.kind.reward

    @cached_property
    def edit(self) -> float:
        """Normalised Indel distance between the two sides, 0 (same) .. 1 (nothing shared)."""
        return Indel.normalized_distance(self.chosen, self.rejected)

    @property
    def length_ratio(self) -> float:
        return len(self.rejected) / max(len(self.chosen), 1)


@dataclass
class Report:
    """Kept pairs and dropped attempts by reason, the kind and language mix, and edit distances."""

    passages: int = 0
    kept: Counter = field(default_factory=Counter)  # kind -> pairs kept
    langs: Counter = field(default_factory=Counter)  # lang -> pairs kept
    dropped: Counter = field(default_factory=Counter)  # "kind: reason" -> attempts dropped
    edits: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        edits = sorted(self.edits)

        def q(p: float) -> float | None:
            return round(edits[min(int(p * len(edits)), len(edits) - 1)], 4) if edits else None

        return {
            "passages": self.passages,
            "kept": sum(self.kept.values()),
            "dropped": sum(self.dropped.values()),
            "kept_by_kind": dict(self.kept.most_common()),
            "kept_by_lang": dict(self.langs.most_common()),
            "dropped_by_reason": dict(self.dropped.most_common()),
            "edit_distance": {
                "mean": round(sum(edits) / len(edits), 4) if edits else None,
                **{f"p{int(p * 100)}": q(p) for p in (0.1, 0.5, 0.9)},
                "max": round(edits[-1], 4) if edits else None,
            },
        }


def corrupt(text: str, lang: str, kind: str, rng: random.Random, terms: Sequence[str] = ()) -> Pair | None:
    """The passage with one defect of ``kind`` planted, or None where it has no site for one."""
    bad = CORRUPTIONS[kind](text, lang, rng, terms)
    if bad is None or bad == text:
        return None
    return Pair(text, bad, kinds()[kind], lang, tuple(terms))


class Scores:
    """One side's rewards, computed on demand and kept: the kind's reward first, the others only when the
    pair gets that far, the principle breakdown only for kinds that break principles. Values are those of
    ``explain(text, terms=terms, lang=lang)`` (``scores`` and ``principles``)."""

    def __init__(self, text: str, terms: Sequence[str], lang: str, eager: bool = False) -> None:
        """``eager``: score every reward at the first request (one call instead of two, for a side that
        almost always reaches the last check, such as the human passage)."""
        self.text, self.terms, self.lang, self.eager = text, list(terms) or None, lang, eager
        self._scores: dict[str, float | None] = {}
        self._all = False
        self._principles: dict[str, float] = {}

    def score(self, key: str) -> float | None:
        if self.eager:
            return self.scores().get(key)
        if key not in self._scores and not self._all:
            self._scores.update(self._compute((key,)))
        return self._scores.get(key)

    def scores(self) -> dict[str, float | None]:
        """Every reward but the composite (``REWARD_KEYS_SKIPPED``), in ``ALL_KEYS`` order."""
        if not self._all:
            from swift_scifi.rewards import REWARD_NAMES

            have = self._scores
            have.update(self._compute([k for k in REWARD_NAMES if k not in have]))
            self._scores = {k: have.get(k) for k in REWARD_NAMES}
            self._all = True
        return self._scores

    def principles(self, ids: Sequence[str]) -> dict[str, float]:
        """Adherence of the principles ``ids`` (those of the text's language), as in ``explain()["principles"]``."""
        missing = [x for x in ids if x not in self._principles]
        if missing:
            from swift_scifi.rewards import get_config
            from swift_scifi.rewards.prepare import prepare_view
            from swift_scifi.rewards.principles import principles_adherence

            view = prepare_view(self.text, self.lang, get_config().max_chars)
            self._principles.update({x: 1.0 for x in missing})  # ids outside the language's table: followed
            self._principles.update(principles_adherence(view, missing))
        return self._principles

    def _compute(self, keys: Sequence[str]) -> dict[str, float | None]:
        from swift_scifi.rewards.scoring import score_one

        return score_one(self.text, terms=self.terms, lang=self.lang, only=tuple(keys))


def verify(pair: Pair, chosen: Scores | None = None) -> str | None:
    """None if the pair is kept, else the reason it is dropped.

    Kept when: the edit is small (``max_edit``, length ratio bounds in the data file); the rejected side
    scores lower on the kind's reward, or, for a kind that breaks principles, lower adherence on at least one
    of them in the scifi_principles breakdown and no higher scifi_principles score; and the chosen side
    scores at least as well on every other reward. ``chosen``: the chosen side's :class:`Scores`, shared by
    the attempts on one passage (made here when None). Checks stop at the first that fails, so a pair
    refused on its own reward costs that reward only.
    """
    reason = edit_reason(pair)
    if reason:
        return reason
    good = chosen if chosen is not None else Scores(pair.chosen, pair.terms, pair.lang)
    bad = Scores(pair.rejected, pair.terms, pair.lang)
    key = pair.kind.reward
    gk, bk = good.score(key), bad.score(key)
    if gk is None or bk is None:
        return f"{key} not applicable"
    if pair.kind.principles:
        gp, bp = good.principles(pair.kind.principles), bad.principles(pair.kind.principles)
        broken = [pid for pid in pair.kind.principles if bp.get(pid, 1.0) < gp.get(pid, 1.0) - EPS]
        if not broken or bk > gk + EPS:
            return "principle not violated"
        pair.broken = tuple(broken)
    elif not bk < gk - EPS:
        return f"{key} not lower"
    return chosen_worse_on(good.scores(), bad.scores(), key)


def edit_reason(pair: Pair) -> str | None:
    """Why the edit is not small (``max_edit``, length-ratio bounds of the data file), else None."""
    d = load_data()
    if pair.edit > d["max_edit"]:
        return "edit too large"
    if not d["min_length_ratio"] <= pair.length_ratio <= d["max_length_ratio"]:
        return "length ratio out of bounds"
    return None


def chosen_worse_on(good: dict, bad: dict, key: str | None) -> str | None:
    """``"chosen worse on K"`` for the first reward K (other than ``key`` and the composite) on which the
    chosen scores lower than the rejected, else None. ``good``/``bad``: reward name -> score (0-1 or None)."""
    for k, g in good.items():
        if k in REWARD_KEYS_SKIPPED or k == key or g is None or bad.get(k) is None:
            continue
        if g < bad[k] - EPS:
            return f"chosen worse on {k}"
    return None


def build_pairs(
    passages: Sequence[str],
    lang: str,
    terms: Sequence[Sequence[str]] | None = None,
    seed: int | str = 0,
    report: Report | None = None,
    check: bool = True,
) -> list[Pair]:
    """One verified pair per passage where one can be made: kinds are tried in turn from a rotating start
    (passage i starts at kind i), the first that passes :func:`verify` is kept. ``check=False`` skips
    verification (for benchmarking the corruption step alone). Drops are counted in ``report``."""
    report = report if report is not None else Report()
    names = list(CORRUPTIONS)
    out: list[Pair] = []
    for i, text in enumerate(passages):
        report.passages += 1
        rng = random.Random(f"{seed}:{lang}:{i}")
        t = terms[i] if terms is not None else ()
        chosen = Scores(text, t, lang, eager=True)  # the human side, scored once for all the kinds tried
        for j in range(len(names)):
            kind = names[(i + j) % len(names)]
            pair = corrupt(text, lang, kind, rng, t)
            reason = "no site" if pair is None else (verify(pair, chosen) if check else None)
            if reason is None:
                pair.index = i
                out.append(pair)
                report.kept[kind] += 1
                report.langs[lang] += 1
                report.edits.append(pair.edit)
                break
            report.dropped[f"{kind}: {reason}"] += 1
    return out
