"""Reranking overhead of `swift-scifi serve`: 8 candidates of 2,000 characters per request.

Two apps run the same code over real HTTP against one instant scripted backend, each server in a process
of its own: the reranker with the real scifi rewards, and a pass-through baseline whose scorer returns nothing. The difference of their median
latencies is the reranking overhead (budget: 20 ms per request). Also prints the scoring alone.

    PYTHONPATH=. python benchmarks/bench_rerank.py [--requests 150]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path  # noqa: E402
from swift_scifi.serve.app import create_app  # noqa: E402
from swift_scifi.serve.ranking import default_scorer, rank_texts  # noqa: E402
from swift_scifi.serve.settings import ServeSettings  # noqa: E402
from tests.serve.conftest import free_port  # noqa: E402

N, CHARS, BUDGET_MS = 8, 2000, 20.0


def candidates(lang: str) -> list[str]:
    book = next(b for b in read_corpus(sample_corpus_path()) if b.lang == lang)
    start = len(book.text) // 4
    return [book.text[start + i * CHARS : start + (i + 1) * CHARS] for i in range(N)]


def backend_app(texts: dict[str, list[str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(body: dict):
        choices = [
            {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
            for i, t in enumerate(texts[body["model"]][: body.get("n", 1)])
        ]
        return {
            "id": "b",
            "object": "chat.completion",
            "model": body["model"],
            "choices": choices,
            "usage": {},
        }

    return app


def _no_scores(text: str, **columns) -> dict:
    return {}


def _serve(app_kind: str, port: int, backend_url: str, texts: dict[str, list[str]]) -> None:
    """Body of a server process: the scripted backend, the reranker or the pass-through baseline."""
    import uvicorn

    if app_kind == "backend":
        app = backend_app(texts)
    else:
        settings = ServeSettings(backend_url=backend_url, n=N, max_n=N)
        app = create_app(settings, scorer=_no_scores if app_kind == "baseline" else None)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def start(app_kind: str, backend_url: str, texts: dict[str, list[str]]) -> tuple[mp.Process, str]:
    port = free_port()
    proc = mp.get_context("fork").Process(
        target=_serve, args=(app_kind, port, backend_url, texts), daemon=True
    )
    proc.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.post(url + "/v1/chat/completions", json={}, timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{app_kind} server did not start")


def latencies(url: str, lang: str, requests: int) -> list[float]:
    body = {"model": lang, "n": N, "messages": [{"role": "user", "content": "Write the next chapter."}]}
    out = []
    with httpx.Client(timeout=30) as client:
        for i in range(requests + 5):
            start = time.perf_counter()
            reply = client.post(url + "/v1/chat/completions", json=body)
            elapsed = (time.perf_counter() - start) * 1000
            reply.raise_for_status()
            if i >= 5:  # warm-up
                out.append(elapsed)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150)
    args = parser.parse_args()
    texts = {lang: candidates(lang) for lang in ("en", "zh")}
    procs = []
    backend, backend_url = start("backend", "", texts)
    procs.append(backend)
    rerank, rerank_url = start("rerank", backend_url + "/v1", texts)
    baseline, baseline_url = start("baseline", backend_url + "/v1", texts)
    procs += [rerank, baseline]
    ok = True
    try:
        print(f"{N} candidates x {CHARS} chars, {args.requests} requests per arm, median / p90 ms")
        for lang, group in texts.items():
            score = default_scorer()
            t0 = time.perf_counter()
            for _ in range(20):
                rank_texts(group, scorer=score, prompt="Write the next chapter.")
            scoring = (time.perf_counter() - t0) / 20 * 1000
            # interleave arms so load from other processes hits both alike
            base, rer = [], []
            for _ in range(3):
                base += latencies(baseline_url, lang, args.requests // 3)
                rer += latencies(rerank_url, lang, args.requests // 3)
            b50, r50 = statistics.median(base), statistics.median(rer)
            b90, r90 = (statistics.quantiles(x, n=10)[-1] for x in (base, rer))
            overhead = r50 - b50
            ok &= overhead <= BUDGET_MS
            print(
                f"[{lang}] pass-through {b50:6.2f} / {b90:6.2f}   rerank {r50:6.2f} / {r90:6.2f}   "
                f"overhead {overhead:5.2f} ms (ratio {r50 / b50:4.2f}x, budget {BUDGET_MS:.0f})   "
                f"scoring alone {scoring:5.2f} ms"
            )
    finally:
        for proc in procs:
            proc.terminate()
            proc.join(timeout=10)
    print("PASS" if ok else "FAIL: overhead over budget")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
