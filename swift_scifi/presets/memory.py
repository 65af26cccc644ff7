"""Per-GPU training memory: model states, activations, logits, MoE buffers and overheads. Units: bytes, or GiB.

The estimate is what ``nvidia-smi`` shows at the peak of a run (the figure ms-swift's examples record):

    total = (weights + grads + optimizer + activations + logits + moe_buffers) · (1 + ALLOCATOR_SHARE)
            + overhead

Each term is a function below with its formula and the published case that fixed its constant
(``swift_scifi/data/memory_measurements.yaml``; ``swift-scifi plan --calibration`` reprints the table).
Sources for the parts that are not fitted:
- Model states with Megatron's distributed optimizer: bf16 weight 2, fp32 main grad 4, and (fp32 master 4 +
  Adam moments 4 + 4)/d bytes per parameter, d = the parameter's data-parallel group (DP·CP for dense
  layers, the expert data-parallel size for experts). Megatron-LM docs, "Distributed Optimizer".
- Activations: the tensor-by-tensor accounting of Korthikanti et al. 2022 (Table 2: 34·s·b·h/t per GPT layer
  with tensor + sequence parallelism and selective recompute; s·b·h·(34 + 5·a·s/h)/t without; 2·s·b·h/t per
  layer with full recompute), generalised to GQA, q/k norm, gated MLPs, MoE and flash attention.
- 1F1B pipeline: stage i of p holds min(p − i, microbatches) microbatches in flight.
- QLoRA (swift sft + bitsandbytes): NF4 with double quantisation costs 4.127 bits per quantised weight
  (Dettmers et al. 2023, §3); embeddings and lm_head stay bf16.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from .layouts import Layout
from .model_config import ModelSpec

GIB = 2**30
NF4_BYTES = 4.127 / 8  # NF4 + double-quantised constants, bytes per quantised weight
RECOMPUTE_MODES = ("none", "selective", "full")

# --- the constants; each is explained (formula + fixing case) in the function that uses it ---
CUDA_CONTEXT_GIB = 1.0  # one process: CUDA context, cuBLAS/cuDNN workspaces
NCCL_GIB = 1.0  # Megatron, more than one GPU: NCCL communicators of the TP/PP/DP/EP groups
# allocator reserve beyond the live tensors, as a share of the live peak (dense runs; Megatron MoE runs)
ALLOCATOR_SHARE = 0.08
ALLOCATOR_SHARE_MOE = 0.15
# bytes per logit: Megatron fused CE (fp32 softmax 4 + bf16 logits 2 + bf16 grad 2);
# transformers (bf16 logits 2 + fp32 upcast 4 + fp32 log-softmax 4 + fp32 grad 4 + bf16 grad 2)
LOGIT_BYTES_MEGATRON = 8
LOGIT_BYTES_HF = 16
MOE_IMBALANCE = 1.0  # the busiest EP rank receives 1 + MOE_IMBALANCE·(1 − 1/EP) times the mean routed tokens
DISPATCH_COPIES = 4  # h-wide bf16 copies of each routed token alive in the alltoall dispatcher at the peak


@dataclass(frozen=True)
class MemoryEstimate:
    """Peak per-GPU memory of the most loaded pipeline stage, in GiB. ``act_no_recompute`` is also the
    selective figure: with flash attention, recomputing ``core_attn`` frees no stored tensor."""

    weights: float
    grads: float
    optimizer: float
    act_no_recompute: float
    act_full_recompute: float
    overhead: float
    recompute: str  # "none", "selective" (ms-swift's default) or "full"
    logits: float = 0.0
    moe_buffers: float = 0.0
    moe: bool = False  # a Megatron MoE run: ALLOCATOR_SHARE_MOE applies

    @property
    def activations(self) -> float:
        return self.act_full_recompute if self.recompute == "full" else self.act_no_recompute

    @property
    def live(self) -> float:
        """Live tensors at the peak (before allocator reserve and fixed overhead)."""
        return self.weights + self.grads + self.optimizer + self.activations + self.logits + self.moe_buffers

    @property
    def allocator(self) -> float:
        return allocator_reserve(self.live, self.moe)

    @property
    def total(self) -> float:
        return self.live + self.allocator + self.overhead

    def with_recompute(self, mode: str) -> MemoryEstimate:
        return replace(self, recompute=mode)

    def as_dict(self) -> dict[str, float | str]:
        out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        out.update(activations=round(self.activations, 3), allocator=round(self.allocator, 3))
        out["total"] = round(self.total, 3)
        return out


def allocator_reserve(live_gib: float, moe: bool = False) -> float:
    """Reserved-but-unallocated memory of PyTorch's caching allocator: share · live (GiB).

    Even with ``expandable_segments:True`` (set by every ms-swift example and by our presets), blocks freed
    by one phase (loading, forward, the loss, backward, the optimizer step) are kept and split for the next,
    and nvidia-smi reports them. Proportional to the total because each phase's tensors are.
    ALLOCATOR_SHARE = 0.08 was fixed on the dense Megatron cases with exact token counts (Qwen2.5-7B TP 4 at
    32k packed, 50 GiB; Qwen2.5-14B TP 4 at 8k packed, 65 GiB) after every other term was set from first
    principles. MoE runs reserve more: the rows each expert receives change every step, so the grouped
    GEMMs and dispatcher ask for new block sizes each time. ALLOCATOR_SHARE_MOE = 0.15 was set after the
    held-out check (docs/presets.md reports both stages): with 0.08, three held-out MoE runs (Qwen1.5-MoE
    PP 2 × EP 4, GLM-4.5-Air LoRA TP 4 × EP 4, 57 and 70 GiB) came out 13-15% low."""
    return (ALLOCATOR_SHARE_MOE if moe else ALLOCATOR_SHARE) * live_gib


def fixed_overhead(engine: str, world: int) -> float:
    """CUDA context + library workspaces (CUDA_CONTEXT_GIB, ~1 GiB on an 80 GB card), plus NCCL_GIB for the
    communicators of Megatron's process groups when more than one GPU runs. GiB. The 1 GiB NCCL share was
    set on the Qwen2.5-7B LoRA TP 2 case (14 GiB), where the model states are only 7.1 GiB."""
    return CUDA_CONTEXT_GIB + (NCCL_GIB if engine == "megatron" and world > 1 else 0.0)


def attention_activation_bytes(spec: ModelSpec, seq_len: int, flash: bool = True) -> float:
    """Bytes per token stored by one attention block for backward (no parallelism, bf16)."""
    h, q, kv = spec.hidden, spec.q_dim, spec.kv_dim
    stored = 2 * h + 2 * h  # norm input, QKV-projection input
    stored += 2 * (q + kv) * (2 if spec.qk_norm else 1) + 2 * kv  # Q, K (and their norm inputs), V
    if flash:
        stored += 4 * spec.heads  # fp32 log-sum-exp per head; no s×s matrix is kept
    else:
        stored += (5 if spec.dropout else 2) * spec.heads * seq_len  # softmax (+ dropout mask and output)
    stored += 2 * q  # attention output = input of the output projection
    return stored + (h if spec.dropout else 0)  # dropout mask after the output projection


def routed_row_bytes(spec: ModelSpec, etp: int = 1) -> float:
    """Bytes stored for backward per routed token row (one token sent to one expert): the permuted input
    (2h), gate/up output (4·f/ETP), SwiGLU output (2·f/ETP) and the expert output kept for the
    probability gradient (2h). With ETP > 1 each rank sees ETP times the rows, with f/ETP columns."""
    f = spec.moe_ffn / etp
    return etp * (2 * spec.hidden + 2 * spec.hidden) + etp * 6 * f


def mlp_activation_bytes(spec: ModelSpec, moe: bool, imbalance: float = 1.0, etp: int = 1) -> float:
    """Bytes per token stored by one MLP or MoE block for backward (no parallelism, bf16). For MoE the routed
    part is scaled by ``imbalance``, the busiest rank's multiple of the mean routed tokens."""
    h = spec.hidden
    stored = 2 * h + 2 * h + (h if spec.dropout else 0)  # norm input, MLP/router input, dropout mask
    if not moe:
        inner = (4 if spec.gated_mlp else 2) * spec.ffn + 2 * spec.ffn  # activation inputs, down-proj input
        return stored + inner
    routed = spec.experts_per_token * imbalance * routed_row_bytes(spec, etp)
    shared = (2 * h + 6 * spec.shared_expert_ffn) if spec.shared_expert_ffn else 0
    return stored + 8 * spec.experts + routed + shared  # fp32 router logits and probabilities


