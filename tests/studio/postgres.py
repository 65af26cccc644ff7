"""A real PostgreSQL server for the studio tests: initdb into a temporary folder, pg_ctl start on a free
127.0.0.1 port, one fresh database per test, stopped and deleted at the end of the session.

PostgreSQL refuses to run as root, so as root (CI containers) the server runs as the unprivileged user
``nobody`` through ``runuser`` (or ``setpriv``). Binaries: ``$SCIFI_PG_BIN``, else ``pg_ctl`` on PATH,
else the newest ``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package, installed by
examples/run_tests.sh). Without them the tests FAIL when ``$CI`` is set and skip with the reason otherwise.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

RUN_AS = "nobody"


def find_pg_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    env = os.environ.get("SCIFI_PG_BIN")
    candidates = [Path(env)] if env else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster; :meth:`new_database` gives a fresh ``postgresql+psycopg://`` URL."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="scifi-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            if shutil.which("runuser"):
                self._prefix = ["runuser", "-u", RUN_AS, "--"]
            else:
                self._prefix = [
                    "setpriv",
                    f"--reuid={user.pw_uid}",
                    f"--regid={user.pw_gid}",
                    "--clear-groups",
                ]

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [*self._prefix, *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n{log}"
            )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c dynamic_shared_memory_type=mmap -c shared_buffers=32MB"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
            "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"studio_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


_SERVER: PostgresServer | None = None


def _stop_at_exit(server: PostgresServer, pid: int) -> None:
    if os.getpid() == pid:  # not in forked test clients
        server.stop()


def acquire_server() -> PostgresServer:
    """The process's server, started on first use. No binaries: ``pytest.fail`` under CI, else skip."""
    global _SERVER
    if _SERVER is None:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            reason = "PostgreSQL binaries not found (apt-get install postgresql; or set SCIFI_PG_BIN)"
            if os.environ.get("CI"):
                pytest.fail(f"CI is set and {reason}: the studio's PostgreSQL tests cannot run")
            pytest.skip(reason)
        server = PostgresServer(bin_dir)
        try:
            server.start()
        except Exception:
            server.stop()
            raise
        atexit.register(_stop_at_exit, server, os.getpid())
        _SERVER = server
    return _SERVER


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The session's PostgreSQL server, one per test process however many modules import this fixture;
    stopped when the process exits (see module doc for when it skips or fails)."""
    return acquire_server()
