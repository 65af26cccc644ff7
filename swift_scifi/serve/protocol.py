"""uvicorn's h11 HTTP protocol with the limits a public server needs against slow and idle clients.

- headers: a request's headers must arrive within ``header_timeout_s`` of the connection opening (or of the
  first byte of the next request on a kept-alive connection), else ``408`` and the connection is closed;
  this covers clients that connect and send nothing, and clients that trickle headers;
- body: the whole body must arrive within ``body_timeout_s`` (the app answers ``408`` first, at its own
  deadline of the same length; this is the backstop for routes that never read the body);
- idle: uvicorn closes a kept-alive connection after ``keep_alive_s`` without a new request;
- count: past ``max_connections`` open connections a new one gets ``503`` and is closed.

The limits come from ``config.scifi_settings`` (a :class:`~swift_scifi.serve.settings.ServeSettings`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import ServeSettings

logger = logging.getLogger("swift_scifi.serve")
BODY_BACKSTOP_S = 1.0  # the app's own 408 comes first


def _raw_error(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": {"message": message, "type": "server_error", "code": status}}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


def _no_delay(transport) -> None:
    """TCP_NODELAY on the connection. asyncio sets it only on sockets whose ``proto`` is TCP, and a worker's
    listening socket (handed over by uvicorn's supervisor) has proto 0: without this, Nagle's algorithm and
    the client's delayed ACK add ~40 ms to every reply written in two parts."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` plus header/body deadlines and a connection cap (see the module doc)."""

    def __init__(self, config, *args, **kwargs) -> None:
        super().__init__(config, *args, **kwargs)
        self.scifi: ServeSettings = config.scifi_settings
        self._timer: asyncio.TimerHandle | None = None
        self._phase: str | None = None  # "headers" | "body" while a timer runs

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        _no_delay(transport)
        if len(self.connections) > self.scifi.max_connections:
            logger.warning("connection refused: %d connections open", len(self.connections) - 1)
            self._refuse(503, "Service Unavailable", "too many connections; retry later")
            return
        self._arm("headers")

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE and self._phase is None:
            self._arm("headers")  # the first bytes of the next request on a kept-alive connection
        elif state is h11.SEND_BODY and self._phase != "body":
            self._arm("body")
        elif state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # idle now: uvicorn's keep-alive timer takes over

    def _arm(self, phase: str) -> None:
        self._disarm()
        delay = (
            self.scifi.header_timeout_s if phase == "headers" else self.scifi.body_timeout_s + BODY_BACKSTOP_S
        )
        self._phase = phase
        self._timer = self.loop.call_later(delay, self._expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._phase = None, None

    def _expired(self) -> None:
        phase = self._phase
        self._timer, self._phase = None, None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        logger.info("%s: request %s not received in time; connection closed", client, phase)
        if phase == "headers":
            self._refuse(408, "Request Timeout", "request headers not received in time")
        else:
            self.transport.close()  # the app sees a disconnect (its own 408 normally came first)

    def _refuse(self, status: int, reason: str, message: str) -> None:
        self._disarm()
        self.transport.write(_raw_error(status, reason, message))
        self.transport.close()
