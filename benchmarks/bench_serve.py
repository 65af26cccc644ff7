"""Load on `swift-scifi serve`: throughput with 1 and with 2 worker processes, and the latency it adds.

One run starts an instant mock backend (raw asyncio HTTP, canned reply of N candidates from the shipped
corpus sample) and two real `swift-scifi serve` commands in front of it, `--workers 1` and `--workers 2`.
An aiohttp client then measures, in interleaved rounds so that load from other processes hits both alike:

- p50 latency at concurrency 1, direct to the backend and through each server (added p50 = the difference);
- the servers' CPU time per request (all their processes), which says whether workers cost CPU of their own;
- throughput (requests/s) over a fixed time at concurrency ``--concurrency``, for each server; the two are
  measured back to back in each round (order alternating), and the ratio is the median of the rounds' ratios.

Targets (issue 19): throughput with 2 workers >= 1.7x one worker on a 2-core machine; added p50 at
concurrency 1 <= 5 ms. The client and the backend run on the same cores, so the ratio is a lower bound.

    PYTHONPATH=. python benchmarks/bench_serve.py [--seconds 3] [--rounds 6] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path  # noqa: E402
from tests.serve.conftest import free_port  # noqa: E402

N, CHARS = 4, 400
BODY = {"model": "m", "n": N, "messages": [{"role": "user", "content": "Write the next scene."}]}


def canned_reply() -> bytes:
    """An HTTP/1.1 response with N English passages of CHARS characters from the shipped sample."""
    book = next(b for b in read_corpus(sample_corpus_path()) if b.lang == "en")
    start = len(book.text) // 3
    texts = [book.text[start + i * CHARS : start + (i + 1) * CHARS] for i in range(N)]
    choices = [
        {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
        for i, t in enumerate(texts)
    ]
    body = json.dumps({"id": "b", "object": "chat.completion", "model": "m", "choices": choices}).encode()
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def run_backend(port: int, reply: bytes) -> None:
    """The mock backend's process: answers every request at once with ``reply`` (keep-alive)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_serve(backend_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "swift_scifi.cli", "serve", "--backend-url", backend_url, "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--max-connections", "1024"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


async def wait_ready(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url + "/v1/chat/completions", json=BODY) as reply:
                    if reply.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} not ready")


async def p50_serial(url: str, requests: int) -> float:
    """Median latency in ms of ``requests`` sequential requests (after 5 warm-up ones)."""
    times = []
    async with aiohttp.ClientSession() as session:
        for i in range(requests + 5):
            start = time.perf_counter()
            async with session.post(url + "/v1/chat/completions", json=BODY) as reply:
                await reply.read()
                assert reply.status == 200, reply.status
            if i >= 5:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children (the workers)."""
    import psutil

    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    return sum(t.user + t.system for t in (p.cpu_times() for p in procs))


async def throughput(
    url: str, concurrency: int, seconds: float, pid: int | None = None
) -> tuple[float, float]:
    """(requests per second, server CPU ms per request) with ``concurrency`` clients in a closed loop for
    ``seconds``; the CPU figure counts process ``pid`` and its children (0 without ``pid``)."""
    done = 0
    cpu0 = cpu_seconds(pid) if pid else 0.0
    stop = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            nonlocal done
            while time.monotonic() < stop:
                async with session.post(url + "/v1/chat/completions", json=BODY) as reply:
                    await reply.read()
                    if reply.status == 200:
                        done += 1

        start = time.monotonic()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        rate = done / (time.monotonic() - start)
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / max(done, 1) if pid else 0.0
    return rate, cpu_ms


async def measure(args, backend: str, one: tuple[str, int], two: tuple[str, int]) -> dict[str, list[float]]:
    for url, _ in (one, two):
        await wait_ready(url)
        await throughput(url, args.concurrency, 1.0)  # warm every worker
    keys = ("direct_p50", "w1_p50", "w2_p50", "w1_rps", "w2_rps", "ratio", "w1_cpu_ms", "w2_cpu_ms")
    rows: dict[str, list[float]] = {k: [] for k in keys}
    for i in range(args.rounds):
        rows["direct_p50"].append(await p50_serial(backend, args.serial))
        rows["w1_p50"].append(await p50_serial(one[0], args.serial))
        rows["w2_p50"].append(await p50_serial(two[0], args.serial))
        # the two arms back to back, in alternating order: each round's ratio sees the same outside load
        first, second = ("w1", one), ("w2", two)
        for name, (url, pid) in (first, second) if i % 2 == 0 else (second, first):
            rate, cpu_ms = await throughput(url, args.concurrency, args.seconds, pid)
            rows[f"{name}_rps"].append(rate)
            rows[f"{name}_cpu_ms"].append(cpu_ms)
        rows["ratio"].append(rows["w2_rps"][-1] / rows["w1_rps"][-1])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput measurement")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serial", type=int, default=100, help="requests per p50 measurement")
    args = parser.parse_args()
    port = free_port()
    backend_proc = mp.get_context("fork").Process(
        target=run_backend, args=(port, canned_reply()), daemon=True
    )
    backend_proc.start()
    backend = f"http://127.0.0.1:{port}"
    servers = [start_serve(backend + "/v1", w) for w in (1, 2)]
    try:
        (p1, u1), (p2, u2) = servers
        rows = asyncio.run(measure(args, backend, (u1, p1.pid), (u2, p2.pid)))
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=30)
        backend_proc.terminate()
        backend_proc.join(timeout=10)
    med = {k: statistics.median(v) for k, v in rows.items()}
    ratio = med["ratio"]  # median over rounds of the paired ratio
    added = med["w1_p50"] - med["direct_p50"]
    print(f"{os.cpu_count()} cores; n={N} candidates x {CHARS} chars; concurrency {args.concurrency}, "
          f"{args.rounds} rounds of {args.seconds:g} s (median of rounds, range in brackets)")  # fmt: skip
    for key, value in rows.items():
        print(f"  {key:<11} {med[key]:8.2f}  [{min(value):.2f} - {max(value):.2f}]")
    ok = ratio >= 1.7 and added <= 5.0
    print(f"throughput 2 workers / 1 worker: {ratio:.2f}x, median of paired rounds (target >= 1.7)")
    print(f"added p50 at concurrency 1 (1 worker): {added:.2f} ms (target <= 5); 2 workers: "
          f"{med['w2_p50'] - med['direct_p50']:.2f} ms")  # fmt: skip
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
