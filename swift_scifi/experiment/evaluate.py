"""Stage f: sample each model on the held-out prompts and score the samples; paired bootstrap of arm - control.

Per prompt, ``samples`` completions are drawn; each metric is the prompt's mean over them (distinct-2 and
self-BLEU are computed across them), so arms are compared prompt by prompt on the same prompts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from swift_scifi.eval.bootstrap import bootstrap_ci
from swift_scifi.text.length import count_length

from .text_metrics import distinct_n, is_loop, length_adherence, self_bleu

REWARDS = ("term_consistency", "principles", "length", "repetition", "slop", "format", "fluency", "writing")
TEXT_METRICS = ("distinct2", "self_bleu", "length_adherence", "loop_rate")
# direction of "better" for each metric, for the results table (None: neither)
HIGHER_IS_BETTER = {**{k: True for k in REWARDS}, "distinct2": True, "self_bleu": False,
                    "length_adherence": True, "loop_rate": False, "nll": False}  # fmt: skip


def chat_prompt(messages: list[dict]) -> str:
    """The qwen3_nothinking (ChatML) generation prompt for system/user ``messages``."""
    parts = [
        f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages if m["role"] != "assistant"
    ]
    return "".join(parts) + "<|im_start|>assistant\n"


def generate(
    model_dir: str | Path,
    prompts: list[list[dict]],
    *,
    samples: int,
    max_new_tokens: int,
    temperature: float,
    batch_size: int,
    seed: int,
) -> list[list[str]]:
    """``samples`` sampled completions per prompt (left-padded batches; seeded per batch)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    texts = [chat_prompt(m) for m in prompts for _ in range(samples)]
    out: list[str] = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            torch.manual_seed(seed + i)
            enc = tok(texts[i : i + batch_size], return_tensors="pt", padding=True, add_special_tokens=False)
            gen = model.generate(
                **enc,
                do_sample=True,
                temperature=temperature,
                top_p=1.0,
                top_k=0,
                max_new_tokens=max_new_tokens,
                pad_token_id=tok.pad_token_id,
            )
            new = gen[:, enc["input_ids"].shape[1] :]
            out.extend(tok.batch_decode(new, skip_special_tokens=True))
    return [out[j * samples : (j + 1) * samples] for j in range(len(prompts))]


def score_prompt(completions: list[str], row: dict) -> dict[str, float | None]:
    """One prompt's metrics: each reward's mean over its completions, distinct-2, self-BLEU, length
    adherence (count units vs ``target_length``) and the share of completions that are loops."""
    from swift_scifi.rewards.scoring import score_batch

    scores = score_batch(
        completions,
        terms=[row["terms"]] * len(completions),
        target_length=row["target_length"],
        lang=row["lang"],
        messages=[row["messages"]] * len(completions),
    )
    out: dict[str, float | None] = {}
    for key in REWARDS:
        vals = [s.get(key) for s in scores if s.get(key) is not None]
        out[key] = float(np.mean(vals)) if vals else None
    out["distinct2"] = distinct_n(completions, 2)
    out["self_bleu"] = self_bleu(completions)
    out["length_adherence"] = float(
        np.mean([length_adherence(count_length(c), row["target_length"]) for c in completions])
    )
    out["loop_rate"] = float(np.mean([is_loop(c) for c in completions]))
    return out


def paired_delta(arm: list[float | None], control: list[float | None], seed: int = 0) -> dict[str, Any]:
    """Mean of arm - control over prompts where both are defined, its 95% paired-bootstrap CI, and whether
    the CI excludes 0."""
    diffs = [a - c for a, c in zip(arm, control, strict=True) if a is not None and c is not None]
    if not diffs:
        return {"delta": None, "ci95": [None, None], "n": 0, "significant": False}
    low, high = bootstrap_ci(diffs, resamples=2000, seed=seed)
    return {
        "delta": float(np.mean(diffs)),
        "ci95": [low, high],
        "n": len(diffs),
        "significant": bool(low > 0 or high < 0),
    }


def mean_of(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
