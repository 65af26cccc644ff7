"""``swift-scifi plan``: valid Megatron layouts for a model and cluster, with per-GPU memory estimates."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_cmd(
        model_config: Path = typer.Option(
            ..., "--model-config", help="The model's config.json (or its folder)."
        ),
        gpus: int = typer.Option(..., "--gpus", help="GPUs per node (NPROC_PER_NODE)."),
        nodes: int = typer.Option(1, "--nodes", help="Number of nodes (NNODES)."),
        seq_len: int = typer.Option(..., "--seq-len", help="Tokens per sample (max_length, packed)."),
        method: str = typer.Option("full", "--method", help="full | lora | qlora."),
        gpu_mem_gb: float = typer.Option(80.0, "--gpu-mem-gb", help="Memory per GPU in GiB."),
        global_batch: int = typer.Option(16, "--global-batch-size", help="Samples per optimizer step."),
        lora_rank: int = typer.Option(16, "--lora-rank", help="LoRA rank for lora/qlora."),
        model: str = typer.Option(
            None, "--model", help="--model for the printed command (default: config folder)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print every valid layout as JSON."),
    ) -> None:
        """Enumerate valid (TP, PP, CP, EP, DP) layouts, estimate memory, print the best as a command + YAML."""
        from swift_scifi.presets.layouts import Cluster
        from swift_scifi.presets.model_config import ModelConfigError, read_model_config
        from swift_scifi.presets.planner import PlanError, PlanRequest, plan

        try:
            spec = read_model_config(model_config)
            req = PlanRequest(
                spec, Cluster(gpus, nodes), seq_len, method, gpu_mem_gb, global_batch, lora_rank
            )
            ranked = plan(req)
        except (ModelConfigError, PlanError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        model_ref = model or _default_model(model_config)
        if as_json:
            _print_json(req, ranked)
        else:
            _print_human(req, ranked, model_ref)


def _default_model(config: Path) -> str:
    """The model folder when given ``.../config.json`` or a folder; else the file's stem (set --model)."""
    if config.is_dir() or config.name == "config.json":
        return str((config if config.is_dir() else config.parent).resolve())
    return config.stem


def _print_json(req, ranked) -> None:
    import json

    doc = {
        "model": req.spec.name,
        "params_b": round(req.spec.total_params() / 1e9, 3),
        "world_size": req.cluster.world,
        "gpu_mem_gb": req.gpu_mem_gib,
        "seq_len": req.seq_len,
        "method": req.method,
        "layouts": [r.as_dict() for r in ranked],
    }
    typer.echo(json.dumps(doc, indent=2))


def _print_human(req, ranked, model_ref: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from swift_scifi.presets.render import megatron_config, shell_command, swift_sft_config, to_yaml

    console = Console(soft_wrap=True)
    table = Table(title=f"{req.spec.name}: {req.cluster.world} GPUs, seq {req.seq_len}, {req.method}")
    for col in ("rank", "tp", "pp", "cp", "ep", "dp", "recompute", "est GiB", "fits"):
        table.add_column(col, justify="right")
    for i, r in enumerate(ranked[:15], 1):
        lay = r.layout
        table.add_row(
            str(i),
            *(str(v) for v in (lay.tp, lay.pp, lay.cp, lay.ep, lay.dp)),
            r.memory.recompute,
            f"{r.memory.total:.1f}",
            "yes" if r.fits else "no",
        )
    console.print(table)
    if len(ranked) > 15:
        console.print(f"... {len(ranked) - 15} more (use --json for all)")
    best = ranked[0]
    if req.method == "qlora":
        cfg, program = swift_sft_config(req, model_ref), ["swift", "sft"]
    else:
        cfg, program = megatron_config(req, best, model_ref), ["megatron", "sft"]
    mem = best.memory
    console.print(
        f"\nbest: {mem.total:.1f} GiB per GPU (weights {mem.weights:.1f}, grads {mem.grads:.1f}, "
        f"optimizer {mem.optimizer:.1f}, activations {mem.activations:.1f}, recompute {mem.recompute})"
    )
    typer.echo("\n# command\n" + shell_command(program, cfg))
    typer.echo(
        "\n# YAML (save as plan.yaml; run with: swift-scifi launch plan.yaml)\n"
        + to_yaml(cfg, " ".join(program))
    )
