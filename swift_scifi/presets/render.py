"""Turn a planned layout into an ms-swift config (dict / YAML) and a ready shell command."""

from __future__ import annotations

import json
import shlex

from swift_scifi import plugin_path

from .planner import PlanRequest, RankedLayout

PLUGIN = plugin_path()  # absolute, so the printed command and YAML work from any directory
SFT_DATASET = "scifi-chapter-gen"


def megatron_config(req: PlanRequest, best: RankedLayout, model: str) -> dict:
    """``megatron sft`` arguments (ms-swift 4.6 names) for ``best``."""
    lay = best.layout
    cfg: dict = {
        "model": model,
        "dataset": [SFT_DATASET],
        "external_plugins": [PLUGIN],
        "tuner_type": req.method,
    }
    if req.method == "lora":
        cfg.update(lora_rank=req.lora_rank, lora_alpha=2 * req.lora_rank, target_modules=["all-linear"])
    cfg.update(
        tensor_model_parallel_size=lay.tp,
        pipeline_model_parallel_size=lay.pp,
        context_parallel_size=lay.cp,
        expert_model_parallel_size=lay.ep,
        sequence_parallel=lay.sequence_parallel,
    )
    if req.spec.is_moe:
        cfg["expert_tensor_parallel_size"] = lay.etp
    if lay.first_stage_layers is not None:
        cfg["decoder_first_pipeline_num_layers"] = lay.first_stage_layers
    if lay.last_stage_layers is not None:
        cfg["decoder_last_pipeline_num_layers"] = lay.last_stage_layers
    cfg.update(
        micro_batch_size=req.micro_batch,
        global_batch_size=req.global_batch,
        max_length=req.seq_len,
        packing=True,
    )
    if best.memory.recompute == "full":
        cfg.update(recompute_granularity="full", recompute_method="uniform", recompute_num_layers=1)
    else:
        cfg.update(recompute_granularity=best.memory.recompute)
    if req.optimizer.moments == "bf16":
        cfg.update(use_precision_aware_optimizer=True, exp_avg_dtype="bf16", exp_avg_sq_dtype="bf16")
    if req.spec.is_moe:
        cfg.update(moe_grouped_gemm=True, moe_permute_fusion=True, moe_aux_loss_coeff=1.0e-3)
    cfg.update(
        use_distributed_optimizer=True,
        cross_entropy_loss_fusion=True,
        attention_backend="flash",
        lr=1.0e-5 if req.method == "full" else 1.0e-4,
        min_lr=1.0e-6 if req.method == "full" else 1.0e-5,
        lr_warmup_fraction=0.05,
        num_train_epochs=1,
        output_dir=f"megatron_output/{req.spec.name}",
        save_steps=200,
        no_save_optim=True,
        no_save_rng=True,
    )
    cfg["ENV"] = _env(req)
    return cfg


def swift_sft_config(req: PlanRequest, model: str) -> dict:
    """``swift sft`` LoRA arguments, with bitsandbytes NF4 for QLoRA (data parallel)."""
    cfg = {
        "model": model,
        "dataset": [SFT_DATASET],
        "external_plugins": [PLUGIN],
        "tuner_type": "lora",
    }
    if req.method == "qlora":
        cfg.update(
            quant_method="bnb",
            quant_bits=4,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype="bfloat16",
        )
    cfg.update(
        {
            "torch_dtype": "bfloat16",
            "lora_rank": req.lora_rank,
            "lora_alpha": 2 * req.lora_rank,
            "target_modules": ["all-linear"],
            "max_length": req.seq_len,
            "per_device_train_batch_size": req.micro_batch,
            "gradient_accumulation_steps": max(1, req.global_batch // (req.cluster.world * req.micro_batch)),
            "gradient_checkpointing": req.recompute in (None, "full"),
            "learning_rate": 1.0e-4,
            "num_train_epochs": 1,
            "output_dir": f"output/{req.spec.name}-{req.method}",
        }
    )
    cfg["ENV"] = _env(req)
    return cfg


def _env(req: PlanRequest) -> dict:
    env: dict = {
        "NPROC_PER_NODE": req.cluster.gpus_per_node,
        "PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True",
    }
    if req.cluster.nodes > 1:
        env["NNODES"] = req.cluster.nodes
    return env


def config_flags(cfg: dict) -> list[str]:
    """The argv ms-swift builds from a YAML config (``swift/cli/main.py: parse_yaml_args``), ENV excluded."""
    argv: list[str] = []
    for key, value in cfg.items():
        if key == "ENV":
            continue
        argv.append(f"--{key}")
        if isinstance(value, list):
            argv.extend(str(v) for v in value)
        elif isinstance(value, dict):
            argv.append(json.dumps(value, ensure_ascii=False))
        else:
            argv.append(str(value))
    return argv


def shell_command(program: list[str], cfg: dict) -> str:
    """A copy-pasteable command: ENV assignments, multi-node placeholders, the program and its flags."""
    env = dict(cfg.get("ENV", {}))
    if int(env.get("NNODES", 1)) > 1:
        env.update(
            NODE_RANK="${NODE_RANK}", MASTER_ADDR="${MASTER_ADDR}", MASTER_PORT="${MASTER_PORT:-29500}"
        )
    prefix = [f"{k}={v}" if "$" in str(v) else f"{k}={shlex.quote(str(v))}" for k, v in env.items()]
    words = [shlex.quote(w) for w in program + config_flags(cfg)]
    return " \\\n    ".join([" ".join(prefix + words[: len(program)])] + _pairs(words[len(program) :]))


def _pairs(words: list[str]) -> list[str]:
    """Group flags with their values, one flag per line."""
    lines: list[str] = []
    for word in words:
        if word.startswith("--") or not lines:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return lines


def to_yaml(cfg: dict, header: str) -> str:
    """YAML text with a ``# launch:`` header line that ``swift-scifi launch`` reads."""
    import yaml

    return f"# launch: {header}\n" + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)
