"""Plan a launch: estimate every valid layout (or the pinned one), rank them, and explain an impossible request."""

from __future__ import annotations

from dataclasses import dataclass, field

from .layouts import Cluster, Layout, enumerate_layouts, pipeline_split, violations
from .memory import RECOMPUTE_MODES, MemoryEstimate, Optimizer, estimate_megatron, estimate_swift_sft
from .model_config import ModelSpec

METHODS = ("full", "lora", "qlora")
DEFAULT_MARGIN = 0.10  # share of the card kept free on top of the estimate


class PlanError(ValueError):
    """The request cannot be met; the message names the violated constraint."""


@dataclass(frozen=True)
class Pin:
    """A layout the user fixed (``--tp --pp --cp --ep --etp``, ``--first/--last-stage-layers``); None = free."""

    tp: int | None = None
    pp: int | None = None
    cp: int | None = None
    ep: int | None = None
    etp: int | None = None
    first_stage_layers: int | None = None
    last_stage_layers: int | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.tp, self.pp, self.cp, self.ep, self.etp))


@dataclass(frozen=True)
class PlanRequest:
    spec: ModelSpec
    cluster: Cluster
    seq_len: int
    method: str = "full"
    gpu_mem_gib: float = 80.0
    global_batch: int = 16
    lora_rank: int = 16
    micro_batch: int = 1
    recompute: str | None = None  # None: the least recompute that fits with the margin
    margin: float = DEFAULT_MARGIN  # share of gpu_mem_gib kept free
    optimizer: Optimizer = field(default_factory=Optimizer)
    pin: Pin = field(default_factory=Pin)

    @property
    def margin_gib(self) -> float:
        return self.margin * self.gpu_mem_gib

    @property
    def engine(self) -> str:
        """``swift sft`` for QLoRA, and for LoRA on one GPU; ``megatron sft`` otherwise."""
        if self.method == "qlora" or (self.method == "lora" and self.cluster.world == 1):
            return "swift-sft"
        return "megatron"


@dataclass(frozen=True)
class RankedLayout:
    layout: Layout
    memory: MemoryEstimate
    limit_gib: float = float("inf")
    n_layers: int = 0
    margin_gib: float = 0.0
    pinned: bool = False

    @property
    def fits(self) -> bool:
        """The estimate plus the safety margin fits the card."""
        return self.memory.total + self.margin_gib <= self.limit_gib

    def as_dict(self) -> dict:
        lay = self.layout
        out = {"tp": lay.tp, "pp": lay.pp, "cp": lay.cp, "ep": lay.ep, "etp": lay.etp, "dp": lay.dp}
        out.update(sequence_parallel=lay.sequence_parallel, stage_layers=lay.stage_layers(self.n_layers))
        out.update(est_mem_gb=round(self.memory.total, 2), fits=self.fits, recompute=self.memory.recompute)
        out.update(margin_gb=round(self.margin_gib, 2), pinned=self.pinned)
        out["memory_gib"] = self.memory.as_dict()
        return out


def estimate(req: PlanRequest, layout: Layout) -> MemoryEstimate:
    """Per-GPU memory of ``layout``: swift sft for QLoRA and one-GPU LoRA, megatron sft otherwise."""
    if req.engine == "swift-sft":
        est = estimate_swift_sft(
            req.spec, req.seq_len, req.method, req.lora_rank, micro_batch=req.micro_batch
        )
        return est if req.recompute in (None, "full") else est.with_recompute("none")
    return estimate_megatron(
        req.spec,
        layout,
        req.seq_len,
        req.method,
        req.global_batch,
        req.lora_rank,
        req.gpu_mem_gib,
        micro_batch=req.micro_batch,
        recompute=req.recompute,
        optimizer=req.optimizer,
        margin_gib=req.margin_gib,
    )


def rank_key(item: RankedLayout) -> tuple:
    """Pinned first; then fitting layouts; then the least model parallelism (cheapest communication), fewer
    pipeline stages (smaller bubble), less CP, more EP (expert states dominate MoE memory), lower memory."""
    lay = item.layout
    return (
        not item.pinned,
        not item.fits,
        lay.tp * lay.pp * lay.cp,
        lay.pp,
        lay.cp,
        lay.tp,
        -lay.ep,
        item.memory.total,
    )


