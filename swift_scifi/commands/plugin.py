"""``swift-scifi plugin-path``: where the ms-swift shim lives; ``swift-scifi warmup``: compile the reward kernels."""

import typer


def register(app: typer.Typer) -> None:
    @app.command("plugin-path")
    def plugin_path() -> None:
        """Print the absolute path of the shim for `--external_plugins` (ms-swift 4.6 has no --plugin flag)."""
        from swift_scifi import plugin_path as _path

        typer.echo(_path())

    @app.command("warmup")
    def warmup() -> None:
        """Compile the reward scorers' numba kernels now (once per install; e.g. while building an image)."""
        from swift_scifi.rewards.warmup import warmup as _warmup

        typer.echo(f"swift-scifi reward kernels ready ({_warmup():.1f} s)")
