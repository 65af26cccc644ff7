"""Settings of the best-of-n reranking service, and the errors it answers with."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServeSettings:
    """How ``swift-scifi serve`` reaches its backend, what it accepts and how long it waits.

    ``backend_url`` is the backend's OpenAI base URL (``http://host:port/v1``). ``n`` is the number of
    candidates when a request names none; ``max_n`` caps a request's ``n``. ``max_request_bytes`` caps the
    request body. ``timeout_s`` is the whole-request deadline for the backend (and judge) work, retries
    and top-up calls included (seconds; then 504). ``fanout`` asks the backend for one candidate per call
    (for backends without ``n``, e.g. lmdeploy). ``return_all`` returns every candidate ranked (else only
    the best). ``judge`` adds the LLM judge's score (endpoint from ``SCIFI_JUDGE_*``).

    Access: ``bind_host`` is the address served. Without ``api_key``, requests must name a Host that is
    the bound address or a loopback name; ``allowed_hosts``, when given, is always checked (key or not).
    ``cors_origins``: origins allowed to call from a browser (none by default: CORS off).

    Slow clients: ``header_timeout_s`` for a request's headers (from connect, or from its first byte on a
    kept-alive connection), ``body_timeout_s`` for its body, ``keep_alive_s`` idle between requests;
    ``max_connections`` open connections per worker (more get 503).
    """

    backend_url: str
    api_key: str | None = None
    backend_api_key: str | None = None
    backend_model: str | None = None
    n: int = 4
    max_n: int = 16
    max_request_bytes: int = 256 * 1024
    timeout_s: float = 120.0
    fanout: bool = False
    return_all: bool = True
    judge: bool = False
    bind_host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    max_connections: int = 256

    def __post_init__(self) -> None:
        if not self.backend_url.startswith(("http://", "https://")):
            raise ValueError(f"backend_url must start with http:// or https://, got {self.backend_url!r}")
        if not 1 <= self.n <= self.max_n:
            raise ValueError(f"n={self.n} must be between 1 and max_n={self.max_n}")
        if self.max_request_bytes < 1 or self.max_connections < 1:
            raise ValueError("max_request_bytes and max_connections must be positive")
        for name in ("timeout_s", "header_timeout_s", "body_timeout_s", "keep_alive_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        object.__setattr__(self, "allowed_hosts", tuple(h.lower() for h in self.allowed_hosts))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))

    def to_json(self) -> str:
        """The settings as JSON (for worker processes, which read them from the environment)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeSettings:
        data = json.loads(text)
        names = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names})


class ServeError(Exception):
    """An error answered to the client as ``{"error": {...}}`` with an HTTP status."""

    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", close: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.close = close  # answer with `Connection: close` (the request was not read to its end)

    def body(self) -> dict:
        """OpenAI's error shape."""
        return {"error": {"message": self.message, "type": self.kind, "code": self.status}}