def check_request(req: PlanRequest) -> None:
    """Reject requests no layout can meet, naming the problem."""
    if req.method not in METHODS:
        raise PlanError(f"--method must be one of {METHODS}, not {req.method!r}")
    if req.recompute is not None and req.recompute not in RECOMPUTE_MODES:
        raise PlanError(f"--recompute must be one of {RECOMPUTE_MODES}, not {req.recompute!r}")
    for name, value in (
        ("--gpus", req.cluster.gpus_per_node),
        ("--nodes", req.cluster.nodes),
        ("--seq-len", req.seq_len),
        ("--global-batch-size", req.global_batch),
        ("--micro-batch", req.micro_batch),
    ):
        if value < 1:
            raise PlanError(f"{name} must be at least 1, got {value}")
    if req.gpu_mem_gib <= 0:
        raise PlanError(f"--gpu-mem-gb must be positive, got {req.gpu_mem_gib}")
    if not 0 <= req.margin < 1:
        raise PlanError(f"--safety-margin must be in [0, 1), got {req.margin}")
    for name, value in vars(req.pin).items():
        if value is not None and value < 1:
            raise PlanError(f"--{name.replace('_', '-')} must be at least 1, got {value}")


def pinned_layout(req: PlanRequest) -> Layout:
    """The layout the pins describe (unpinned sizes 1, DP = world / (TP·PP·CP)); PlanError naming every
    broken rule when it is not valid."""
    pin, world = req.pin, req.cluster.world
    tp, pp, cp = pin.tp or 1, pin.pp or 1, pin.cp or 1
    ep, etp = pin.ep or 1, pin.etp or 1
    if world % (tp * pp * cp):
        raise PlanError(
            f"pinned layout is invalid: world size = TP·PP·CP·DP (TP·PP·CP={tp * pp * cp} does not divide "
            f"{world} GPUs)"
        )
    first, last = pin.first_stage_layers, pin.last_stage_layers
    if first is None and last is None:
        _, first, last = pipeline_split(req.spec.layers, pp) if pp <= req.spec.layers else (False, None, None)
    layout = Layout(tp, pp, cp, ep, world // (tp * pp * cp), last, first, etp)
    broken = violations(
        req.spec, req.cluster, layout, req.seq_len, req.global_batch, req.method, req.micro_batch
    )
    if broken:
        rules = "; ".join(f"{v.rule} ({v.detail})" for v in broken)
        raise PlanError(f"pinned layout is invalid: {rules}")
    return layout


def plan(req: PlanRequest) -> list[RankedLayout]:
    """Every valid layout with its memory estimate, best first (a pinned layout alone, first). Raises
    :class:`PlanError` when none is valid, or, unpinned, when none fits ``gpu_mem_gib`` with the margin."""
    check_request(req)

    def ranked(lay: Layout, pinned: bool = False) -> RankedLayout:
        mem = estimate(req, lay)
        return RankedLayout(lay, mem, req.gpu_mem_gib, req.spec.layers, req.margin_gib, pinned)

    pinned = None
    if req.pin.active or req.pin.first_stage_layers or req.pin.last_stage_layers:
        pinned = ranked(pinned_layout(req), pinned=True)
    valid, rejected = enumerate_layouts(
        req.spec, req.cluster, req.seq_len, req.method, req.global_batch, req.micro_batch
    )
    if pinned is not None:  # the pinned row first, then the alternatives, even when it does not fit
        others = sorted((ranked(lay) for lay in valid if lay != pinned.layout), key=rank_key)
        return [pinned, *others]
    if not valid:
        reasons = "; ".join(f"{rule} (rejected {n} layouts)" for rule, n in rejected.most_common())
        raise PlanError(f"no valid layout for {req.spec.name} on {req.cluster.world} GPUs: {reasons}")
    out = sorted((ranked(lay) for lay in valid), key=rank_key)
    if not out[0].fits:
        low = min(out, key=lambda r: r.memory.total)
        lay = low.layout
        raise PlanError(
            f"memory: no valid layout fits in {req.gpu_mem_gib:g} GiB per GPU with a "
            f"{req.margin:.0%} safety margin; the smallest needs {low.memory.total:.1f} GiB "
            f"(tp={lay.tp} pp={lay.pp} cp={lay.cp} ep={lay.ep} dp={lay.dp}). "
            "Add GPUs, shorten --seq-len, or use --method lora/qlora."
        )
    return out
