"""``swift-scifi plan``: valid Megatron layouts for a model and cluster, with per-GPU memory estimates."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_cmd(
        model_config: str = typer.Option(
            None,
            "--model-config",
            help="The model's config.json, its folder, or a shipped config name (e.g. Qwen3-8B).",
        ),
        gpus: int = typer.Option(None, "--gpus", help="GPUs per node (NPROC_PER_NODE)."),
        nodes: int = typer.Option(1, "--nodes", help="Number of nodes (NNODES)."),
        seq_len: int = typer.Option(None, "--seq-len", help="Tokens per sample (max_length, packed)."),
        method: str = typer.Option("full", "--method", help="full | lora | qlora."),
        gpu_mem_gb: float = typer.Option(80.0, "--gpu-mem-gb", help="Memory per GPU in GiB."),
        global_batch: int = typer.Option(16, "--global-batch-size", help="Samples per optimizer step."),
        micro_batch: int = typer.Option(1, "--micro-batch", help="Samples per micro batch (packed)."),
        lora_rank: int = typer.Option(16, "--lora-rank", help="LoRA rank for lora/qlora."),
        recompute: str = typer.Option(
            None, "--recompute", help="none | selective | full (default: the least that fits)."
        ),
        safety_margin: float = typer.Option(
            0.10, "--safety-margin", help="Share of each GPU kept free on top of the estimate (0-1)."
        ),
        optimizer_moments: str = typer.Option(
            "fp32", "--optimizer-moments", help="Adam moment precision: fp32 | bf16 (precision-aware)."
        ),
        tp: int = typer.Option(None, "--tp", help="Pin tensor parallel size."),
        pp: int = typer.Option(None, "--pp", help="Pin pipeline parallel size."),
        cp: int = typer.Option(None, "--cp", help="Pin context parallel size."),
        ep: int = typer.Option(None, "--ep", help="Pin expert parallel size (MoE)."),
        etp: int = typer.Option(None, "--etp", help="Pin expert tensor parallel size (MoE; default 1)."),
        first_stage_layers: int = typer.Option(
            None, "--first-stage-layers", help="decoder_first_pipeline_num_layers for a pinned PP."
        ),
        last_stage_layers: int = typer.Option(
            None, "--last-stage-layers", help="decoder_last_pipeline_num_layers for a pinned PP."
        ),
        model: str = typer.Option(
            None, "--model", help="--model for the printed command: a model folder or a hub id."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print every valid layout as JSON."),
        calibration: bool = typer.Option(
            False, "--calibration", help="Print estimate vs published measured peaks, then exit."
        ),
    ) -> None:
        """Enumerate valid (TP, PP, CP, EP, DP) layouts, estimate memory, print the best as a command + YAML."""
        from swift_scifi.presets.layouts import Cluster
        from swift_scifi.presets.memory import Optimizer
        from swift_scifi.presets.model_config import ModelConfigError, read_model_config, resolve_model_config
        from swift_scifi.presets.planner import Pin, PlanError, PlanRequest, plan

        if calibration:
            _print_calibration()
            return
        try:
            missing = [
                n
                for n, v in (("--model-config", model_config), ("--gpus", gpus), ("--seq-len", seq_len))
                if v is None
            ]
            if missing:
                raise PlanError(f"missing {', '.join(missing)} (or use --calibration)")
            if optimizer_moments not in ("fp32", "bf16"):
                raise PlanError(f"--optimizer-moments must be fp32 or bf16, not {optimizer_moments!r}")
            config_path = resolve_model_config(model_config)
            spec = read_model_config(config_path)
            pin = Pin(tp, pp, cp, ep, etp, first_stage_layers, last_stage_layers)
            req = PlanRequest(
                spec,
                Cluster(gpus, nodes),
                seq_len,
                method,
                gpu_mem_gb,
                global_batch,
                lora_rank,
                micro_batch,
                recompute,
                safety_margin,
                Optimizer(moments=optimizer_moments),
                pin,
            )
            ranked = plan(req)
            model_ref = None if as_json else (model or _default_model(config_path))
        except (ModelConfigError, PlanError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if ranked[0].pinned and not ranked[0].fits:
            mem = ranked[0].memory
            typer.echo(
                f"warning: the pinned layout needs {mem.total:.1f} GiB per GPU; with the "
                f"{safety_margin:.0%} safety margin it does not fit in {gpu_mem_gb:g} GiB",
                err=True,
            )
        if as_json:
            _print_json(req, ranked)
        else:
            _print_human(req, ranked, model_ref)


def _default_model(config: Path) -> str:
    """The model folder when given ``.../config.json`` or a folder; else the hub id the config names.
    Raises PlanError when neither exists: a bare name like ``Qwen3-8B`` is no loadable model."""
    from swift_scifi.presets.model_config import hub_id
    from swift_scifi.presets.planner import PlanError

    if config.is_dir() or config.name == "config.json":
        return str((config if config.is_dir() else config.parent).resolve())
    found = hub_id(config)
    if found:
        return found
    raise PlanError(
        f"{config.name} names no model to load: pass --model (a local model folder or a hub id such as "
        "Qwen/Qwen3-8B) for the printed command"
    )


def _print_calibration() -> None:
    from swift_scifi.presets.calibration import MEASUREMENTS, format_table, run_calibration

    typer.echo(f"# planner estimate vs published measured peak memory ({MEASUREMENTS.name})\n")
    typer.echo(format_table(run_calibration()))


def _print_json(req, ranked) -> None:
    import json

    doc = {
        "model": req.spec.name,
        "params_b": round(req.spec.total_params() / 1e9, 3),
        "world_size": req.cluster.world,
        "gpu_mem_gb": req.gpu_mem_gib,
        "safety_margin": req.margin,
        "seq_len": req.seq_len,
        "micro_batch": req.micro_batch,
        "method": req.method,
        "engine": req.engine,
        "layouts": [r.as_dict() for r in ranked],
    }
    typer.echo(json.dumps(doc, indent=2))


def _print_human(req, ranked, model_ref: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from swift_scifi.presets.render import megatron_config, shell_command, swift_sft_config, to_yaml

    console = Console(soft_wrap=True)
    title = (
        f"{req.spec.name}: {req.cluster.world} GPUs, seq {req.seq_len} × mb {req.micro_batch}, {req.method}"
    )
    table = Table(title=f"{title} (fits = estimate + {req.margin:.0%} margin ≤ {req.gpu_mem_gib:g} GiB)")
    for col in ("rank", "tp", "pp", "cp", "ep", "etp", "dp", "recompute", "est GiB", "fits"):
        table.add_column(col, justify="right")
    offset = 1 if ranked[0].pinned else 0
    for i, r in enumerate(ranked[:15], 1 - offset):
        lay = r.layout
        table.add_row(
            "pinned" if r.pinned else str(i),
            *(str(v) for v in (lay.tp, lay.pp, lay.cp, lay.ep, lay.etp, lay.dp)),
            r.memory.recompute,
            f"{r.memory.total:.1f}",
            "yes" if r.fits else "no",
        )
    console.print(table)
    if len(ranked) > 15:
        console.print(f"... {len(ranked) - 15} more (use --json for all)")
    best = ranked[0]
    if req.engine == "swift-sft":
        cfg, program = swift_sft_config(req, model_ref), ["swift", "sft"]
    else:
        cfg, program = megatron_config(req, best, model_ref), ["megatron", "sft"]
    mem = best.memory
    console.print(
        f"\n{'pinned' if best.pinned else 'best'}: {mem.total:.1f} GiB per GPU (weights {mem.weights:.1f}, "
        f"grads {mem.grads:.1f}, optimizer {mem.optimizer:.1f}, activations {mem.activations:.1f}, "
        f"logits {mem.logits:.1f}, MoE buffers {mem.moe_buffers:.1f}, allocator {mem.allocator:.1f}, "
        f"overhead {mem.overhead:.1f}; recompute {mem.recompute})"
    )
    typer.echo("\n# command\n" + shell_command(program, cfg))
    typer.echo(
        "\n# YAML (save as plan.yaml; run with: swift-scifi launch plan.yaml)\n"
        + to_yaml(cfg, " ".join(program))
    )
