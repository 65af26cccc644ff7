"""``swift-scifi launch PRESET [swift flags...]``: run a preset with the plugin path filled in."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        "launch",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def launch(
        ctx: typer.Context,
        preset: str = typer.Argument(
            ..., help="A preset YAML path, or a name from configs/ (qwen3-8b-lora)."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only print the command."),
    ) -> None:
        """Print the exact `swift`/`megatron` command for PRESET (extra flags override the YAML), then run it."""
        import shlex
        import subprocess

        from swift_scifi.presets.launch import PresetError, build_command

        try:
            cmd = build_command(preset, list(ctx.args))
        except PresetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(shlex.join(cmd))
        if dry_run:
            return
        raise typer.Exit(subprocess.run(cmd).returncode)
