"""Enumerate the Megatron (TP, PP, CP, EP, DP) layouts that are valid for a model on a cluster.

The rules follow Megatron-Core as driven by ms-swift 4.6 (``swift/megatron/arguments/megatron_args.py``):
world = TP·PP·CP·DP; TP divides the attention and KV heads and stays inside one node; PP splits the layers
(evenly, or as ``decoder_first/last_pipeline_num_layers`` say, the middle stages even); the sequence length
is a multiple of 2·CP when CP > 1 (zigzag load balancing); the global batch is a multiple of micro batch × DP.

Experts use their own groups ("MoE parallel folding", Megatron-Core ``initialize_model_parallel``): per
pipeline stage the TP·CP·DP ranks of the dense layers are re-cut into ETP·EP·EDP for the experts, so
EP·ETP must divide TP·CP·DP, and the expert data-parallel size is EDP = TP·CP·DP / (EP·ETP). ms-swift's
default ``expert_tensor_parallel_size`` is 1, which lets EP span the TP group: Qwen3-30B-A3B at TP 4 PP 2
EP 4 DP 1 and Qwen3-235B-A22B LoRA at TP 4 EP 8 DP 2 are valid (ms-swift's own examples).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model_config import ModelSpec


@dataclass(frozen=True)
class Cluster:
    """``gpus_per_node`` GPUs on each of ``nodes`` nodes."""

    gpus_per_node: int
    nodes: int = 1

    @property
    def world(self) -> int:
        return self.gpus_per_node * self.nodes


@dataclass(frozen=True)
class Layout:
    """One parallel layout. ``first/last_stage_layers`` are set only for an uneven pipeline split
    (``decoder_first/last_pipeline_num_layers``); ``etp`` is the expert tensor-parallel size."""

    tp: int
    pp: int
    cp: int
    ep: int
    dp: int
    last_stage_layers: int | None = None
    first_stage_layers: int | None = None
    etp: int = 1

    @property
    def expert_dp(self) -> int:
        """Expert data-parallel size EDP = TP·CP·DP / (EP·ETP) (parallel folding); at least 1."""
        return max(1, self.tp * self.cp * self.dp // (self.ep * self.etp))

    @property
    def sequence_parallel(self) -> bool:
        return self.tp > 1

    def stage_layers(self, layers: int) -> list[int]:
        """Transformer layers held by each pipeline stage, first to last."""
        first, last = self.first_stage_layers, self.last_stage_layers
        if self.pp == 1:
            return [layers]
        middle = self.pp - (first is not None) - (last is not None)
        k = (layers - (first or 0) - (last or 0)) // middle if middle else 0
        return ([first] if first is not None else []) + [k] * middle + ([last] if last is not None else [])


def split_problem(layers: int, layout: Layout) -> str | None:
    """Why ``layout``'s pipeline split is impossible (None: possible). Megatron's rule: the stages without
    an explicit ``decoder_first/last_pipeline_num_layers`` take equal shares, each at least one layer."""
    pp, first, last = layout.pp, layout.first_stage_layers, layout.last_stage_layers
    if pp > layers:
        return f"PP={pp} > layers={layers}"
    if pp == 1:
        return "decoder_first/last_pipeline_num_layers need PP > 1" if (first or last) else None
    if first is None and last is None:
        return None if layers % pp == 0 else f"layers={layers} not divisible by PP={pp}"
    fixed = (first or 0) + (last or 0)
    middle = pp - (first is not None) - (last is not None)
    if min(x for x in (first, last) if x is not None) < 1:
        return "a pipeline stage with no layers"
    rest = layers - fixed
    if middle == 0:
        return None if rest == 0 else f"first + last = {fixed} != layers={layers}"
    if rest < middle or rest % middle:
        return f"the other {middle} stage(s) cannot split the remaining {rest} layers evenly"
    return None


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def pipeline_split(layers: int, pp: int) -> tuple[bool, int | None, int | None]:
    """(possible, first_stage_layers, last_stage_layers) for ``decoder_first/last_pipeline_num_layers``.

    An even split gives (True, None, None). Otherwise the middle stages take k layers each and the first and
    last stages share the rest, k chosen to make the largest stage smallest; Megatron needs the middle
    stages even. The last stage (which also holds the output layer) never gets the larger share."""
    if pp > layers:
        return False, None, None
    if layers % pp == 0:
        return True, None, None
    if pp == 2:
        return True, None, layers // 2
    best = None
    for k in range(1, (layers - 2) // (pp - 2) + 1):
        rest = layers - k * (pp - 2)
        last = rest // 2
        key = (max(k, rest - last), -k)
        if best is None or key < best[0]:
            best = (key, rest - last, last, k)
    _, first, last, k = best
    return True, (None if first == k else first), last


@dataclass(frozen=True)
class Violation:
    """A broken constraint: ``rule`` names it in general, ``detail`` with this layout's numbers."""

    rule: str
    detail: str


