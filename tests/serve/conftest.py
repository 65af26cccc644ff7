"""Fixtures for serving tests: free ports, real server subprocesses that are always stopped, exports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, SWIFT_FLAGS_TINY, run_cli, subprocess_env, swift_exe

TINY_TEMPLATE = SWIFT_FLAGS_TINY[
    :4
]  # --model_type qwen3 --template qwen3_nothinking (export/deploy take no --check_model)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server subprocess logging to a file; ``stop()`` terminates it (then kills) and is idempotent."""

    def __init__(self, args: list[str], log: Path, port: int, cwd: Path, env: dict | None = None) -> None:
        self.log = log
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log_file = log.open("w")
        # A session of its own: `swift deploy` runs the server as a child, so stop() signals the whole group.
        self.proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=subprocess_env(**(env or {})),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str = "/health", timeout: float = 180) -> ServerProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.log_text()[-4000:]}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"server not ready after {timeout} s:\n{self.log_text()[-4000:]}")

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after 15 s; safe to call twice."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=15)
                _wait_group_gone(self.proc.pid, 15)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log_file.close()


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise subprocess.TimeoutExpired(f"process group {pgid}", timeout)


def start_server(
    request, args: list[str], log: Path, port: int, cwd: Path, path: str = "/health", env: dict | None = None
) -> ServerProcess:
    """Start a server and register its stop() as a finalizer of ``request`` before waiting for it."""
    server = ServerProcess(args, log, port, cwd, env)
    request.addfinalizer(server.stop)
    return server.wait_ready(path)


def swift_deploy(
    request, workdir: Path, *args: str, preset: str | None = "transformers.yaml"
) -> ServerProcess:
    """``swift-scifi launch deploy/PRESET ARGS`` (or a bare ``swift deploy ARGS``) on 127.0.0.1 at a free
    port; ``launch`` adds the plugin's absolute path, as a user's run would."""
    port = free_port()
    launch = (
        [sys.executable, "-m", "swift_scifi.cli", "launch", f"deploy/{Path(preset).stem}"] if preset else None
    )
    cmd = [
        *(launch or [swift_exe(), "deploy", "--infer_backend", "transformers"]),
        *TINY_TEMPLATE,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max_new_tokens",
        "48",
        "--log_interval",
        "-1",
        *args,
    ]
    return start_server(request, cmd, workdir / f"deploy-{port}.log", port, REPO)


def scifi_serve(
    request, backend_url: str, workdir: Path, *extra: str, env: dict | None = None
) -> ServerProcess:
    """``swift-scifi serve`` in front of ``backend_url`` on 127.0.0.1 at a free port (one worker);
    ``env``: extra environment (e.g. ``SCIFI_SERVE_API_KEY``)."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "swift_scifi.cli",
        "serve",
        "--backend-url",
        backend_url,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--workers",
        "1",
        *extra,
    ]
    return start_server(request, args, workdir / f"serve-{port}.log", port, workdir, env=env)


def swift_export(preset: str, *args: str, model: Path, max_tokens: int = 384) -> subprocess.CompletedProcess:
    """``swift-scifi launch export/PRESET ARGS``; scifi-* windows are budgeted to ``max_tokens`` of the tiny
    model's tokenizer."""
    env = {"SCIFI_MAX_TOKENS": str(max_tokens), "SCIFI_TOKENIZER": str(model)}
    return run_cli(["launch", f"export/{Path(preset).stem}", *args], REPO, **env)


class ThreadServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread (real HTTP, in this process)."""

    def __init__(self, app, settings=None) -> None:
        """``settings`` (a ServeSettings): serve ``app`` as ``swift-scifi serve`` does (guarded protocol,
        timeouts, connection cap); else with uvicorn's defaults (for scripted backends)."""
        import threading

        import uvicorn

        from swift_scifi.serve.server import uvicorn_config

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if settings is not None:
            config = uvicorn_config(settings, self.port, log_level="warning", app=app)
        else:
            config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("in-process server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
