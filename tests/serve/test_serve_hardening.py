"""`swift-scifi serve` against hostile and unlucky traffic, over real sockets on 127.0.0.1: hostile JSON,
non-finite numbers, slow and idle clients, requests from web pages without a key, clients that hang up,
and a flapping backend (connection resets, 503s) behind a whole-request deadline."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time

import httpx
import pytest

from swift_scifi.serve.app import create_app
from swift_scifi.serve.settings import ServeSettings

from .conftest import ThreadServer, scifi_serve
from .test_serve_app import BAD, GOOD, KEY, _choice, scripted_backend

CHAT = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Tell it."}]


@pytest.fixture(scope="module")
def backend():
    server = ThreadServer(scripted_backend([]))
    yield server
    server.stop()


def _serve(backend_url: str, **kw) -> ThreadServer:
    settings = ServeSettings(backend_url=backend_url + "/v1", n=2, max_n=4, timeout_s=5.0, **kw)
    return ThreadServer(create_app(settings), settings)


@pytest.fixture(scope="module")
def open_serve(backend):
    """No API key, the defaults of `swift-scifi serve` on 127.0.0.1, but short client timeouts."""
    server = _serve(
        backend.url, header_timeout_s=1.0, body_timeout_s=1.0, keep_alive_s=1.0, max_connections=6
    )
    yield server
    server.stop()


def _post_raw(url: str, data: bytes, **headers: str) -> httpx.Response:
    headers = {"Content-Type": "application/json", **headers}
    return httpx.post(url + CHAT, content=data, headers=headers, timeout=30)


def _post(url: str, **body) -> httpx.Response:
    return _post_raw(url, json.dumps({"model": "ok", "messages": MESSAGES, **body}).encode())


# --- hostile JSON and numbers: 400, never 500 --------------------------------------------------------


def test_deeply_nested_json_is_400_not_500(open_serve):
    deep = b'{"model": "ok", "messages": ' + b"[" * 60_000 + b"]" * 60_000 + b"}"
    reply = _post_raw(open_serve.url, deep)
    assert reply.status_code == 400 and "nests too deeply" in reply.json()["error"]["message"]
    parses_but_deep = {"model": "ok", "messages": MESSAGES, "x": json.loads("[" * 200 + "]" * 200)}
    assert _post_raw(open_serve.url, json.dumps(parses_but_deep).encode()).status_code == 400
    assert _post(open_serve.url).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "scifi": {"weights": {"slop": 1e999}}}',
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "scifi": {"weights": {"slop": Infinity}}}',
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "temperature": NaN}',
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "scifi": {"weights": {"slop": 1'
        + b"0" * 400
        + b"}}}",
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "scifi": {"target_length": 1'
        + b"0" * 30
        + b"}}",
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "n": 1' + b"0" * 5000 + b"}",
        b'{"model": "ok", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
        b'{"model": "ok", "messages": [{"role": "user", "content": "\xff"}]}',
    ],
    ids=[
        "weight-overflow",
        "weight-inf",
        "nan",
        "weight-huge-int",
        "target-huge",
        "n-5000-digits",
        "stream-str",
        "bad-utf8",
    ],
)
def test_non_finite_or_out_of_range_numbers_are_400(open_serve, raw):
    reply = _post_raw(open_serve.url, raw)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["type"] == "invalid_request_error"


def test_odd_message_parts_are_served(open_serve):
    parts = [{"role": "user", "content": [{"type": "text", "text": 5}, {"type": "text", "text": "Tell it."}]}]
    assert _post(open_serve.url, messages=parts).status_code == 200


# --- slow and idle clients, over raw sockets ------------------------------------------------------------


def _connect(server: ThreadServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_until_closed(
    sock: socket.socket, trickle: bytes = b"", every_s: float = 0.2
) -> tuple[bytes, float]:
    """Send ``trickle`` one byte per ``every_s`` until the server closes; (what it sent back, seconds)."""
    start, got = time.monotonic(), b""
    sock.settimeout(every_s)
    sent = 0
    while time.monotonic() - start < 10:
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent : sent + 1])
            except OSError:
                break
            sent += 1
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    sock.close()
    return got, time.monotonic() - start


def test_client_sending_nothing_is_cut_off(open_serve):
    got, seconds = _read_until_closed(_connect(open_serve))
    assert got.startswith(b"HTTP/1.1 408") and 0.9 < seconds < 2.5


def test_trickled_headers_are_cut_off(open_serve):
    headers = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    got, seconds = _read_until_closed(_connect(open_serve), headers, every_s=0.1)
    assert got.startswith(b"HTTP/1.1 408") and seconds < 2.5


def test_trickled_body_is_cut_off_with_408(open_serve):
    head = (
        f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 2000\r\n\r\n"
    ).encode()
    sock = _connect(open_serve)
    sock.sendall(head)
    got, seconds = _read_until_closed(sock, b'{"model": "ok"' + b" " * 100, every_s=0.1)
    assert got.startswith(b"HTTP/1.1 408") and b"request body not received" in got and seconds < 2.5


def test_idle_and_trickling_keep_alive_connections_are_closed(open_serve):
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    sock = _connect(open_serve)
    sock.sendall(request)
    got, seconds = _read_until_closed(sock)  # idle after one answer: keep-alive timeout
    assert got.startswith(b"HTTP/1.1 200") and seconds < 2.5
    sock = _connect(open_serve)
    sock.sendall(request)
    time.sleep(0.3)
    got, seconds = _read_until_closed(sock, request, every_s=0.15)  # the next request, trickled
    assert got.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in got and seconds < 2.5


def test_connections_past_the_cap_get_503(open_serve):
    held = [_connect(open_serve) for _ in range(6)]
    try:
        time.sleep(0.1)
        got, _ = _read_until_closed(_connect(open_serve))
        assert got.startswith(b"HTTP/1.1 503") and b"too many connections" in got
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(open_serve.url + "/health").status_code == 200


# --- safe without a key -------------------------------------------------------------------------------------


def test_without_a_key_web_pages_and_rebinding_are_refused(open_serve):
    body = json.dumps({"model": "ok", "messages": MESSAGES}).encode()
    assert _post_raw(open_serve.url, body, **{"Content-Type": "text/plain"}).status_code == 415
    no_type = httpx.post(open_serve.url + CHAT, content=body, timeout=30)
    assert no_type.status_code == 415
    foreign = {"Host": "attacker.example:8100"}
    for path in ("/v1/models", "/docs", "/openapi.json"):
        assert httpx.get(open_serve.url + path, headers=foreign).status_code == 400
    assert _post_raw(open_serve.url, body, **foreign).status_code == 400
    assert _post_raw(open_serve.url, body, Origin="http://attacker.example").status_code == 403
    preflight = httpx.options(
        open_serve.url + CHAT,
        headers={"Origin": "http://attacker.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert httpx.get(open_serve.url + "/health", headers=foreign).status_code == 200
    assert _post_raw(open_serve.url, body, Host="localhost").status_code == 200
    assert httpx.get(open_serve.url + "/openapi.json").json()["paths"]


def test_key_docs_bearer_case_allowed_hosts_and_cors(backend):
    server = _serve(
        backend.url, api_key=KEY, allowed_hosts=("scifi.internal",), cors_origins=("https://app.example",)
    )
    try:
        inside = {"Host": "scifi.internal"}
        for path in ("/docs", "/openapi.json"):
            assert httpx.get(server.url + path, headers=inside).status_code == 401
            ok = httpx.get(server.url + path, headers={**inside, "Authorization": f"bearer {KEY}"})
            assert ok.status_code == 200
        lower = httpx.get(server.url + "/v1/models", headers={**inside, "Authorization": f"BEARER  {KEY}"})
        assert lower.status_code == 200
        wrong_host = httpx.get(server.url + "/v1/models", headers={"Authorization": f"Bearer {KEY}"})
        assert wrong_host.status_code == 400  # a configured list is checked even with a key
        preflight = httpx.options(
            server.url + CHAT,
            headers={**inside, "Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers.get("access-control-allow-origin") == "https://app.example"
    finally:
        server.stop()


# --- a flapping backend -----------------------------------------------------------------------------------


class FlappingBackend:
    """A raw HTTP/1.1 backend on 127.0.0.1 whose replies follow ``script`` in request order, then 'ok':
    'reset' (TCP RST, nothing sent), '503' (an error body with internal detail), 'slow' (0.6 s, then one
    choice), 'nan' (a bare NaN in a choice), 'ok' (``n`` choices). Each reply closes its connection."""

    SECRET = "Traceback: /srv/models/secret-weights.bin"

    def __init__(self) -> None:
        self.script: list[str] = []
        self.times: list[float] = []
        backend = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                headers = b""
                while not headers.endswith(b"\r\n\r\n"):
                    line = self.rfile.readline()
                    if not line:
                        return
                    headers += line
                length = next(
                    int(h.split(b":")[1])
                    for h in headers.split(b"\r\n")
                    if h.lower().startswith(b"content-length")
                )
                body = json.loads(self.rfile.read(length))
                backend.times.append(time.monotonic())
                what = backend.script.pop(0) if backend.script else "ok"
                if what == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    return
                status, reply = 200, None
                if what == "503":
                    status, reply = 503, {"error": {"message": backend.SECRET}}
                elif what == "slow":
                    time.sleep(0.6)
                    reply = {"id": "s", "model": "m", "choices": [_choice(0, GOOD)]}
                else:
                    texts = [BAD, GOOD, BAD, BAD][: body.get("n", 1)]
                    reply = {"id": "f", "model": "m", "choices": [_choice(i, t) for i, t in enumerate(texts)]}
                if what == "nan":  # Python's json writes a bare NaN; strict clients would choke on it
                    reply["choices"][0]["logprobs"] = float("nan")
                data = json.dumps(reply).encode()
                reason = b"OK" if status == 200 else b"Service Unavailable"
                self.wfile.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                    b"Connection: close\r\n\r\n" % (status, reason, len(data)) + data
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def flapping():
    backend = FlappingBackend()
    settings = ServeSettings(backend_url=backend.url + "/v1", n=2, max_n=4, timeout_s=1.0)
    server = ThreadServer(create_app(settings), settings)
    yield backend, server
    server.stop()
    backend.stop()


def test_transient_backend_failures_are_retried_once_with_jitter(flapping):
    backend, server = flapping
    for failure in ["reset", "503"] * 5:
        backend.script, backend.times = [failure], []
        reply = _post(server.url)
        assert reply.status_code == 200, (failure, reply.text)
        assert reply.json()["choices"][0]["message"]["content"] == GOOD
        assert len(backend.times) == 2 and 0.05 <= backend.times[1] - backend.times[0] < 1.0


def test_backend_failing_twice_gets_a_short_502_without_its_body(flapping):
    backend, server = flapping
    backend.script = ["503", "503"]
    reply = _post(server.url)
    assert reply.status_code == 502
    message = reply.json()["error"]["message"]
    assert message == "backend failed with HTTP 503" and "secret" not in reply.text
    backend.script = ["reset", "reset"]
    assert _post(server.url).status_code == 502


def test_timeout_is_one_deadline_for_the_whole_request(flapping):
    backend, server = flapping
    backend.script = ["slow", "slow", "slow"]  # 0.6 s for one choice, then two 0.6 s top-ups: 1.2 s > 1.0 s
    start = time.monotonic()
    reply = _post(server.url)
    seconds = time.monotonic() - start
    assert reply.status_code == 504 and seconds < 1.5, (reply.status_code, seconds)
    backend.script = []


# --- the real command: disconnect logging, flags -------------------------------------------------------------


def test_client_hanging_up_mid_body_is_one_info_line(request, tmp_path, backend):
    server = scifi_serve(
        request, backend.url + "/v1", tmp_path, "--log-level", "info", "--header-timeout", "2"
    )
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            'Content-Length: 5000\r\n\r\n{"model":'.encode()
        )
        time.sleep(0.2)
        sock.close()
    time.sleep(0.5)
    assert httpx.get(server.url + "/health").status_code == 200
    log = server.log_text()
    assert log.count("disconnected before sending its whole request body") == 3, log[-3000:]
    assert "Traceback" not in log and "ERROR" not in log


def test_backend_reply_with_nan_still_gets_a_valid_json_reply(flapping):
    backend, server = flapping
    backend.script = ["nan"]
    reply = _post(server.url)
    assert reply.status_code == 200
    assert json.loads(reply.text, parse_constant=lambda name: pytest.fail(f"bare {name} in reply"))
