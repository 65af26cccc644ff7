"""The memory estimator against published figures and formulas, each with its source and tolerance."""

from pathlib import Path

import pytest

from swift_scifi.presets.layouts import Layout
from swift_scifi.presets.memory import (
    GIB,
    Optimizer,
    estimate_megatron,
    estimate_swift_sft,
    hf_logits_bytes,
    layer_activation_bytes,
    lora_split_per_layer,
    megatron_logits_bytes,
    megatron_state_bytes_per_param,
    moe_imbalance,
)
from swift_scifi.presets.model_config import ModelSpec, read_model_config, sample_config

CONFIGS = Path(__file__).parent / "model_configs"
# GPT-3 175B (Brown et al. 2020; the model of Korthikanti et al. 2022, Table 3): MHA, 4h GeLU MLP, dropout.
GPT3 = ModelSpec(
    "gpt3-175b",
    layers=96,
    hidden=12288,
    heads=96,
    kv_heads=96,
    head_dim=128,
    ffn=4 * 12288,
    vocab=51200,
    gated_mlp=False,
    dropout=True,
)


@pytest.mark.parametrize("d", [1, 2, 8, 64])
def test_distributed_optimizer_bytes_match_megatron_table(d):
    """Megatron-LM docs, "Distributed Optimizer": bf16 param + fp32 grads = 6 + 12/d bytes per parameter
    (18 for d = 1, the non-distributed figure). Exact."""
    assert sum(megatron_state_bytes_per_param(d)) == pytest.approx(6 + 12 / d, rel=1e-12)


def test_gpt_layer_activations_match_korthikanti_table2():
    """Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models", Table 2:
    s·b·h·(34 + 5·a·s/h) bytes per layer without recompute; 34·s·b·h with selective recompute (the s² term
    gone, which flash attention also achieves, keeping only a 4-byte log-sum-exp per head). Tolerance 0.1%."""
    s, h, a = 2048, GPT3.hidden, GPT3.heads
    assert layer_activation_bytes(GPT3, s, flash=False) == pytest.approx(34 * h + 5 * a * s, rel=1e-3)
    assert layer_activation_bytes(GPT3, s, flash=True) == pytest.approx(34 * h, rel=1e-3)


@pytest.mark.parametrize("ffn", [2 * 4096, 4 * 4096, 11008])
def test_plain_mlp_layer_matches_megatron_theoretical_memory(ffn):
    """Megatron-LM ``megatron/training/theoretical_memory_usage.py``: s·b·h·(18 + 4·ffn/h) per layer
    (sequence parallel, selective recompute). Tolerance 0.2% (flash attention's 4-byte log-sum-exp per head)."""
    spec = ModelSpec(
        "gpt",
        layers=32,
        hidden=4096,
        heads=32,
        kv_heads=32,
        head_dim=128,
        ffn=ffn,
        vocab=50304,
        gated_mlp=False,
        dropout=True,
    )
    assert layer_activation_bytes(spec, 4096) == pytest.approx(4096 * (18 + 4 * ffn / 4096), rel=2e-3)


def test_full_recompute_keeps_two_bytes_per_hidden_per_layer():
    """Korthikanti et al. 2022, §4: full recompute stores only each layer's input, 2·s·b·h/t bytes, plus one
    layer's working set. The loss is its own term now (8 bytes per vocab-parallel logit, Megatron's fused
    cross-entropy: see ``megatron_logits_bytes``). Exact up to float rounding."""
    s, t = 2048, 8
    est = estimate_megatron(GPT3, Layout(tp=t, pp=1, cp=1, ep=1, dp=1), s, "full")
    h = GPT3.hidden
    expected = (GPT3.layers * 2 * h + layer_activation_bytes(GPT3, s)) * s / t
    assert est.act_full_recompute * GIB == pytest.approx(expected, rel=1e-9)
    assert est.logits * GIB == pytest.approx(8 * s * GPT3.vocab / t, rel=1e-9)


def test_model_states_match_megatron_most_loaded_shard_formula():
    """Megatron-LM ``theoretical_memory_usage.py``: (block params/PP + embedding)/TP × (6 + 12/DP) on the first
    stage. Qwen3-32B at TP 4, PP 2, DP 2. Tolerance 1% (their count omits q/k norms)."""
    spec = read_model_config(sample_config("Qwen3-32B"))
    est = estimate_megatron(spec, Layout(tp=4, pp=2, cp=1, ep=1, dp=2), 4096, "full")
    block = spec.total_params() - 2 * spec.embedding_params()
    megatron = (block / 2 + spec.embedding_params()) / 4 * (6 + 12 / 2)
    assert (est.weights + est.grads + est.optimizer) * GIB == pytest.approx(megatron, rel=0.01)