def layer_activation_bytes(
    spec: ModelSpec, seq_len: int, moe: bool = False, flash: bool = True, imbalance: float = 1.0, etp: int = 1
) -> float:
    """Bytes per token per layer with no recompute and no parallelism (divide by TP·CP to shard)."""
    return attention_activation_bytes(spec, seq_len, flash) + mlp_activation_bytes(spec, moe, imbalance, etp)


def moe_imbalance(ep: int, capacity_factor: float | None = None) -> float:
    """Routed tokens on the busiest EP rank over the mean: 1 + MOE_IMBALANCE·(1 − 1/EP), capped at the
    capacity factor when one is set (tokens beyond capacity are dropped).

    EP = 1 has no imbalance (every expert is local). MOE_IMBALANCE = 1 (the busiest of many ranks takes
    about twice the mean at the worst step of a fine-tune whose router starts from a pretrained
    checkpoint with a 1e-3 auxiliary loss) was fixed on Qwen3-30B-A3B full PP 2 × EP 8 (60 GiB) and
    checked on Qwen1.5-MoE PP 2 × EP 4 (57 GiB)."""
    share = 1.0 + MOE_IMBALANCE * (1.0 - 1.0 / max(1, ep))
    return min(share, capacity_factor) if capacity_factor else share


def moe_dispatch_bytes(spec: ModelSpec, tokens: float, imbalance: float, etp: int = 1) -> float:
    """Token-dispatcher buffers of one MoE layer on one GPU: DISPATCH_COPIES · 2h bytes per routed row.

    The alltoall dispatcher holds, at the peak of a layer's backward, the permuted tokens, the all-to-all
    receive buffer, the tokens sorted by local expert and the gradient of one of them (4 copies of
    tokens·top-k·h in bf16), on top of what the layer stores for backward. Grouped-GEMM workspaces are
    small beside them (cuBLAS workspace is in the fixed overhead). ``tokens``: tokens on this GPU."""
    rows = tokens * spec.experts_per_token * imbalance * etp
    return DISPATCH_COPIES * 2 * spec.hidden * rows


