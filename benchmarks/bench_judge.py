"""Benchmark the judge scoring path: concurrency 32 against one call at a time, and memory against size.

Runs the real runner (``run_scoring`` → ``ChatClient`` → HTTP) against the scripted judge on 127.0.0.1.

1. Speed: 1,000 criterion scorings at concurrency 32 with 200 ms judge latency. The sequential baseline
   (concurrency 1) is measured on 50 scorings in the same run and extrapolated linearly to 1,000
   (it would take ~200 s in full); the ratio printed is extrapolated baseline / concurrent time.
2. Memory: the same pipeline at 0 ms latency with N and 4N records, each in a fresh process (the judge in
   another process); prints the tracemalloc peak of the scoring phase (tracing starts after the inputs are
   loaded) and the process peak RSS.

Usage: PYTHONPATH=. python benchmarks/bench_judge.py [--records 1000] [--baseline 50] [--mem 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from swift_scifi.eval.journal import Journal
from swift_scifi.eval.records import ResponseIndex, load_queries
from swift_scifi.eval.scoring import run_scoring, score_key
from swift_scifi.judge.client import ChatClient, ClientSettings
from swift_scifi.judge.scripted import ScriptedJudge

CRITERIA = [
    {"name": f"Criterion {k}", "criteria_description": "An aspect.", "1-2": "bad", "9-10": "good"}
    for k in range(5)
]


def make_inputs(folder: Path, records: int) -> tuple[Path, Path]:
    """records / 5 queries with 5 criteria each, and one ~300-word response per query."""
    queries, responses = folder / "q.jsonl", folder / "r.jsonl"
    with open(queries, "w") as q, open(responses, "w") as r:
        for i in range(max(1, records // 5)):
            q.write(
                json.dumps(
                    {
                        "index": i,
                        "domain1": f"D{i % 4}",
                        "domain2": f"S{i % 9}",
                        "query": f"Write story {i} about a colony ship.",
                        "checklist": CRITERIA,
                    }
                )
                + "\n"
            )
            r.write(json.dumps({"index": i, "response": f"Story {i}. " + "The hull groaned. " * 100}) + "\n")
    return queries, responses


def score(base_url: str, folder: Path, records: int, concurrency: int, trace: bool = False) -> dict:
    """Score ``records`` pairs; returns seconds, records written and (with trace) the tracemalloc peak."""
    qpath, rpath = make_inputs(folder, records)
    queries, responses = load_queries(qpath), ResponseIndex(rpath)
    out = folder / f"scores-{concurrency}-{time.monotonic_ns()}.jsonl"
    settings = ClientSettings(base_url=base_url, model="scripted", concurrency=concurrency, timeout_s=30)

    async def go() -> int:
        async with ChatClient(settings) as client:
            with Journal(out, score_key) as journal:
                return await run_scoring(client, queries, responses, journal)

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    written = asyncio.run(go())
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    return {"seconds": seconds, "written": written, "trace_peak_mib": peak / 2**20 if peak else None}


def memory_child(records: int, base_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        res = score(base_url, Path(tmp), records, 32, trace=True)
    res["rss_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=50, help="scorings measured one at a time (extrapolated)")
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--mem", type=int, default=2000, help="memory measured at this many records and 4x")
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--judge-url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        return memory_child(args.memory_child, args.judge_url)

    with ScriptedJudge(latency_s=args.latency) as judge, tempfile.TemporaryDirectory() as tmp:
        fast = score(judge.base_url, Path(tmp), args.records, 32)
        slow = score(judge.base_url, Path(tmp), args.baseline, 1)
    per_call = slow["seconds"] / slow["written"]
    baseline = per_call * fast["written"]
    print(f"judge latency {args.latency * 1000:.0f} ms, {fast['written']} criterion scorings")
    print(f"  concurrency 32 : {fast['seconds']:.2f} s  ({fast['written'] / fast['seconds']:.1f} scorings/s)")
    print(
        f"  one at a time  : {per_call * 1000:.0f} ms/scoring measured on {slow['written']}, "
        f"extrapolated to {fast['written']}: {baseline:.1f} s"
    )
    print(f"  speed-up       : {baseline / fast['seconds']:.1f}x  (target >= 20x)")

    rows = []
    server = subprocess.Popen(
        [sys.executable, "-m", "swift_scifi.judge.scripted"], stdout=subprocess.PIPE, text=True
    )
    try:
        url = server.stdout.readline().strip()
        for n in (args.mem, 4 * args.mem):
            proc = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(n), "--judge-url", url],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append((n, json.loads(proc.stdout.strip().splitlines()[-1])))
    finally:
        server.terminate()
        server.wait()
    print("memory (0 ms latency, concurrency 32, fresh process per size):")
    for n, res in rows:
        print(
            f"  {n:6d} records: scoring-phase tracemalloc peak {res['trace_peak_mib']:.2f} MiB, "
            f"process peak RSS {res['rss_peak_mib']:.0f} MiB, {res['seconds']:.1f} s"
        )
    (n1, a), (n2, b) = rows
    print(
        f"  {n2 // n1}x records -> tracemalloc peak x{b['trace_peak_mib'] / a['trace_peak_mib']:.2f}, "
        f"RSS x{b['rss_peak_mib'] / a['rss_peak_mib']:.2f}"
    )


if __name__ == "__main__":
    main()
