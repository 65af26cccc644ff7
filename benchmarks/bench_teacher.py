"""Benchmark the synth runner: concurrency 64 against one request at a time, and client CPU per request.

Runs the real path (``run_online`` → ``TeacherPool`` → HTTP → journal → parse/verify) for scifi-backtrans
against the scripted teacher with 200 ms latency, served from another process (so its CPU is not counted as
the client's). The sequential baseline (concurrency 1) runs ``--baseline`` jobs and is extrapolated linearly
to ``--jobs``; the ratio is extrapolated baseline time / concurrent time. Jobs use ``--min-score 0`` (one
request each) unless ``--rate`` is given (two requests each: generate + rate). Client CPU is the process's
user + system time during the run, divided by the requests sent.

Usage: PYTHONPATH=. python benchmarks/bench_teacher.py [--jobs 640] [--baseline 24] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from swift_scifi.synth.backtrans import Backtrans
from swift_scifi.synth.passages import load_passages
from swift_scifi.synth.runner import Keep, run_online
from swift_scifi.synth.teacher import TeacherSettings


def _jobs(method: Backtrans, n: int):
    passages = load_passages(units=300)
    jobs = method.jobs(passages)
    while len(jobs) < n:  # the package sample is small: repeat it under new keys
        k = len(jobs)
        jobs += [type(j)(f"{j.key}#{k}", j.lang, j.passage, j.task, j.source) for j in method.jobs(passages)]
    return jobs[:n]


def run(url: str, method: Backtrans, jobs, concurrency: int, folder: Path) -> dict:
    settings = TeacherSettings((url,), "scripted", concurrency=concurrency, timeout_s=30)
    journal = folder / f"c{concurrency}.journal.jsonl"
    journal.unlink(missing_ok=True)
    cpu0, t0 = time.process_time(), time.perf_counter()
    outcomes, report = asyncio.run(run_online(jobs, method, settings, journal, progress=False))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "concurrency": concurrency,
        "jobs": len(jobs),
        "requests": report["attempts"],
        "kept": sum(isinstance(o, Keep) for o in outcomes.values()),
        "wall_s": round(wall, 3),
        "jobs_per_s": round(len(jobs) / wall, 2),
        "client_cpu_ms_per_request": round(1000 * cpu / max(report["attempts"], 1), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=640)
    ap.add_argument("--baseline", type=int, default=24)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--rate", action="store_true", help="also the rating step (2 requests per job)")
    a = ap.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "swift_scifi.synth.scripted_teacher", "--latency", str(a.latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()
        method = Backtrans(min_score=4 if a.rate else 0)
        jobs = _jobs(method, a.jobs)
        with tempfile.TemporaryDirectory() as tmp:
            seq = run(url, method, jobs[: a.baseline], 1, Path(tmp))
            con = run(url, method, jobs, a.concurrency, Path(tmp))
        seq_full = seq["wall_s"] * a.jobs / a.baseline
        out = {
            "latency_s": a.latency,
            "sequential": seq,
            "concurrent": con,
            "sequential_extrapolated_s": round(seq_full, 2),
            "speedup": round(seq_full / con["wall_s"], 1),
            "ideal_speedup": a.concurrency,
        }
        print(json.dumps(out, indent=2))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
