"""A scripted OpenAI-compatible judge server on 127.0.0.1, for tests, benchmarks and offline dry runs.

It answers ``POST /v1/chat/completions`` deterministically from the prompt: a criterion score is read
from a ``[[score=N]]`` marker in the response text, or else derived from a hash of (response, criterion).
Its scores are a plumbing test, not a judgement: every reason starts with :data:`SCRIPTED_MARK`, and
``swift-scifi eval`` prints :data:`SCRIPTED_BANNER` (and the report shows it) when it sees one.
Faults are scripted: ``script`` is consumed in request order, then ``every`` applies
(``{"500": 7}`` = every 7th request fails with HTTP 500). Behaviours: ``ok``, ``500``, ``503``,
``malformed`` (no JSON), ``near_json`` (repairable), ``bad_score`` (score 42), ``hang`` (sleeps ``hang_s``),
``bad_bytes`` (a byte 0xFF, invalid UTF-8, inside the reply's text).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_MARK_RE = re.compile(r"\[\[score=(\d+(?:\.\d+)?)\]\]")
SCRIPTED_MARK = "[scripted judge: plumbing test, not a judgement]"
SCRIPTED_BANNER = (
    "SCRIPTED JUDGE: these scores come from a hash of the text (or a [[score=N]] marker), not from reading "
    "it. They test the plumbing only; they say nothing about quality. Use a real judge model for scores."
)


def is_scripted_reason(reason: object) -> bool:
    """Whether a judge reason came from the scripted judge."""
    return isinstance(reason, str) and reason.startswith(SCRIPTED_MARK)


def _block(text: str, tag: str) -> str:
    match = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", text, re.DOTALL)
    return match.group(1) if match else ""


def scripted_score(response: str, criterion: str) -> int:
    """The score (1..10) the scripted judge gives ``response`` on ``criterion``."""
    mark = _MARK_RE.search(response)
    if mark:
        return max(1, min(10, round(float(mark.group(1)))))
    digest = hashlib.sha256(f"{response}\x00{criterion}".encode()).digest()
    return 1 + digest[0] % 10


def _quote(response: str) -> str:
    return response.strip().replace("\n", " ")[:60]


def _criterion_name(block: str) -> str:
    return block.split(":", 1)[0].strip()


def _fenced(text: str, heading: str) -> str:
    """The ```...``` body after ``** heading **`` (the WritingBench protocol's layout)."""
    match = re.search(rf"\*\* {heading} \*\*\n```(.*?)```", text, re.DOTALL)
    return match.group(1) if match else ""


def _repr_name(block: str) -> str:
    """The criterion name from a criterion written as a Python dict (``{'name': ...}``)."""
    import ast

    try:
        return str(ast.literal_eval(block).get("name", block))
    except (ValueError, SyntaxError, AttributeError):
        return block


def _answer(prompt: str) -> dict:
    if "** Response **" in prompt:  # the writingbench protocol's critic prompt
        response = _fenced(prompt, "Response")
        name = _repr_name(_fenced(prompt, "Criteria"))
        return {"score": scripted_score(response, name), "reason": f'{SCRIPTED_MARK} "{_quote(response)}"'}
    response = _block(prompt, "response") or _block(prompt, "story")
    if '"winner"' in prompt:
        a, b = _block(prompt, "response_A"), _block(prompt, "response_B")
        sa, sb = scripted_score(a, "pairwise"), scripted_score(b, "pairwise")
        winner = "tie" if sa == sb else ("A" if sa > sb else "B")
        return {
            "winner": winner,
            "margin": min(5, abs(sa - sb)),
            "reason": f'{SCRIPTED_MARK} A: "{_quote(a)}" B: "{_quote(b)}"',
        }
    if '"criteria": [' in prompt:
        words = " ".join(_block(prompt, "query").split()[:6])
        return {
            "criteria": [
                {
                    "name": f"Criterion {k} ({words})",
                    "criteria_description": f"Aspect {k} of the query.",
                    "1-2": "poor",
                    "3-4": "weak",
                    "5-6": "fair",
                    "7-8": "good",
                    "9-10": "excellent",
                }
                for k in range(1, 6)
            ]
        }
    if '"scores"' in prompt:
        blocks = [b for b in _block(prompt, "rubric").split("\n\n") if b.strip()]
        return {
            "scores": [
                {
                    "name": _criterion_name(b),
                    "score": scripted_score(response, _criterion_name(b)),
                    "reason": f'{SCRIPTED_MARK} "{_quote(response)}"',
                }
                for b in blocks
            ]
        }
    criterion = _block(prompt, "criterion") or prompt.split("\n", 1)[0]
    return {
        "score": scripted_score(response, _criterion_name(criterion)),
        "reason": f'{SCRIPTED_MARK} The response says "{_quote(response)}".',
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 resets bursts of concurrent connections

    def handle_error(self, request, client_address) -> None:  # a client that hung up is not an error here
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class ScriptedJudge:
    """``with ScriptedJudge(latency_s=0.2) as judge: judge.base_url`` — a real HTTP server in a thread."""

    def __init__(
        self,
        latency_s: float = 0.0,
        script: list[str] | None = None,
        every: dict[str, int] | None = None,
        hang_s: float = 30.0,
        port: int = 0,
        record_bodies: bool = False,
    ):
        self.latency_s, self.hang_s = latency_s, hang_s
        self.script = list(script or [])
        self.every = dict(every or {})
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self.record_bodies = record_bodies
        self.bodies: list[dict] = []  # with record_bodies: every request body, in order (what was sent)
        self.inflight = self.max_inflight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedJudge:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_behaviour(self) -> str:
        with self._lock:
            self.requests += 1
            n = self.requests
            behaviour = (
                self.script.pop(0)
                if self.script
                else next((b for b, k in self.every.items() if k and n % k == 0), "ok")
            )
            self.counts[behaviour] += 1
            return behaviour

    def reply(self, body: dict) -> tuple[int, str]:
        """(HTTP status, body text) for one request; sleeps for the configured latency."""
        behaviour = self._next_behaviour()
        with self._lock:
            if self.record_bodies:
                self.bodies.append(body)
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            time.sleep(self.hang_s if behaviour == "hang" else self.latency_s)
        finally:
            with self._lock:
                self.inflight -= 1
        if behaviour in ("500", "503"):
            return int(behaviour), json.dumps({"error": {"message": "scripted failure"}})
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        answer = _answer(prompt)
        if behaviour == "bad_score" and "score" in answer:
            answer["score"] = 42
        if behaviour == "bad_bytes":  # a lone surrogate, sent as the raw byte 0xFF (see do_POST)
            answer["reason" if "reason" in answer else "note"] = "caf\udcff " + str(answer.get("reason", ""))
        content = json.dumps(answer, ensure_ascii=False)
        if behaviour == "malformed":
            content = "I think this response is quite good overall, maybe a seven."
        elif behaviour == "near_json":
            content = "Here is my verdict:\n```json\n" + content.replace('"', "'").rstrip("}") + ",}\n```"
        return 200, json.dumps(
            {
                "id": f"chatcmpl-{self.requests}",
                "object": "chat.completion",
                "model": body.get("model", "scripted"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
            },
            ensure_ascii=False,
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        judge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    status, text = judge.reply(body)
                except Exception as exc:  # a server never dies on one request
                    status, text = 400, json.dumps({"error": {"message": str(exc)}})
                data = text.encode(
                    "utf-8", errors="surrogateescape"
                )  # bad_bytes: lone surrogates → raw bytes
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def main(argv: list[str] | None = None) -> None:
    """``python -m swift_scifi.judge.scripted [--port P] [--latency S]``: serve until killed; prints the base URL."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    args = ap.parse_args(argv)
    with ScriptedJudge(latency_s=args.latency, port=args.port) as judge:
        print(judge.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
