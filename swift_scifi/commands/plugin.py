"""``swift-scifi plugin-path``: where the ms-swift shim lives."""

import typer


def register(app: typer.Typer) -> None:
    @app.command("plugin-path")
    def plugin_path() -> None:
        """Print the absolute path of the shim for `--external_plugins` (ms-swift 4.6 has no --plugin flag)."""
        from swift_scifi import plugin_path as _path

        typer.echo(_path())
