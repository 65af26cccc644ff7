"""Server time per studio interaction (no generation) with 1 and with 20 concurrent editors.

Starts the real `swift-scifi studio` (SQLite store seeded with one project: 3 chapters of 3 versions,
``--candidates`` candidates of ~3,000 characters from 3 models, ``--votes`` earlier arena votes) and drives
it over gradio's HTTP API (``POST /gradio_api/run/NAME``), one login cookie and session per editor. Each editor repeats a round
of the non-generating interactions: open the project, new battle, vote, version history, compare two
versions (diff), open a candidate for editing, save an edit with tags, list projects. Server time is the
``duration`` gradio reports in each reply (input checks, the handler with its store calls, output
processing); the client's wall time adds HTTP and the auth check, and bounds it from above (the clients
run on the same cores as the server).

The baseline is the same rounds by one editor, in the same run. Then 20 editors twice: clicking without
a pause (saturation: the server's ceiling on these cores) and with a pause of ~``--think`` s (uniform
0-2x) before each click, as editors reading a chapter would. The target (issue 14) is server time p95 <=
200 ms at 20 editors.

    PYTHONPATH=. python benchmarks/bench_studio.py [--editors 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path  # noqa: E402
from swift_scifi.studio.store import Store  # noqa: E402
from tests.serve.conftest import free_port  # noqa: E402

TOKEN = "bench-token"
MODELS = ("writer-a", "writer-b", "writer-c")


def passages(n: int, chars: int = 3000) -> list[str]:
    """``n`` passages of ``chars`` characters from the shipped corpus sample (zh and en alternating)."""
    books = read_corpus(sample_corpus_path())
    out = []
    for i in range(n):
        book = books[i % len(books)]
        start = (i * 7919) % max(1, len(book.text) - chars)
        out.append(book.text[start : start + chars])
    return out


def seed(db: str, n_candidates: int, n_votes: int) -> tuple[int, list[int]]:
    """One project with chapters, versions, candidates and votes; returns (project id, chapter ids)."""
    texts = passages(n_candidates + 3)
    with Store(db) as store:
        pid = store.create_project(
            "seed", "bench", setting="A ring station.", glossary=["Elara", "Tian Gong"]
        )
        chapters = []
        for i in range(3):
            cid = store.add_chapter("seed", pid, f"Chapter {i + 1}", texts[i])
            for k in range(2):
                store.add_version("seed", cid, texts[i].replace("the", "a", k + 1), "edit")
            chapters.append(cid)
        cands = [
            {
                "text": t,
                "model": MODELS[j % 3],
                "settings": {"temperature": (0.7, 1.0)[j % 2]},
                "rewards": {},
                "rank": None,
            }
            for j, t in enumerate(texts[3:])
        ]
        ids = store.add_candidates("seed", pid, "next chapter", cands)
        rng = random.Random(0)
        for v in range(n_votes):
            a, b = rng.sample(ids, 2)
            store.record_vote("seed", a, b, rng.choice(["a", "b", "tie", "both_bad"]), request_id=f"seed-{v}")
    return pid, chapters


def editor_rounds(url: str, name: str, pid: int, chapters: list[int], cands: list[int], rounds: int, lat: dict,
                  errors: list, think: float = 0.0) -> None:  # fmt: skip
    """One editor: log in (a cookie), then ``rounds`` rounds of the interactions over gradio's HTTP API
    (``POST /gradio_api/run/NAME``, one session per editor so gr.State works as in the browser)."""
    client = httpx.Client(base_url=url, timeout=60)
    if client.post("/login", data={"username": name, "password": TOKEN}).status_code != 200:
        errors.append(f"{name}: login failed")
        return
    session = f"bench-{name}"
    rng = random.Random(name)

    def call(api: str, *args):
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # the editor reads before the next click
        started = time.perf_counter()
        r = client.post(f"/gradio_api/run/{api}", json={"data": list(args), "session_hash": session})
        wall = time.perf_counter() - started
        if r.status_code != 200:
            raise RuntimeError(f"{api}: HTTP {r.status_code}: {r.text[:200]}")
        body = r.json()
        lat[api].append((wall, float(body.get("duration") or 0.0)))
        return body["data"]

    for r in range(rounds):
        try:
            call("load_project", pid)
            _, a_text, _, *_ = call("battle", pid, None)
            if a_text:
                call("vote", rng.choice(["A", "B", "Tie", "Both bad"]), None)
            chapter = chapters[r % len(chapters)]
            _, va, vb, _ = call("versions", chapter)
            call("compare", chapter, va["value"], vb["value"])
            cid = rng.choice(cands)
            text, *_ = call("load_edit", cid, None)
            call("edit", cid, text.replace(".", "!", 1) + f" {name}-{r}", ["cliche"], "bench note", None)
            call("projects")
        except Exception as err:  # noqa: BLE001
            errors.append(f"{name} round {r}: {type(err).__name__}: {err}")
    client.close()


def run(
    url: str, editors: int, rounds: int, pid: int, chapters: list[int], cands: list[int], think: float = 0.0
) -> tuple[dict, list, float]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=editor_rounds,
            args=(url, f"ed{editors}-{i}-{think}", pid, chapters, cands, rounds, lat, errors, think),
        )
        for i in range(editors)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def report(label: str, lat: dict, wall: float) -> dict:
    """Per interaction: gradio's own server time (``duration`` of the reply: pre/post-processing and the
    handler) and the client's wall time (plus HTTP and the client's share of the shared cores)."""
    server = [d for vs in lat.values() for _, d in vs]
    client = [w for vs in lat.values() for w, _ in vs]
    print(f"\n{label}: {len(server)} calls in {wall:.1f} s ({len(server) / wall:.0f}/s)")
    print(
        f"{'interaction':14} {'n':>5} {'server p50':>11} {'server p95':>11} {'client p50':>11} {'client p95':>11}"
    )
    for api in sorted(lat) + ["all"]:
        vs = lat[api] if api != "all" else [x for v in lat.values() for x in v]
        d, w = [x[1] for x in vs], [x[0] for x in vs]
        print(
            f"{api:14} {len(vs):5d} {pct(d, 0.5):9.0f}ms {pct(d, 0.95):9.0f}ms {pct(w, 0.5):9.0f}ms {pct(w, 0.95):9.0f}ms"
        )
    return {"p50": pct(server, 0.5), "p95": pct(server, 0.95), "client_p50": pct(client, 0.5),
            "client_p95": pct(client, 0.95)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--editors", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--candidates", type=int, default=60)
    ap.add_argument("--votes", type=int, default=2000)
    ap.add_argument("--think", type=float, default=1.0, help="mean pause between an editor's clicks, s")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    db = f"sqlite:///{work / 'studio.db'}"
    pid, chapters = seed(db, args.candidates, args.votes)
    with Store(db) as store:
        cands = [c["id"] for c in store.list_candidates(pid)]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    log = (work / "studio.log").open("w")
    cmd = [sys.executable, "-m", "swift_scifi.cli", "studio", "--backend-url", "http://127.0.0.1:9/v1",
           "--db", db, "--port", str(port), "--token", TOKEN, "--model", "writer-a", "--no-warm"]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("studio did not start:\n" + (work / "studio.log").read_text()[-3000:])
            time.sleep(0.5)
        print(f"seeded: 1 project, 3 chapters x 3 versions, {args.candidates} candidates, {args.votes} votes")
        run(url, 1, 1, pid, chapters, cands)  # warm-up (first requests load gradio's lazy parts), not counted
        base_lat, base_err, base_wall = run(url, 1, args.rounds, pid, chapters, cands)
        base = report("1 editor (baseline)", base_lat, base_wall)
        busy_lat, busy_err, busy_wall = run(url, args.editors, args.rounds, pid, chapters, cands)
        busy = report(f"{args.editors} editors, no pause between clicks (saturation)", busy_lat, busy_wall)
        lat, errors, wall = run(url, args.editors, args.rounds, pid, chapters, cands, args.think)
        load = report(f"{args.editors} editors, ~{args.think:g} s between clicks", lat, wall)
        errors += busy_err
        for e in (base_err + errors)[:10]:
            print("error:", e)
        print(f"\nsaturation: server p50 {busy['p50']:.0f} ms, p95 {busy['p95']:.0f} ms "
              f"(client p95 {busy['client_p95']:.0f} ms)")  # fmt: skip
        print(f"server time at {args.editors} editors vs 1: p50 {load['p50'] / base['p50']:.1f}x, "
              f"p95 {load['p95'] / base['p95']:.1f}x; target server p95 <= 200 ms: "
              f"{'met' if load['p95'] <= 200 else 'MISSED'} ({load['p95']:.0f} ms; client p95 {load['client_p95']:.0f} ms)")  # fmt: skip
        if base_err or errors:
            raise SystemExit(f"{len(base_err) + len(errors)} calls failed")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