def megatron_logits_bytes(spec: ModelSpec, tokens: float, tp: int) -> float:
    """Output layer + fused vocab-parallel cross-entropy on the last stage: LOGIT_BYTES_MEGATRON · s · V/TP.

    Megatron upcasts the bf16 logits to fp32 (4 bytes), turns that buffer into the softmax in place and
    keeps it for backward; backward writes the gradient into it and casts it to bf16 (2) for the output
    layer, while the bf16 logits (2) of the forward are still referenced: 8 bytes per logit. Checked on
    Qwen2.5-7B TP 4 at 32k tokens (50 GiB, logits 9.3 GiB): 8 bytes −1%; 4 bytes −11%, 12 +9%, 16 +19%.
    ``tokens``: tokens of one micro batch on this CP rank (the output layer gathers the sequence over TP)."""
    return LOGIT_BYTES_MEGATRON * tokens * spec.vocab / tp


def hf_logits_bytes(spec: ModelSpec, tokens: float) -> float:
    """transformers' causal-LM loss (swift sft): LOGIT_BYTES_HF · s · V.

    bf16 logits (2, kept in the output for ms-swift's token accuracy) + ``logits.float()`` (4) + the fp32
    log-softmax saved by cross-entropy (4) + its fp32 gradient (4) + the bf16 gradient of the logits (2) =
    16 bytes. The measured growth of single-GPU LoRA runs with sequence length is about 2.5 MB per token for
    a 152k vocabulary (16 · 152064 = 2.4 MB); fixed on the ms-swift quick start (Qwen2.5-7B LoRA, 22 GB at
    2048 tokens against 17.2 GiB for short self-cognition samples). 12 bytes would fit the four swift sft
    cases slightly better (median 2% against 6%) but is not what the loss code allocates; 16 errs high."""
    return LOGIT_BYTES_HF * tokens * spec.vocab