@pytest.mark.parametrize(
    ("name", "billions"), [("Qwen3-8B", 8.2), ("Qwen3-32B", 32.8), ("Qwen3-30B-A3B", 30.5)]
)
def test_parameter_counts_match_qwen3_model_cards(name, billions):
    """Qwen3 model cards ("Number of Parameters: 8.2B / 32.8B / 30.5B in total"). Tolerance 0.5%."""
    assert read_model_config(sample_config(name)).total_params() / 1e9 == pytest.approx(billions, rel=0.005)


def test_megatron_full_qwen25_7b_tp2_matches_ms_swift_example():
    """ms-swift ``examples/megatron/lora/dense.sh``: Qwen2.5-7B-Instruct, full SFT, TP 2 + sequence parallel,
    full recompute, micro batch 16 of short alpaca samples (padding-free, ~6k tokens): "full: 2 * 70GiB".
    Tolerance 15% (the calibration target)."""
    spec = read_model_config(CONFIGS / "Qwen2.5-7B-Instruct.json")
    lay = Layout(tp=2, pp=1, cp=1, ep=1, dp=1)
    est = estimate_megatron(
        spec, lay, 2048, "full", 16, micro_batch=16, recompute="full", tokens_per_micro_batch=6036
    )
    assert est.total == pytest.approx(70, rel=0.15)


def test_swift_sft_lora_qwen25_7b_matches_ms_swift_readme():
    """ms-swift README quick start: Qwen2.5-7B-Instruct LoRA (rank 8, all-linear, bf16, batch 1,
    max_length 2048, gradient checkpointing) on one 3090: "# 22GB". Tolerance 20%."""
    spec = read_model_config(CONFIGS / "Qwen2.5-7B-Instruct.json")
    assert estimate_swift_sft(spec, 2048, "lora", lora_rank=8).total == pytest.approx(22, rel=0.20)


def test_qlora_65b_fits_one_48gb_gpu_as_in_the_qlora_paper():
    """Dettmers et al. 2023, QLoRA abstract: a 65B model finetunes "on a single 48GB GPU" (LLaMA-65B, NF4 +
    double quantisation, LoRA r=64 on all linear layers, bf16 adapters, 512-token samples; paged optimizers
    absorb spikes). The run is an upper bound of 48 GB: the estimate must lie above the 4-bit weights alone
    and at most 15% above 48 GB (the calibration target's overestimate bound; it is 49.8 GB, +4%, mostly the
    allocator reserve that paging avoids)."""
    spec = read_model_config(CONFIGS / "llama-65b.json")
    est = estimate_swift_sft(spec, 512, "qlora", lora_rank=64, adapter_weight_bytes=2)
    floor = spec.total_params() * 4.127 / 8 / GIB
    assert floor < est.total < 1.15 * 48e9 / GIB


def test_moe_qwen3_30b_a3b_matches_the_ms_swift_example():
    """ms-swift ``examples/megatron/moe/qwen3_moe.sh``: Qwen3-30B-A3B full SFT, 16 GPUs, PP 2 × EP 8, full
    recompute, packing, max_length 8192: "Megatron-LM: 16 * 60GiB". Was 39.4 GiB (34% low) before the MoE
    dispatcher buffers, routing imbalance, 8-byte logits and allocator reserve were modelled; now within the
    calibration target (−10% .. +15%)."""
    spec = read_model_config(sample_config("Qwen3-30B-A3B"))
    est = estimate_megatron(spec, Layout(tp=1, pp=2, cp=1, ep=8, dp=8), 8192, "full", 16, recompute="full")
    assert 60 * 0.90 <= est.total <= 60 * 1.15
    assert est.moe_buffers > 0


def test_single_gpu_24gb_budget_for_qwen3_8b():
    """The shipped 24 GB presets: Qwen3-8B QLoRA at 4096 tokens fits a 24 GiB card with the 10% margin.
    LoRA at 2048 tokens needs ~24 GiB once the 16-byte transformers logits and the allocator reserve are
    counted (the calibrated Qwen2.5-7B quick start measures 22 GB at ~1.5k tokens): at the limit, not
    below it, so the ``qwen3-8b-lora`` preset's 2048 tokens leave no headroom (reported in docs)."""
    spec = read_model_config(sample_config("Qwen3-8B"))
    assert estimate_swift_sft(spec, 4096, "qlora", 16).total < 24 * 0.9
    assert 22 < estimate_swift_sft(spec, 2048, "lora", 16).total < 26
    assert estimate_swift_sft(spec, 1024, "lora", 16).total < 24 * 0.9
    assert estimate_swift_sft(spec, 4096, "lora", 16).total > 24


