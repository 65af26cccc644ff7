"""Plan a launch: estimate every valid layout, rank them, and explain an impossible request."""

from __future__ import annotations

from dataclasses import dataclass

from .layouts import Cluster, Layout, enumerate_layouts
from .memory import MemoryEstimate, estimate_megatron, estimate_swift_sft
from .model_config import ModelSpec

METHODS = ("full", "lora", "qlora")


class PlanError(ValueError):
    """The request cannot be met; the message names the violated constraint."""


@dataclass(frozen=True)
class PlanRequest:
    spec: ModelSpec
    cluster: Cluster
    seq_len: int
    method: str = "full"
    gpu_mem_gib: float = 80.0
    global_batch: int = 16
    lora_rank: int = 16


@dataclass(frozen=True)
class RankedLayout:
    layout: Layout
    memory: MemoryEstimate
    limit_gib: float = float("inf")
    n_layers: int = 0

    @property
    def fits(self) -> bool:
        return self.memory.total <= self.limit_gib

    def as_dict(self) -> dict:
        lay = self.layout
        out = {"tp": lay.tp, "pp": lay.pp, "cp": lay.cp, "ep": lay.ep, "dp": lay.dp}
        out.update(sequence_parallel=lay.sequence_parallel, stage_layers=lay.stage_layers(self.n_layers))
        out.update(est_mem_gb=round(self.memory.total, 2), fits=self.fits, recompute=self.memory.recompute)
        out["memory_gib"] = self.memory.as_dict()
        return out


def estimate(req: PlanRequest, layout: Layout) -> MemoryEstimate:
    """Per-GPU memory of ``layout``: swift sft for QLoRA, megatron sft otherwise."""
    if req.method == "qlora":
        return estimate_swift_sft(req.spec, req.seq_len, "qlora", req.lora_rank)
    return estimate_megatron(
        req.spec, layout, req.seq_len, req.method, req.global_batch, req.lora_rank, req.gpu_mem_gib
    )


def rank_key(item: RankedLayout) -> tuple:
    """Fitting layouts first; then the least model parallelism (cheapest communication), fewer pipeline
    stages (smaller bubble), less CP, more EP (expert states dominate MoE memory), then lower memory."""
    lay = item.layout
    return (not item.fits, lay.tp * lay.pp * lay.cp, lay.pp, lay.cp, lay.tp, -lay.ep, item.memory.total)


def check_request(req: PlanRequest) -> None:
    """Reject requests no layout can meet, naming the problem."""
    if req.method not in METHODS:
        raise PlanError(f"--method must be one of {METHODS}, not {req.method!r}")
    for name, value in (
        ("--gpus", req.cluster.gpus_per_node),
        ("--nodes", req.cluster.nodes),
        ("--seq-len", req.seq_len),
        ("--global-batch-size", req.global_batch),
    ):
        if value < 1:
            raise PlanError(f"{name} must be at least 1, got {value}")
    if req.gpu_mem_gib <= 0:
        raise PlanError(f"--gpu-mem-gb must be positive, got {req.gpu_mem_gib}")


def plan(req: PlanRequest) -> list[RankedLayout]:
    """Every valid layout with its memory estimate, best first. Raises :class:`PlanError` when none is
    valid or none fits in ``gpu_mem_gib``."""
    check_request(req)
    valid, rejected = enumerate_layouts(req.spec, req.cluster, req.seq_len, req.method, req.global_batch)
    if not valid:
        reasons = "; ".join(f"{rule} (rejected {n} layouts)" for rule, n in rejected.most_common())
        raise PlanError(f"no valid layout for {req.spec.name} on {req.cluster.world} GPUs: {reasons}")
    ranked = [RankedLayout(lay, estimate(req, lay), req.gpu_mem_gib, req.spec.layers) for lay in valid]
    ranked.sort(key=rank_key)
    if not ranked[0].fits:
        low = min(ranked, key=lambda r: r.memory.total)
        lay = low.layout
        raise PlanError(
            f"memory: no valid layout fits in {req.gpu_mem_gib:g} GiB per GPU; the smallest needs "
            f"{low.memory.total:.1f} GiB (tp={lay.tp} pp={lay.pp} cp={lay.cp} ep={lay.ep} dp={lay.dp}). "
            "Add GPUs, shorten --seq-len, or use --method lora/qlora."
        )
    return ranked
