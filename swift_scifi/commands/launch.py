"""``swift-scifi launch PRESET [swift flags...]``: run a preset with the plugin path filled in."""

from __future__ import annotations

import typer


def _help() -> str:
    from collections import defaultdict

    from swift_scifi.presets.launch import PresetError, preset_names, read_launch_header, resolve_preset

    groups: dict[str, list[str]] = defaultdict(list)
    for name in preset_names():
        try:
            groups[" ".join(read_launch_header(resolve_preset(name)))].append(name)
        except PresetError:
            continue
    names = "\n\n".join(f"{cmd}: {', '.join(ns)}" for cmd, ns in sorted(groups.items()))
    return (
        "Print the exact `swift`/`megatron` command for PRESET (extra flags override the YAML, the scifi "
        "plugin's absolute path is added), then run it. Works from any folder and from a pip install.\n\n"
        f"Presets:\n\n{names}"
    )


def register(app: typer.Typer) -> None:
    @app.command(
        "launch",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help=_help(),
        short_help="Run a packaged preset (train, GRPO, export, deploy) with the plugin filled in.",
    )
    def launch(
        ctx: typer.Context,
        preset: str = typer.Argument(
            ..., help="A preset name (listed above, e.g. qwen3-8b-lora, deploy/vllm) or a YAML path."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only print the command."),
    ) -> None:
        import os
        import shlex
        import sys

        from swift_scifi.presets.launch import PresetError, build_command

        try:
            cmd = build_command(preset, list(ctx.args))
        except PresetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(shlex.join(cmd))
        if dry_run:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:  # become the command: one process fewer between a signal and ms-swift
            os.execvp(cmd[0], cmd)
        except OSError as exc:
            typer.echo(
                f"error: cannot run {cmd[0]}: {exc} (is ms-swift installed in this environment?)", err=True
            )
            raise typer.Exit(127) from exc