def lora_params_per_layer(spec: ModelSpec, rank: int, moe: bool, targets: str = "all-linear") -> int:
    """LoRA A+B parameters of one transformer layer for ``all-linear`` (or ``attention``: QKV and output
    projection only)."""
    h = spec.hidden
    attn = rank * ((h + spec.q_dim) + 2 * (h + spec.kv_dim) + (spec.q_dim + h))
    if targets == "attention":
        return attn
    if not moe:
        return attn + (3 if spec.gated_mlp else 2) * rank * (h + spec.ffn)
    shared = 3 * rank * (h + spec.shared_expert_ffn) if spec.shared_expert_ffn else 0
    return attn + spec.experts * 3 * rank * (h + spec.moe_ffn) + shared


def lora_split_per_layer(
    spec: ModelSpec, rank: int, moe: bool, targets: str = "all-linear"
) -> tuple[int, int]:
    """(non-expert LoRA params, expert LoRA params) of one layer; the expert part is divided by EP·ETP."""
    total = lora_params_per_layer(spec, rank, moe, targets)
    experts = spec.experts * 3 * rank * (spec.hidden + spec.moe_ffn) if moe and targets != "attention" else 0
    return total - experts, experts


@dataclass(frozen=True)
class Optimizer:
    """Optimizer precision: main grads fp32|bf16, Adam moments fp32|bf16 (``use_precision_aware_optimizer``
    with ``exp_avg_dtype``/``exp_avg_sq_dtype bf16``), and ``offload`` (``optimizer_cpu_offload`` with
    fraction 1: master weights and moments live on the CPU)."""

    grads: str = "fp32"
    moments: str = "fp32"
    offload: bool = False

    def bytes_per_param(self, d: int) -> tuple[float, float, float]:
        """(weight, grad, optimizer) bytes per trainable parameter on one GPU, d = its data-parallel group."""
        grad = 4.0 if self.grads == "fp32" else 2.0
        moments = 8.0 if self.moments == "fp32" else 4.0
        optim = 0.0 if self.offload else (4.0 + moments) / d
        return 2.0, grad, optim


def optimizer_from_args(cfg: dict) -> Optimizer:
    """The :class:`Optimizer` a ``megatron sft`` config asks for: bf16 moments only with
    ``use_precision_aware_optimizer`` and both ``exp_avg_dtype`` and ``exp_avg_sq_dtype`` bf16 (fp16/fp8
    moments are counted as fp32, an upper bound); offload with ``optimizer_cpu_offload`` at fraction 1."""
    aware = bool(cfg.get("use_precision_aware_optimizer", False))
    bf16 = aware and cfg.get("exp_avg_dtype") == "bf16" and cfg.get("exp_avg_sq_dtype") == "bf16"
    offload = (
        bool(cfg.get("optimizer_cpu_offload", False)) and float(cfg.get("optimizer_offload_fraction", 1)) == 1
    )
    return Optimizer(
        grads="bf16" if cfg.get("main_grads_dtype") == "bf16" else "fp32",
        moments="bf16" if bf16 else "fp32",
        offload=offload,
    )


def megatron_state_bytes_per_param(d: int) -> tuple[float, float, float]:
    """(weight, grad, optimizer) bytes per trainable parameter: bf16 weight, fp32 grad, 12/d of fp32 states."""
    return Optimizer().bytes_per_param(d)


@dataclass(frozen=True)
class _Stage:
    layers: int
    moe_layers: int
    first: bool
    last: bool
    in_flight: int


