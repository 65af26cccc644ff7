"""Arena leaderboard recompute: Bradley-Terry + 200 bootstrap resamples for 10,000 votes (budget: 1 s).

Three timings, each the median of ``--repeats`` runs:
- ours: :func:`swift_scifi.studio.arena.leaderboard` (votes aggregated into cells, all resamples fitted at
  once by a batched Newton solve);
- baseline, same run: the textbook loop (Chatbot Arena's notebook style): resample the raw votes 200 times
  and fit each resample on its own (the same Newton fit, one resample at a time);
- end to end: ``Store.leaderboard()`` on a SQLite studio file holding the 10,000 votes (query + fit).

    PYTHONPATH=. python benchmarks/bench_studio_arena.py [--votes 10000] [--models 16] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from swift_scifi.studio.arena import OUTCOME_WIN_A, _scores, fit_strengths, leaderboard  # noqa: E402
from swift_scifi.studio.store import Store  # noqa: E402

BUDGET_S = 1.0
N_BOOT = 200


def simulate(n_votes: int, n_models: int, seed: int = 0) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(seed)
    elo = rng.normal(1000, 120, n_models)
    battles = []
    for _ in range(n_votes):
        i, j = rng.choice(n_models, 2, replace=False)
        p_a = 1 / (1 + 10 ** ((elo[j] - elo[i]) / 400))
        r = rng.random()
        outcome = "tie" if r < 0.1 else "both_bad" if r < 0.15 else ("a" if rng.random() < p_a else "b")
        battles.append((f"model-{i:02d}", f"model-{j:02d}", outcome))
    return battles


def baseline(battles: list[tuple[str, str, str]], n_boot: int = N_BOOT, seed: int = 0) -> np.ndarray:
    """Resample raw votes and fit each resample separately."""
    models = sorted({m for a, b, _ in battles for m in (a, b)})
    index = {m: i for i, m in enumerate(models)}
    kept = [(index[a], index[b], OUTCOME_WIN_A[o]) for a, b, o in battles if o in OUTCOME_WIN_A]
    ia, ib, wa = (np.array(x) for x in zip(*kept, strict=True))
    rng = np.random.default_rng(seed)
    m = len(models)
    out = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(kept), len(kept))
        w = np.zeros((m, m))
        np.add.at(w, (ia[pick], ib[pick]), wa[pick])
        np.add.at(w, (ib[pick], ia[pick]), 1 - wa[pick])
        out.append(_scores(fit_strengths(w[None])[0]))
    return np.percentile(np.array(out), [2.5, 97.5], axis=0)


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fill_store(store: Store, battles: list[tuple[str, str, str]]) -> None:
    pid = store.create_project("bench", "arena bench")
    models = sorted({m for a, b, _ in battles for m in (a, b)})
    ids = dict(
        zip(
            models,
            store.add_candidates("bench", pid, "p", [{"text": m, "model": m} for m in models]),
            strict=True,
        )
    )
    from swift_scifi.studio.db import Vote, utcnow

    rows = [
        {
            "a_id": ids[a],
            "b_id": ids[b],
            "outcome": o,
            "request_id": None,
            "editor": "bench",
            "created_at": utcnow(),
        }
        for a, b, o in battles
    ]
    with store.engine.begin() as conn:  # bulk insert: the bench times the recompute, not 10,000 submits
        conn.execute(Vote.__table__.insert(), rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=10_000)
    parser.add_argument("--models", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    battles = simulate(args.votes, args.models)
    leaderboard(battles[:100])  # warm-up
    ours = timed(lambda: leaderboard(battles, n_boot=N_BOOT), args.repeats)
    base = timed(lambda: baseline(battles), max(1, args.repeats // 2))
    with tempfile.TemporaryDirectory() as tmp, Store(f"sqlite:///{tmp}/bench.db") as store:
        fill_store(store, battles)
        board = store.leaderboard(n_boot=N_BOOT)
        assert sum(r["votes"] for r in board) == 2 * args.votes
        e2e = timed(lambda: store.leaderboard(n_boot=N_BOOT), args.repeats)
    print(
        f"{args.votes:,} votes, {args.models} models, {N_BOOT} bootstrap resamples (median of {args.repeats})"
    )
    print(f"| step | seconds | budget {BUDGET_S:.0f} s | vs baseline |")
    print("|---|---:|---:|---:|")
    print(f"| arena.leaderboard (batched) | {ours:.3f} | {ours / BUDGET_S:.0%} | {base / ours:.1f}x faster |")
    print(f"| baseline: one fit per resample | {base:.3f} | {base / BUDGET_S:.0%} | 1.0x |")
    print(f"| Store.leaderboard on SQLite (query + fit) | {e2e:.3f} | {e2e / BUDGET_S:.0%} | |")
    print(
        "top 3:",
        ", ".join(
            f"{r['model']} {r['score']:.0f} [{r['ci_low']:.0f}, {r['ci_high']:.0f}]" for r in board[:3]
        ),
    )


if __name__ == "__main__":
    main()
