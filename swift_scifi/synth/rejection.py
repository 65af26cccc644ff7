"""Rejection sampling with the scifi_* rewards: pack the candidates ``swift sample`` generated into SFT rows
(the best candidate per prompt) and DPO pairs (best against worst, with a minimum reward margin).

Input: the JSONL ``swift sample`` writes, one row per kept candidate: ``messages`` ending in the candidate as
the assistant turn, ``id`` (the md5 of the prompt row, shared by its candidates) and, with ``--orm_model``,
``rejected_response`` (the candidate the sampler scored lowest). Rows are grouped by ``id`` (else by the
prompt); a group's candidates are its distinct non-empty assistant turns and rejected responses. Each is
scored with :func:`swift_scifi.rewards.score_batch` against its prompt (system turns + last user turn, as the
``scifi_*`` ORMs do), on one reward key (default ``writing``, the composite). Drops are counted by reason.
Pure functions; the command is ``swift-scifi rejection-pack`` (:mod:`swift_scifi.commands.rejection`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .distribution import distribution

Scorer = Callable[[list[str], list[list[dict]]], list[float | None]]


def scifi_scorer(reward: str = "writing") -> Scorer:
    """Scores of one reward key (0-1, None where it does not apply) for texts with their prompts."""
    from swift_scifi.rewards import ALL_KEYS, score_batch

    if reward not in ALL_KEYS:
        raise ValueError(f"unknown reward {reward!r}; choose one of {', '.join(ALL_KEYS)}")

    def score(texts: list[str], prompts: list[list[dict]]) -> list[float | None]:
        return [s.get(reward) for s in score_batch(texts, messages=prompts)]

    return score


@dataclass
class Group:
    """The candidates of one prompt, in the order the sampler wrote them."""

    key: str
    prompt: list[dict]  # the conversation without its final assistant turn
    candidates: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # the first row's other columns (carried to the outputs)


@dataclass
class Report:
    """Prompts and candidates read, rows written, drops by reason, reward distributions."""

    rows_read: int = 0
    skipped_rows: Counter = field(default_factory=Counter)  # reason -> input rows not used
    prompts: int = 0
    candidates: int = 0
    sft: int = 0
    dpo: int = 0
    dropped: Counter = field(default_factory=Counter)  # "sft: reason" / "dpo: reason" -> prompts
    best: list[float] = field(default_factory=list)
    worst: list[float] = field(default_factory=list)
    margins: list[float] = field(default_factory=list)
    per_prompt: Counter = field(default_factory=Counter)  # scored candidates -> prompts

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "skipped_rows": dict(self.skipped_rows.most_common()),
            "prompts": self.prompts,
            "candidates": self.candidates,
            "scored_candidates_per_prompt": {str(k): v for k, v in sorted(self.per_prompt.items())},
            "sft_rows": self.sft,
            "dpo_pairs": self.dpo,
            "dropped_by_reason": dict(self.dropped.most_common()),
            "reward_distribution": {
                "best": distribution(self.best),
                "worst": distribution(self.worst),
                "margin": distribution(self.margins),
            },
        }


def read_groups(lines: Iterable[str], report: Report) -> list[Group]:
    """Group ``swift sample`` output rows by prompt; malformed rows are skipped and counted."""
    groups: dict[str, Group] = {}
    for line in lines:
        if not line.strip():
            continue
        report.rows_read += 1
        try:
            row = json.loads(line)
        except ValueError:
            report.skipped_rows["not JSON"] += 1
            continue
        msgs = row.get("messages") if isinstance(row, dict) else None
        if (
            not isinstance(msgs, list)
            or not msgs
            or not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in msgs)
            or msgs[-1].get("role") != "assistant"
        ):
            report.skipped_rows["no messages ending in an assistant turn"] += 1
            continue
        prompt = msgs[:-1]
        key = str(row.get("id") or json.dumps(prompt, ensure_ascii=False, sort_keys=True))
        group = groups.get(key)
        if group is None:
            extra = {k: v for k, v in row.items() if k not in ("messages", "rejected_response", "id")}
            group = groups[key] = Group(key, prompt, extra=extra)
        rejected = row.get("rejected_response")
        for text in (msgs[-1]["content"], rejected if isinstance(rejected, str) else None):
            if text is None:
                continue
            if not text.strip():
                report.skipped_rows["empty candidate"] += 1
            elif text not in group.candidates:
                group.candidates.append(text)
    return list(groups.values())


def pack(
    groups: Sequence[Group],
    score: Scorer,
    *,
    min_reward: float = 0.5,
    min_margin: float = 0.1,
    report: Report | None = None,
) -> tuple[list[dict], list[dict], Report]:
    """SFT rows (best candidate, kept when its reward >= ``min_reward``) and DPO pairs (best vs worst,
    kept when the margin >= ``min_margin`` and the best passes ``min_reward``). Ties keep the earlier
    candidate as the better one. Returns (sft, dpo, report)."""
    report = report if report is not None else Report()
    texts = [c for g in groups for c in g.candidates]
    prompts = [g.prompt for g in groups for _ in g.candidates]
    scores = score(texts, prompts) if texts else []
    sft: list[dict] = []
    dpo: list[dict] = []
    pos = 0
    for g in groups:
        report.prompts += 1
        report.candidates += len(g.candidates)
        mine = scores[pos : pos + len(g.candidates)]
        pos += len(g.candidates)
        scored = [(s, i) for i, s in enumerate(mine) if s is not None]
        report.per_prompt[len(scored)] += 1
        if not scored:
            report.dropped["sft: no candidate with a reward"] += 1
            report.dropped["dpo: no candidate with a reward"] += 1
            continue
        ranked = sorted(scored, key=lambda x: (-x[0], x[1]))
        (b, bi), (w, wi) = ranked[0], ranked[-1]
        report.best.append(b)
        base = {**g.extra, "id": g.key, "n_candidates": len(g.candidates)}
        if b < min_reward:
            report.dropped["sft: best below the minimum reward"] += 1
            report.dropped["dpo: best below the minimum reward"] += 1
            continue
        chosen = [*g.prompt, {"role": "assistant", "content": g.candidates[bi]}]
        sft.append({"messages": chosen, **base, "reward": round(b, 4)})
        report.sft += 1
        if len(scored) < 2:
            report.dropped["dpo: fewer than 2 scored candidates"] += 1
            continue
        report.worst.append(w)
        report.margins.append(b - w)
        if b - w < min_margin:
            report.dropped["dpo: margin below the minimum"] += 1
            continue
        dpo.append(
            {
                "messages": chosen,
                "rejected_response": g.candidates[wi],
                **base,
                "reward_chosen": round(b, 4),
                "reward_rejected": round(w, 4),
                "margin": round(b - w, 4),
            }
        )
        report.dpo += 1
    return sft, dpo, report