def _stages(spec: ModelSpec, layout: Layout, microbatches: int) -> list[_Stage]:
    counts = layout.stage_layers(spec.layers)
    moe_share = spec.moe_layers / spec.layers
    return [
        _Stage(n, round(n * moe_share), i == 0, i == layout.pp - 1, min(layout.pp - i, microbatches))
        for i, n in enumerate(counts)
    ]


def _stage_params(spec: ModelSpec, layout: Layout, st: _Stage) -> tuple[float, float]:
    """(dense params on one GPU, expert params on one GPU) of a stage."""
    dense_layers = st.layers - st.moe_layers
    dense = st.layers * spec.attention_params() + dense_layers * spec.dense_mlp_params()
    dense += st.moe_layers * spec.moe_nonexpert_params()
    embeddings = (st.first + st.last) if (layout.pp > 1 or not spec.tied_embeddings) else 1
    dense = (dense + embeddings * spec.embedding_params()) / layout.tp
    experts = st.moe_layers * spec.experts * spec.expert_params() / (layout.ep * layout.etp)
    return dense, experts


def _stage_activations(
    spec: ModelSpec, layout: Layout, st: _Stage, tokens_mb: float, capacity_factor: float | None
) -> tuple[float, float, float, float]:
    """(no-recompute, full-recompute, logits, MoE dispatch) bytes of a stage; ``tokens_mb`` tokens per
    micro batch (micro batch × sequence length)."""
    seq = tokens_mb / layout.cp
    tokens = seq / layout.tp  # per GPU, sequence parallel when TP > 1
    imb = moe_imbalance(layout.ep, capacity_factor)
    dense = layer_activation_bytes(spec, int(seq), moe=False)
    moe = layer_activation_bytes(spec, int(seq), True, True, imb, layout.etp) if spec.is_moe else 0.0
    per_mb = (st.layers - st.moe_layers) * dense + st.moe_layers * moe
    no_rc = st.in_flight * per_mb * tokens
    working = moe if st.moe_layers else dense
    full_rc = (st.in_flight * st.layers * 2 * spec.hidden + working) * tokens
    dispatch = moe_dispatch_bytes(spec, tokens, imb, layout.etp) if st.moe_layers else 0.0
    logits = megatron_logits_bytes(spec, seq, layout.tp) if st.last else 0.0
    return no_rc, full_rc, logits, dispatch


