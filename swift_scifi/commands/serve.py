"""``swift-scifi serve``: the best-of-n reranking service in front of an OpenAI-compatible backend."""

from __future__ import annotations

from urllib.parse import urlsplit

import typer


def normalize_backend_url(url: str) -> str:
    """``http://host:port`` → ``http://host:port/v1``; a URL with a path is kept (trailing '/' removed)."""
    url = url.rstrip("/")
    return url if urlsplit(url).path else f"{url}/v1"


def _seconds(value: float, name: str) -> float:
    if not value > 0:
        raise typer.BadParameter(f"{name} must be a positive number of seconds")
    return value


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        backend_url: str = typer.Option(
            ..., help="Backend's OpenAI base URL, e.g. http://127.0.0.1:8000/v1."
        ),
        port: int = typer.Option(8100, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to bind; 0.0.0.0 exposes it (set a key)."),
        api_key: str = typer.Option(
            None,
            envvar=["SCIFI_SERVE_API_KEY", "SWIFT_SCIFI_API_KEY"],
            show_envvar=True,
            help="Require 'Bearer KEY' from clients. Set it in the environment, not here: `ps` shows arguments.",
        ),
        n: int = typer.Option(4, help="Candidates per request when the request names no n."),
        max_n: int = typer.Option(16, help="Largest n a request may ask for (more gets 400)."),
        max_request_bytes: int = typer.Option(256 * 1024, help="Largest request body (more gets 413)."),
        timeout: float = typer.Option(
            120.0, help="Deadline in seconds for a request's backend work, retries included (then 504)."
        ),
        workers: int = typer.Option(
            None, min=1, help="Worker processes sharing the port (default: the number of cores)."
        ),
        allowed_host: list[str] = typer.Option(
            None, help="Host name clients may address (repeatable); always checked when given."
        ),
        cors_origin: list[str] = typer.Option(
            None, help="Browser origin allowed to call the API (repeatable); default: CORS off."
        ),
        header_timeout: float = typer.Option(10.0, help="Seconds for a request's headers (then 408)."),
        body_timeout: float = typer.Option(30.0, help="Seconds for a request's body (then 408)."),
        keep_alive: float = typer.Option(5.0, help="Seconds an idle kept-alive connection stays open."),
        max_connections: int = typer.Option(256, min=1, help="Open connections per worker (more get 503)."),
        backend_api_key: str = typer.Option(
            None, envvar="SWIFT_SCIFI_BACKEND_API_KEY", show_envvar=True, help="Key for the backend."
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
        from swift_scifi.serve.server import default_workers, run
        from swift_scifi.serve.settings import LOOPBACK_HOSTS, ServeSettings

        try:
            settings = ServeSettings(
                backend_url=normalize_backend_url(backend_url),
                api_key=api_key or None,
                backend_api_key=backend_api_key or None,
                backend_model=backend_model,
                n=n,
                max_n=max_n,
                max_request_bytes=max_request_bytes,
                timeout_s=_seconds(timeout, "--timeout"),
                fanout=fanout,
                return_all=not best_only,
                judge=judge,
                bind_host=host,
                allowed_hosts=tuple(allowed_host or ()),
                cors_origins=tuple(cors_origin or ()),
                header_timeout_s=_seconds(header_timeout, "--header-timeout"),
                body_timeout_s=_seconds(body_timeout, "--body-timeout"),
                keep_alive_s=_seconds(keep_alive, "--keep-alive"),
                max_connections=max_connections,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        if not api_key and host not in LOOPBACK_HOSTS:
            typer.echo(
                f"warning: listening on {host} without an API key (SCIFI_SERVE_API_KEY): anyone who reaches "
                "it can use it; only the Host names in --allowed-host (and loopback) are answered",
                err=True,
            )
        run(settings, port, workers or default_workers(), log_level)
