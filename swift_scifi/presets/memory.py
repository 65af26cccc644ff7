"""Per-GPU training memory: weights, gradients, optimizer states and activations. Units: bytes, or GiB.

Sources (also in docs/presets.md):
- Model states with Megatron's distributed optimizer, bf16 params with fp32 grads: 6 + 12/d bytes per
  parameter (2 weight + 4 grad + 12/d for the fp32 master copy and both Adam moments), d = the parameter's
  data-parallel group (DP·CP for dense, the expert data-parallel size for experts). Megatron-LM docs,
  "Distributed Optimizer"; ms-swift sets ``accumulate_allreduce_grads_in_fp32`` for bf16.
- Activations: the tensor-by-tensor accounting of Korthikanti et al. 2022, "Reducing Activation Recomputation
  in Large Transformer Models" (Table 2: 34·s·b·h/t per GPT layer with tensor + sequence parallelism and
  selective recompute; s·b·h·(34 + 5·a·s/h)/t without recompute; 2·s·b·h/t per layer with full recompute),
  generalised here to GQA, q/k norm, gated MLPs, MoE and flash attention (no s² term). Output layer and loss:
  4·s·b·(h + V)/t on the last stage (Megatron-LM ``theoretical_memory_usage.py``).
- 1F1B pipeline: stage i of p holds min(p − i, microbatches) microbatches in flight.
- QLoRA (swift sft + bitsandbytes): NF4 with double quantisation costs 4.127 bits per quantised weight
  (Dettmers et al. 2023, §3); embeddings and lm_head stay bf16.
A fixed ``CUDA_CONTEXT_GIB`` covers the CUDA context, NCCL and cuBLAS workspaces; allocator fragmentation
is not modelled, so leave headroom.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .layouts import Layout
from .model_config import ModelSpec

GIB = 2**30
CUDA_CONTEXT_GIB = 1.0
NF4_BYTES = 4.127 / 8  # NF4 + double-quantised constants, bytes per quantised weight
LOGIT_BYTES_HF = 10  # bf16 logits + fp32 copy for the loss + fp32 gradient, per logit (swift sft)


@dataclass(frozen=True)
class MemoryEstimate:
    """Peak per-GPU memory of the most loaded pipeline stage, in GiB."""

    weights: float
    grads: float
    optimizer: float
    act_no_recompute: float
    act_full_recompute: float
    overhead: float
    recompute: str  # "selective" (ms-swift default; with flash attention this stores everything) or "full"

    @property
    def activations(self) -> float:
        return self.act_full_recompute if self.recompute == "full" else self.act_no_recompute

    @property
    def total(self) -> float:
        return self.weights + self.grads + self.optimizer + self.activations + self.overhead

    def as_dict(self) -> dict[str, float | str]:
        out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        out.update(activations=round(self.activations, 3), total=round(self.total, 3))
        return out


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


def mlp_activation_bytes(spec: ModelSpec, moe: bool) -> float:
    """Bytes per token stored by one MLP or MoE block for backward (no parallelism, bf16)."""
    h = spec.hidden
    stored = 2 * h + 2 * h + (h if spec.dropout else 0)  # norm input, MLP/router input, dropout mask
    if not moe:
        inner = (4 if spec.gated_mlp else 2) * spec.ffn + 2 * spec.ffn  # activation inputs, down-proj input
        return stored + inner
    routed = spec.experts_per_token * (2 * h + 6 * spec.moe_ffn + 2 * h)  # permuted in, gate/up/down in, out
    shared = (2 * h + 6 * spec.shared_expert_ffn) if spec.shared_expert_ffn else 0
    return stored + 8 * spec.experts + routed + shared  # fp32 router logits and probabilities


def layer_activation_bytes(spec: ModelSpec, seq_len: int, moe: bool = False, flash: bool = True) -> float:
    """Bytes per token per layer with no recompute and no parallelism (divide by TP·CP to shard)."""
    return attention_activation_bytes(spec, seq_len, flash) + mlp_activation_bytes(spec, moe)


def lora_params_per_layer(spec: ModelSpec, rank: int, moe: bool) -> int:
    """LoRA A+B parameters for all linear layers of one transformer layer (``target_modules all-linear``)."""
    h = spec.hidden
    attn = rank * ((h + spec.q_dim) + 2 * (h + spec.kv_dim) + (spec.q_dim + h))
    if not moe:
        return attn + (3 if spec.gated_mlp else 2) * rank * (h + spec.ffn)
    shared = 3 * rank * (h + spec.shared_expert_ffn) if spec.shared_expert_ffn else 0
    return attn + spec.experts * 3 * rank * (h + spec.moe_ffn) + shared


def megatron_state_bytes_per_param(d: int) -> tuple[float, float, float]:
    """(weight, grad, optimizer) bytes per trainable parameter: bf16 weight, fp32 grad, 12/d of fp32 states."""
    return 2.0, 4.0, 12.0 / d


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
    experts = st.moe_layers * spec.experts * spec.expert_params() / layout.ep
    return dense, experts


def _stage_activations(spec: ModelSpec, layout: Layout, st: _Stage, seq_len: int) -> tuple[float, float]:
    """(no-recompute bytes, full-recompute bytes) of a stage's activations."""
    tokens = seq_len / layout.cp / layout.tp  # per GPU, micro batch 1, sequence parallel when TP > 1
    dense = layer_activation_bytes(spec, seq_len // layout.cp, moe=False)
    moe = layer_activation_bytes(spec, seq_len // layout.cp, moe=True) if spec.is_moe else 0.0
    per_mb = (st.layers - st.moe_layers) * dense + st.moe_layers * moe
    no_rc = st.in_flight * per_mb * tokens
    full_rc = (st.in_flight * st.layers * 2 * spec.hidden + max(dense, moe)) * tokens
    if st.last:
        logits = 4 * (spec.hidden + spec.vocab) * tokens
        no_rc, full_rc = no_rc + logits, full_rc + logits
    return no_rc, full_rc


def estimate_megatron(
    spec: ModelSpec,
    layout: Layout,
    seq_len: int,
    method: str = "full",
    global_batch: int = 16,
    lora_rank: int = 16,
    gpu_mem_gib: float | None = None,
) -> MemoryEstimate:
    """Peak per-GPU memory of ``megatron sft`` (full or LoRA) with the distributed optimizer.

    ``gpu_mem_gib`` picks the recompute mode: selective when it fits, else full. None: selective.
    """
    microbatches = max(1, global_batch // layout.dp)
    d_dense = layout.dp * layout.cp
    d_expert = max(1, layout.tp * layout.dp * layout.cp // layout.ep)
    best = None
    for st in _stages(spec, layout, microbatches):
        dense, experts = _stage_params(spec, layout, st)
        if method == "full":
            w_d, g_d, o_d = megatron_state_bytes_per_param(d_dense)
            w_e, g_e, o_e = megatron_state_bytes_per_param(d_expert)
            weights, grads, optim = (
                w_d * dense + w_e * experts,
                g_d * dense + g_e * experts,
                o_d * dense + o_e * experts,
            )
        else:
            dense_lora = (st.layers - st.moe_layers) * lora_params_per_layer(spec, lora_rank, False)
            trainable = (
                dense_lora + st.moe_layers * lora_params_per_layer(spec, lora_rank, True)
            ) / layout.tp
            w, g, o = megatron_state_bytes_per_param(d_dense)
            weights, grads, optim = 2 * (dense + experts) + w * trainable, g * trainable, o * trainable
        no_rc, full_rc = _stage_activations(spec, layout, st, seq_len)
        est = _estimate(weights, grads, optim, no_rc, full_rc, gpu_mem_gib)
        if best is None or est.total > best.total:
            best = est
    return best


def _estimate(weights, grads, optim, no_rc, full_rc, gpu_mem_gib) -> MemoryEstimate:
    est = MemoryEstimate(
        weights / GIB, grads / GIB, optim / GIB, no_rc / GIB, full_rc / GIB, CUDA_CONTEXT_GIB, "selective"
    )
    if gpu_mem_gib is not None and est.total > gpu_mem_gib:
        est = MemoryEstimate(**{**asdict(est), "recompute": "full"})
    return est


def estimate_swift_sft(
    spec: ModelSpec, seq_len: int, method: str = "lora", lora_rank: int = 16, adapter_weight_bytes: int = 4
) -> MemoryEstimate:
    """Per-GPU memory of ``swift sft`` (transformers + PEFT, DDP) for LoRA or QLoRA, micro batch 1.

    Gradient checkpointing (ms-swift's default) stores each layer's input (2·h bytes per token) plus one
    layer's working set, so ``recompute`` is "full"; ``act_no_recompute`` is without checkpointing.
    Adapters: PEFT keeps them in fp32 (``adapter_weight_bytes`` 4; the QLoRA paper used bf16, 2), with
    gradients of the same width and two fp32 Adam moments.
    """
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
    logits = LOGIT_BYTES_HF * spec.vocab * seq_len
    no_rc = per_layer * spec.layers * seq_len + logits
    full_rc = (2 * spec.hidden * spec.layers + per_layer) * seq_len + logits
    a = adapter_weight_bytes
    return MemoryEstimate(
        (weights + a * lora) / GIB,
        a * lora / GIB,
        8 * lora / GIB,
        no_rc / GIB,
        full_rc / GIB,
        CUDA_CONTEXT_GIB,
        "full",
    )