def estimate_megatron(
    spec: ModelSpec,
    layout: Layout,
    seq_len: int,
    method: str = "full",
    global_batch: int = 16,
    lora_rank: int = 16,
    gpu_mem_gib: float | None = None,
    micro_batch: int = 1,
    recompute: str | None = None,
    optimizer: Optimizer | None = None,
    capacity_factor: float | None = None,
    lora_targets: str = "all-linear",
    tokens_per_micro_batch: float | None = None,
    margin_gib: float = 0.0,
) -> MemoryEstimate:
    """Peak per-GPU memory of ``megatron sft`` (full or LoRA) with the distributed optimizer.

    ``recompute`` None picks the least recompute that fits ``gpu_mem_gib`` − ``margin_gib`` (selective,
    ms-swift's default, else full; None card: selective). ``tokens_per_micro_batch`` overrides
    micro batch × seq len (padding-free batches of short samples hold fewer tokens than that)."""
    opt = optimizer or Optimizer()
    microbatches = max(1, global_batch // (layout.dp * micro_batch))
    tokens_mb = tokens_per_micro_batch or micro_batch * seq_len
    d_dense = layout.dp * layout.cp
    d_expert = layout.expert_dp
    world = layout.tp * layout.pp * layout.cp * layout.dp
    stages = []
    for st in _stages(spec, layout, microbatches):
        dense, experts = _stage_params(spec, layout, st)
        if method == "full":
            w_d, g_d, o_d = opt.bytes_per_param(d_dense)
            w_e, g_e, o_e = opt.bytes_per_param(d_expert)
            weights = w_d * dense + w_e * experts
            grads, optim = g_d * dense + g_e * experts, o_d * dense + o_e * experts
        else:
            non_exp, exp = _stage_lora(spec, st, lora_rank, lora_targets)
            lora_dense, lora_exp = non_exp / layout.tp, exp / (layout.ep * layout.etp)
            w_d, g_d, o_d = opt.bytes_per_param(d_dense)
            _, g_e, o_e = opt.bytes_per_param(d_expert)
            weights = 2 * (dense + experts) + w_d * (lora_dense + lora_exp)
            grads, optim = g_d * lora_dense + g_e * lora_exp, o_d * lora_dense + o_e * lora_exp
        no_rc, full_rc, logits, dispatch = _stage_activations(spec, layout, st, tokens_mb, capacity_factor)
        stages.append(
            MemoryEstimate(
                weights / GIB,
                grads / GIB,
                optim / GIB,
                no_rc / GIB,
                full_rc / GIB,
                fixed_overhead("megatron", world),
                "selective",
                logits / GIB,
                dispatch / GIB,
                spec.is_moe,
            )
        )
    return choose_recompute(stages, recompute, gpu_mem_gib, margin_gib)


def _stage_lora(spec: ModelSpec, st: _Stage, rank: int, targets: str) -> tuple[int, int]:
    dense_non, _ = lora_split_per_layer(spec, rank, False, targets)
    moe_non, moe_exp = lora_split_per_layer(spec, rank, True, targets) if spec.is_moe else (0, 0)
    dense_layers = st.layers - st.moe_layers
    return dense_layers * dense_non + st.moe_layers * moe_non, st.moe_layers * moe_exp


def choose_recompute(
    stages: list[MemoryEstimate], recompute: str | None, gpu_mem_gib: float | None, margin_gib: float = 0.0
) -> MemoryEstimate:
    """The most loaded stage under ``recompute`` when given; else under selective when that fits
    ``gpu_mem_gib − margin_gib``, otherwise under full."""
    modes = [recompute] if recompute is not None else ["selective", "full"]
    for mode in modes:
        worst = max((s.with_recompute(mode) for s in stages), key=lambda e: e.total)
        if recompute is not None or gpu_mem_gib is None or worst.total + margin_gib <= gpu_mem_gib:
            return worst
    return worst


def estimate_swift_sft(
    spec: ModelSpec,
    seq_len: int,
    method: str = "lora",
    lora_rank: int = 16,
    adapter_weight_bytes: int = 4,
    micro_batch: int = 1,
    gradient_checkpointing: bool = True,
    tokens_per_micro_batch: float | None = None,
) -> MemoryEstimate:
    """Per-GPU memory of ``swift sft`` (transformers + PEFT, DDP) for LoRA or QLoRA.

    Gradient checkpointing (ms-swift's default) stores each layer's input (2·h bytes per token) plus one
    layer's working set, so ``recompute`` is "full"; ``act_no_recompute`` is without checkpointing.
    Adapters: PEFT keeps them in fp32 (``adapter_weight_bytes`` 4; the QLoRA paper used bf16, 2), with
    gradients of the same width and two fp32 Adam moments. Logits: :func:`hf_logits_bytes`.
    """
    tokens = tokens_per_micro_batch or micro_batch * seq_len
    total = spec.total_params()
    emb = spec.embedding_params() * (1 if spec.tied_embeddings else 2)
    if method == "qlora":
        weights = (total - emb) * NF4_BYTES + emb * 2
    else:
        weights = total * 2.0
    dense_layers = spec.layers - spec.moe_layers
    lora = dense_layers * lora_params_per_layer(spec, lora_rank, False)
    lora += spec.moe_layers * lora_params_per_layer(spec, lora_rank, True)
    per_layer = layer_activation_bytes(spec, seq_len, moe=spec.is_moe)
    no_rc = per_layer * spec.layers * tokens
    full_rc = (2 * spec.hidden * spec.layers + per_layer) * tokens
    a = adapter_weight_bytes
    return MemoryEstimate(
        (weights + a * lora) / GIB,
        a * lora / GIB,
        8 * lora / GIB,
        no_rc / GIB,
        full_rc / GIB,
        fixed_overhead("swift-sft", 1),
        "full" if gradient_checkpointing else "none",
        hf_logits_bytes(spec, tokens) / GIB,
        0.0,
    )
