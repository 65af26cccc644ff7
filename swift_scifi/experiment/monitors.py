"""Stage g: reward-hacking monitors per GRPO step, from the run's completions.jsonl (``--log_completions``).

Per step: mean completion length (字 + words), Pearson correlation of the summed reward with length, the
fluency gate's share (completions with fluency < 1, i.e. the gate cuts their reward) and each reward's mean.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from swift_scifi.text.length import count_length

_NOT_REWARDS = {"step", "prompt", "completion", "advantages", "entropy"}


def step_monitors(completions_jsonl: Path) -> list[dict]:
    """One dict per logged step: ``step``, ``n``, ``mean_length``, ``reward_length_corr`` (None when either
    side is constant), ``fluency_gate_share`` (None without a fluency column) and ``reward/<name>`` means."""
    out = []
    for line in completions_jsonl.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        table = json.loads(line)
        texts = [c if isinstance(c, str) else json.dumps(c, ensure_ascii=False) for c in table["completion"]]
        lengths = np.array([count_length(t) for t in texts], dtype=float)
        rewards = {
            k: np.array([np.nan if v is None else float(v) for v in vals], dtype=float)
            for k, vals in table.items()
            if k not in _NOT_REWARDS and isinstance(vals, list) and vals and _numeric(vals)
        }
        total = np.nansum(np.stack(list(rewards.values())), axis=0) if rewards else np.zeros_like(lengths)
        corr = None
        if len(lengths) > 1 and lengths.std() > 0 and total.std() > 0:
            corr = float(np.corrcoef(lengths, total)[0, 1])
        fluency = next((v for k, v in rewards.items() if "fluency" in k.lower()), None)
        out.append(
            {
                "step": int(table["step"][0]),
                "n": len(texts),
                "mean_length": float(lengths.mean()) if len(lengths) else None,
                "reward_length_corr": corr,
                "fluency_gate_share": None if fluency is None else float(np.mean(fluency < 1.0)),
                **{
                    f"reward/{k}": float(np.nanmean(v)) if np.isfinite(v).any() else None
                    for k, v in rewards.items()
                },
            }
        )
    by_step = {m["step"]: m for m in out}  # a step logged twice (the final log): keep the last
    return [by_step[k] for k in sorted(by_step)]


def _numeric(vals: list) -> bool:
    return all(v is None or isinstance(v, (int, float)) for v in vals)
