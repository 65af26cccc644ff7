"""``swift-scifi studio``: the editor studio web app; ``swift-scifi studio-editor NAME``: add an account."""

from __future__ import annotations

import os

import typer


def register(app: typer.Typer) -> None:
    @app.command("studio")
    def studio_cmd(
        backend_url: str = typer.Option(
            ..., "--backend-url", help="OpenAI-compatible endpoint: swift deploy, vLLM or swift-scifi serve."
        ),
        db: str = typer.Option(
            None,
            "--db",
            help="Database URL. Default: $SCIFI_STUDIO_DB, else sqlite:///studio.db in this folder.",
        ),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(7860, "--port", help="Port to listen on."),
        token: str = typer.Option(
            None,
            "--token",
            help="Shared token: anyone with it logs in under a name of their choice. "
            "Default: $SCIFI_STUDIO_TOKEN; without one, only editor accounts can log in.",
        ),
        api_key: str = typer.Option(
            None, "--api-key", help="Bearer key for the backend. Default: $OPENAI_API_KEY."
        ),
        model: list[str] = typer.Option(
            None,
            "--model",
            help="Model name at the backend (repeat). Default: every model the backend lists.",
        ),
        warm: bool = typer.Option(True, "--warm/--no-warm", help="Load the reward kernels before serving."),
    ) -> None:
        """Serve the studio: projects, generation, explanations, compare, blind arena, edits, export."""
        from swift_scifi.studio.app import Studio, launch, warm_up
        from swift_scifi.studio.store import Store

        token = token or os.environ.get("SCIFI_STUDIO_TOKEN") or None
        db = db or os.environ.get("SCIFI_STUDIO_DB") or None
        try:
            store = Store(db)
        except Exception as err:  # a bad URL or an unreachable database: say which and stop
            typer.secho(
                f"error: cannot open the database {db or 'sqlite:///studio.db'}: {err}", fg="red", err=True
            )
            raise typer.Exit(2) from err
        if warm:
            warm_up()
        studio = Studio(store, backend_url, api_key=api_key or os.environ.get("OPENAI_API_KEY"), token=token,
                        models=model or ())  # fmt: skip
        how = (
            "the shared token or an editor account"
            if token
            else "an editor account (swift-scifi studio-editor)"
        )
        typer.echo(f"swift-scifi studio on http://{host}:{port} (log in with {how}); backend {backend_url}")
        launch(studio, host, port)

    @app.command("studio-editor")
    def studio_editor_cmd(
        name: str = typer.Argument(..., help="Editor name (the login)."),
        db: str = typer.Option(
            None,
            "--db",
            help="Database URL. Default: $SCIFI_STUDIO_DB, else sqlite:///studio.db in this folder.",
        ),
        password: str = typer.Option(
            ...,
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SCIFI_STUDIO_PASSWORD",
            help="Password (prompted; or $SCIFI_STUDIO_PASSWORD).",
        ),
    ) -> None:
        """Create an editor account for the studio."""
        from swift_scifi.studio.store import Store

        try:
            editor_id = Store(db or os.environ.get("SCIFI_STUDIO_DB") or None).create_editor(name, password)
        except ValueError as err:
            typer.secho(f"error: {err}", fg="red", err=True)
            raise typer.Exit(2) from err
        typer.echo(f"editor {name} created (id {editor_id})")
