"""The memory estimator against published measured peaks (``data/memory_measurements.yaml``).

Error = (estimate − measured) / measured. Targets (issue 18): every case within ±15 %, median |error| ≤ 8 %,
no case below −10 % (an underestimate crashes a run; an overestimate only costs money).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import yaml

from .layouts import Layout
from .memory import MemoryEstimate, Optimizer, estimate_megatron, estimate_swift_sft
from .model_config import read_model_config, sample_config

MEASUREMENTS = Path(__file__).resolve().parent.parent / "data" / "memory_measurements.yaml"
TARGET_ABS, TARGET_MEDIAN, TARGET_UNDER = 0.15, 0.08, -0.10


@dataclass(frozen=True)
class CaseResult:
    """One published figure and the planner's estimate for its settings (GiB)."""

    case: dict
    estimate: MemoryEstimate

    @property
    def id(self) -> str:
        return self.case["id"]

    @property
    def measured(self) -> float:
        return float(self.case["measured_gib"])

    @property
    def error(self) -> float:
        return (self.estimate.total - self.measured) / self.measured

    @property
    def split(self) -> str:
        return self.case.get("split", "fit")


def load_measurements(path: str | Path = MEASUREMENTS) -> dict:
    """The YAML document: ``datasets`` (length assumptions) and ``cases``."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def tokens_per_micro_batch(case: dict, datasets: dict) -> float:
    """Tokens in the largest micro batch. Packing: micro batch × seq len. Otherwise the peak batch holds the
    data's longest sample and micro batch − 1 typical ones (padding-free), each at most seq len; a mix of
    data sets (``dataset: [{name, samples}, ...]``) has the sample-weighted mean length."""
    mb, seq = int(case.get("micro_batch", 1)), int(case["seq_len"])
    if case.get("packing", False) or "dataset" not in case:
        return mb * seq
    parts = (
        case["dataset"] if isinstance(case["dataset"], list) else [{"name": case["dataset"], "samples": 1}]
    )
    n = sum(p["samples"] for p in parts)
    mean = sum(p["samples"] * min(seq, datasets[p["name"]]["mean_tokens"]) for p in parts) / n
    longest = max(min(seq, datasets[p["name"]]["longest_tokens"]) for p in parts)
    return longest + (mb - 1) * mean


def estimate_case(case: dict, datasets: dict) -> MemoryEstimate:
    """The planner's estimate for one published run, with its exact settings."""
    spec = read_model_config(sample_config(case["model_config"]))
    tokens = tokens_per_micro_batch(case, datasets)
    lora = case.get("lora") or {}
    if case["engine"] == "swift-sft":
        return estimate_swift_sft(
            spec,
            int(case["seq_len"]),
            case["method"],
            int(lora.get("rank", 8)),
            micro_batch=int(case.get("micro_batch", 1)),
            tokens_per_micro_batch=tokens,
        )
    lay = case["layout"]
    layout = Layout(
        lay["tp"],
        lay["pp"],
        lay["cp"],
        lay["ep"],
        lay["dp"],
        lay.get("last_stage_layers"),
        lay.get("first_stage_layers"),
        lay.get("etp", 1),
    )
    return estimate_megatron(
        spec,
        layout,
        int(case["seq_len"]),
        case["method"],
        int(case.get("global_batch", 16)),
        int(lora.get("rank", 8)),
        micro_batch=int(case.get("micro_batch", 1)),
        recompute=case.get("recompute", "selective"),
        optimizer=Optimizer(**(case.get("optimizer") or {})),
        capacity_factor=(case.get("moe") or {}).get("capacity_factor"),
        lora_targets=lora.get("targets", "all-linear"),
        tokens_per_micro_batch=tokens,
    )


def run_calibration(path: str | Path = MEASUREMENTS) -> list[CaseResult]:
    doc = load_measurements(path)
    datasets = doc.get("datasets") or {}
    return [CaseResult(case, estimate_case(case, datasets)) for case in doc["cases"]]


def summary(results: list[CaseResult]) -> dict[str, float | int | bool]:
    """Median |error|, worst |error|, most negative error, and whether the targets hold."""
    errors = [r.error for r in results]
    med = statistics.median(abs(e) for e in errors)
    worst = max(abs(e) for e in errors)
    under = min(errors)
    return {
        "cases": len(errors),
        "median_abs": med,
        "worst_abs": worst,
        "most_under": under,
        "targets_met": worst <= TARGET_ABS and med <= TARGET_MEDIAN and under >= TARGET_UNDER,
    }


def format_table(results: list[CaseResult]) -> str:
    """A Markdown table: case, split, layout, published, estimate, error, and the estimate's main parts."""
    head = "| case | split | settings | published GiB | estimate GiB | error | states / act / logits / MoE |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in results:
        c, e, lay = r.case, r.estimate, r.case["layout"]
        setting = f"{c['engine']} {c['method']}, {c['gpus']} GPU"
        if c["engine"] == "megatron":
            setting += f", TP{lay['tp']} PP{lay['pp']} EP{lay['ep']} DP{lay['dp']}"
        setting += f", {c['seq_len']} tok × mb {c.get('micro_batch', 1)}, rc {c.get('recompute')}"
        parts = f"{e.weights + e.grads + e.optimizer:.1f} / {e.activations:.1f} / {e.logits:.1f} / {e.moe_buffers:.1f}"
        lines.append(
            f"| {r.id} | {r.split} | {setting} | {r.measured:g} | {e.total:.1f} | {r.error:+.1%} | {parts} |"
        )
    for split in ("fit", "holdout", "all"):
        sel = [r for r in results if split == "all" or r.split == split]
        if sel:
            s = summary(sel)
            lines.append(
                f"\n{split}: {s['cases']} cases, median |error| {s['median_abs']:.1%}, worst |error| "
                f"{s['worst_abs']:.1%}, most negative {s['most_under']:+.1%}, targets met: {s['targets_met']}"
            )
    return "\n".join(lines)
