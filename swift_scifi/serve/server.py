"""Run the app under uvicorn: the guarded HTTP protocol, keep-alive timeout and ``workers`` processes.

Each worker is a process of its own with the whole app (rewards loaded once per worker); they share one
listening socket, so requests spread over the cores. Workers read the settings from the environment
(``SETTINGS_ENV``), so the API key is never on a command line.
"""

from __future__ import annotations

import math
import os

from .settings import ServeSettings

PROTOCOL = "swift_scifi.serve.protocol:GuardedH11Protocol"


def default_workers() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def uvicorn_config(settings: ServeSettings, port: int, workers: int = 1, log_level: str = "info", app=None):
    """A ``uvicorn.Config`` for ``settings`` (``app`` given: serve it in this process; else the app
    factory, built in each worker from the environment)."""
    import uvicorn

    from .app import SETTINGS_ENV

    if app is None:
        os.environ[SETTINGS_ENV] = settings.to_json()
    config = uvicorn.Config(
        app if app is not None else "swift_scifi.serve.app:app_from_env",
        factory=app is None,
        host=settings.bind_host,
        port=port,
        workers=workers,
        http=PROTOCOL,
        timeout_keep_alive=max(1, math.ceil(settings.keep_alive_s)),
        log_level=log_level,
        **({} if app is not None else {"log_config": _log_config(log_level)}),
    )
    config.scifi_settings = settings  # read by GuardedH11Protocol (pickled along to worker processes)
    return config


def run(settings: ServeSettings, port: int, workers: int, log_level: str = "info") -> None:
    """Serve until stopped (SIGINT/SIGTERM): one process, or ``workers`` processes on one socket."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn_config(settings, port, workers, log_level)
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()


def _log_config(log_level: str) -> dict:
    """uvicorn's logging, plus our ``swift_scifi`` loggers on the same handler and level."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    level = log_level.upper() if log_level.lower() != "trace" else "DEBUG"
    config["loggers"]["swift_scifi"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config
