"""Teacher-free Constitutional DPO pairs: a human passage (chosen) against a minimal rule-made corruption of it
(rejected), one principle at a time, each pair verified by the scifi_* rewards before it is kept.

Pure functions; the ms-swift dataset ``scifi-cdpo-rules`` (:mod:`swift_scifi.datasets.cdpo_rules`) wraps them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

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

    @property
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


def verify(pair: Pair) -> str | None:
    """None if the pair is kept, else the reason it is dropped.

    Kept when: the edit is small (``max_edit``, length ratio bounds in the data file); the rejected side
    scores lower on the kind's reward, or, for a kind that breaks principles, lower adherence on at least one
    of them in the scifi_principles breakdown and no higher scifi_principles score; and the chosen side
    scores at least as well on every other reward.
    """
    d = load_data()
    if pair.edit > d["max_edit"]:
        return "edit too large"
    if not d["min_length_ratio"] <= pair.length_ratio <= d["max_length_ratio"]:
        return "length ratio out of bounds"
    from swift_scifi.rewards import explain

    terms = list(pair.terms) or None
    good, bad = (explain(x, terms=terms, lang=pair.lang) for x in (pair.chosen, pair.rejected))
    key = pair.kind.reward
    gs, bs = good["scores"], bad["scores"]
    if gs.get(key) is None or bs.get(key) is None:
        return f"{key} not applicable"
    if pair.kind.principles:
        broken = [
            pid
            for pid in pair.kind.principles
            if bad["principles"].get(pid, 1.0) < good["principles"].get(pid, 1.0) - EPS
        ]
        if not broken or bs[key] > gs[key] + EPS:
            return "principle not violated"
        pair.broken = tuple(broken)
    elif not bs[key] < gs[key] - EPS:
        return f"{key} not lower"
    for k, g in gs.items():
        if k in REWARD_KEYS_SKIPPED or k == key or g is None or bs.get(k) is None:
            continue
        if g < bs[k] - EPS:
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
        for j in range(len(names)):
            kind = names[(i + j) % len(names)]
            pair = corrupt(text, lang, kind, rng, t)
            reason = "no site" if pair is None else (verify(pair) if check else None)
            if reason is None:
                pair.index = i
                out.append(pair)
                report.kept[kind] += 1
                report.langs[lang] += 1
                report.edits.append(pair.edit)
                break
            report.dropped[f"{kind}: {reason}"] += 1
    return out
