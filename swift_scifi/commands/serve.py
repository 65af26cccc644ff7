"""``swift-scifi serve``: the best-of-n reranking service in front of an OpenAI-compatible backend."""

from __future__ import annotations

from urllib.parse import urlsplit

import typer


def normalize_backend_url(url: str) -> str:
    """``http://host:port`` → ``http://host:port/v1``; a URL with a path is kept (trailing '/' removed)."""
    url = url.rstrip("/")
    return url if urlsplit(url).path else f"{url}/v1"


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        backend_url: str = typer.Option(
            ..., help="Backend's OpenAI base URL, e.g. http://127.0.0.1:8000/v1."
        ),
        port: int = typer.Option(8100, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to bind; 0.0.0.0 exposes it (set --api-key)."),
        api_key: str = typer.Option(
            None, envvar="SWIFT_SCIFI_API_KEY", help="Require 'Bearer KEY' from clients."
        ),
        n: int = typer.Option(4, help="Candidates per request when the request names no n."),
        max_n: int = typer.Option(16, help="Largest n a request may ask for (more gets 400)."),
        max_request_bytes: int = typer.Option(256 * 1024, help="Largest request body (more gets 413)."),
        timeout: float = typer.Option(120.0, help="Seconds to wait for each backend call (then 504)."),
        backend_api_key: str = typer.Option(
            None, envvar="SWIFT_SCIFI_BACKEND_API_KEY", help="Key for the backend."
        ),
        backend_model: str = typer.Option(
            None, help="Model name to send the backend (default: the client's)."
        ),
        fanout: bool = typer.Option(False, help="One backend call per candidate (backends without n>1)."),
        best_only: bool = typer.Option(False, help="Return only the best candidate (default: all, ranked)."),
        judge: bool = typer.Option(
            False, help="Also score with the LLM judge (SCIFI_JUDGE_BASE_URL/MODEL/API_KEY)."
        ),
        log_level: str = typer.Option("info", help="uvicorn log level."),
    ) -> None:
        """Serve /v1/chat/completions: n candidates from the backend, ranked by the scifi rewards."""
        import uvicorn

        from swift_scifi.serve.app import create_app
        from swift_scifi.serve.settings import ServeSettings

        try:
            settings = ServeSettings(
                backend_url=normalize_backend_url(backend_url),
                api_key=api_key or None,
                backend_api_key=backend_api_key or None,
                backend_model=backend_model,
                n=n,
                max_n=max_n,
                max_request_bytes=max_request_bytes,
                timeout_s=timeout,
                fanout=fanout,
                return_all=not best_only,
                judge=judge,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        if not api_key and host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(
                f"warning: listening on {host} without --api-key: anyone who reaches it can use it", err=True
            )
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