def test_recompute_falls_back_to_full_only_when_needed():
    spec = read_model_config(sample_config("Qwen3-32B"))
    lay = Layout(tp=8, pp=1, cp=1, ep=1, dp=1)
    roomy = estimate_megatron(spec, lay, 2048, "full", gpu_mem_gib=200)
    tight = estimate_megatron(spec, lay, 8192, "full", gpu_mem_gib=80)
    assert roomy.recompute == "selective" and tight.recompute == "full"
    assert tight.act_full_recompute < tight.act_no_recompute


def test_recompute_choice_keeps_the_safety_margin():
    """Issue 18: a 7B 32k-token run that ms-swift ran with full recompute (50 GiB measured) must not be
    recommended with selective recompute when selective only fits without headroom."""
    spec = read_model_config(sample_config("Qwen2.5-7B"))
    lay = Layout(tp=4, pp=1, cp=1, ep=1, dp=1)
    sel = estimate_megatron(spec, lay, 32768, "full", 8, recompute="selective")
    no_margin = estimate_megatron(spec, lay, 32768, "full", 8, gpu_mem_gib=sel.total + 1)
    with_margin = estimate_megatron(spec, lay, 32768, "full", 8, gpu_mem_gib=sel.total + 1, margin_gib=8)
    assert no_margin.recompute == "selective" and with_margin.recompute == "full"


def test_micro_batch_scales_activations_and_logits():
    spec = read_model_config(sample_config("Qwen3-8B"))
    lay = Layout(tp=2, pp=1, cp=1, ep=1, dp=1)
    one = estimate_megatron(spec, lay, 4096, "full", 16, recompute="full")
    four = estimate_megatron(spec, lay, 4096, "full", 16, micro_batch=4, recompute="full")
    assert four.logits == pytest.approx(4 * one.logits)
    assert four.activations == pytest.approx(4 * one.activations)
    assert four.weights == one.weights


def test_bf16_moments_and_offload_shrink_the_optimizer():
    """Precision-aware optimizer: fp32 master 4 + bf16 moments 2 + 2 = 8/d bytes instead of 12/d; CPU
    offload (fraction 1) leaves no optimizer state on the GPU."""
    assert Optimizer(moments="bf16").bytes_per_param(2) == (2.0, 4.0, 4.0)
    assert Optimizer().bytes_per_param(2) == (2.0, 4.0, 6.0)
    assert Optimizer(offload=True).bytes_per_param(1)[2] == 0.0
    assert Optimizer(grads="bf16").bytes_per_param(1)[1] == 2.0


def test_lora_on_experts_is_divided_by_ep():
    """LoRA adapters on routed experts live with their experts: EP 8 holds 1/8 of the expert adapters."""
    spec = read_model_config(sample_config("Qwen3-30B-A3B"))
    ep1 = estimate_megatron(spec, Layout(1, 1, 1, 1, 8), 2048, "lora", 16, 8, recompute="full")
    ep8 = estimate_megatron(spec, Layout(1, 1, 1, 8, 8), 2048, "lora", 16, 8, recompute="full")
    non_exp, exp = lora_split_per_layer(spec, 8, True)
    expected_grads = 4 * spec.moe_layers * (non_exp + exp / 8) / GIB
    assert ep8.grads == pytest.approx(expected_grads, rel=1e-9)
    assert ep1.grads > 7 * ep8.grads / 2


def test_capacity_factor_caps_the_moe_imbalance():
    assert moe_imbalance(1) == 1.0
    assert moe_imbalance(8) > moe_imbalance(2) > 1.0
    assert moe_imbalance(8, capacity_factor=1.25) == 1.25


def test_logits_per_engine():
    """Megatron fused cross-entropy: 8 bytes per vocab-parallel logit; transformers: 16 bytes per logit
    (bf16 logits, fp32 upcast, fp32 log-softmax, fp32 and bf16 gradients)."""
    spec = read_model_config(sample_config("Qwen3-8B"))
    assert megatron_logits_bytes(spec, 1000, 2) == 8 * 1000 * spec.vocab / 2
    assert hf_logits_bytes(spec, 1000) == 16 * 1000 * spec.vocab


def test_issue_7b_32k_case_is_recommended_full_recompute():
    """Issue 18: Qwen2.5-7B at 32k tokens on 4 × 80 GiB, TP 4 — ms-swift ran it with full recompute and
    measured 50 GiB; the planner used to recommend selective at 71.6 GiB. With the 10% margin it now picks
    full, within 10% of the measured figure."""
    spec = read_model_config(sample_config("Qwen2.5-7B"))
    est = estimate_megatron(spec, Layout(4, 1, 1, 1, 1), 32768, "full", 8, gpu_mem_gib=80, margin_gib=8)
    assert est.recompute == "full" and est.total == pytest.approx(50, rel=0.10)