def violations(
    spec: ModelSpec,
    cluster: Cluster,
    layout: Layout,
    seq_len: int,
    global_batch: int,
    method: str,
    micro_batch: int = 1,
) -> list[Violation]:
    """The constraints ``layout`` breaks (empty: valid)."""
    tp, pp, cp, ep, dp = layout.tp, layout.pp, layout.cp, layout.ep, layout.dp
    checks = [
        (tp * pp * cp * dp != cluster.world, "world size = TP·PP·CP·DP", f"TP·PP·CP·DP={tp * pp * cp * dp}"),
        (
            spec.heads % tp or spec.kv_heads % tp,
            "attention heads and KV heads divisible by TP",
            f"heads={spec.heads}, KV heads={spec.kv_heads}, TP={tp}",
        ),
        (cluster.gpus_per_node % tp, "TP within one node", f"TP={tp}, GPUs per node={cluster.gpus_per_node}"),
        (
            split_problem(spec.layers, layout) is not None,
            "layers split across PP stages",
            f"layers={spec.layers}, PP={pp}: {split_problem(spec.layers, layout)}",
        ),
        (cp > 1 and seq_len % (2 * cp), "sequence length divisible by 2·CP", f"seq-len={seq_len}, CP={cp}"),
        (
            ep > 1 and (not spec.is_moe or spec.experts % ep),
            "experts divisible by EP",
            f"experts={spec.experts}, EP={ep}",
        ),
        (
            (tp * cp * dp) % (ep * layout.etp),
            "EP·ETP divides TP·CP·DP (MoE parallel folding)",
            f"EP={ep}, ETP={layout.etp}, TP·CP·DP={tp * cp * dp}",
        ),
        (
            layout.etp > 1 and (not spec.is_moe or spec.moe_ffn % layout.etp),
            "expert FFN size divisible by ETP",
            f"ETP={layout.etp}, expert FFN={spec.moe_ffn}",
        ),
        (
            global_batch % (dp * micro_batch),
            "global batch divisible by micro batch × DP",
            f"global batch={global_batch}, micro batch={micro_batch}, DP={dp}",
        ),
        (
            method == "qlora" and tp * pp * cp * ep > 1,
            "QLoRA runs data-parallel only (swift sft + bitsandbytes)",
            f"TP={tp}, PP={pp}, CP={cp}, EP={ep}",
        ),
    ]
    return [Violation(rule, detail) for broken, rule, detail in checks if broken]


def candidates(spec: ModelSpec, cluster: Cluster) -> list[Layout]:
    """Every factorisation of the world size into TP·PP·CP·DP, with every EP dividing TP·CP·DP (ETP 1,
    ms-swift's default; a different ETP can be pinned)."""
    out = []
    for tp in divisors(cluster.world):
        for pp in divisors(cluster.world // tp):
            for cp in divisors(cluster.world // (tp * pp)):
                dp = cluster.world // (tp * pp * cp)
                eps = divisors(tp * dp * cp) if spec.is_moe else [1]
                _, first, last = pipeline_split(spec.layers, pp)
                out.extend(Layout(tp, pp, cp, ep, dp, last, first) for ep in eps)
    return out


def enumerate_layouts(
    spec: ModelSpec,
    cluster: Cluster,
    seq_len: int,
    method: str = "full",
    global_batch: int = 16,
    micro_batch: int = 1,
) -> tuple[list[Layout], Counter]:
    """(valid layouts, how many candidates each violated rule rejected)."""
    valid, rejected = [], Counter()
    for layout in candidates(spec, cluster):
        broken = violations(spec, cluster, layout, seq_len, global_batch, method, micro_batch)
        if broken:
            rejected.update(v.rule for v in broken)
        else:
            valid.append(layout)
    return valid, rejected


def layout_from_args(cfg: dict) -> tuple[Layout, Cluster]:
    """The layout and cluster a ``megatron sft`` config describes (sizes default to 1, cluster from ENV)."""
    env = cfg.get("ENV") or {}
    cluster = Cluster(int(env.get("NPROC_PER_NODE", 1)), int(env.get("NNODES", 1)))
    tp, pp, cp = (
        int(cfg.get(f"{k}_parallel_size", 1)) for k in ("tensor_model", "pipeline_model", "context")
    )
    ep = int(cfg.get("expert_model_parallel_size", 1))
    etp = int(cfg.get("expert_tensor_parallel_size", 1))
    first, last = cfg.get("decoder_first_pipeline_num_layers"), cfg.get("decoder_last_pipeline_num_layers")
    return Layout(tp, pp, cp, ep, cluster.world // (tp * pp * cp), last, first, etp), cluster
