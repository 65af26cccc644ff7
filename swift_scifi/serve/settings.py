"""Settings of the best-of-n reranking service, and the errors it answers with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeSettings:
    """How ``swift-scifi serve`` reaches its backend and what it accepts.

    ``backend_url`` is the backend's OpenAI base URL (``http://host:port/v1``). ``n`` is the number of
    candidates when a request names none; ``max_n`` caps a request's ``n``. ``max_request_bytes`` caps the
    request body. ``timeout_s`` bounds each backend call (seconds). ``fanout`` asks the backend for one
    candidate per call (for backends without ``n``, e.g. lmdeploy). ``return_all`` returns every candidate
    ranked (else only the best). ``judge`` adds the LLM judge's score (endpoint from ``SCIFI_JUDGE_*``).
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

    def __post_init__(self) -> None:
        if not self.backend_url.startswith(("http://", "https://")):
            raise ValueError(f"backend_url must start with http:// or https://, got {self.backend_url!r}")
        if not 1 <= self.n <= self.max_n:
            raise ValueError(f"n={self.n} must be between 1 and max_n={self.max_n}")
        if self.max_request_bytes < 1 or self.timeout_s <= 0:
            raise ValueError("max_request_bytes and timeout_s must be positive")


class ServeError(Exception):
    """An error answered to the client as ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind

    def body(self) -> dict:
        """OpenAI's error shape."""
        return {"error": {"message": self.message, "type": self.kind, "code": self.status}}
