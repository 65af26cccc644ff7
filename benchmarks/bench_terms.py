"""Term consistency alone, as bench_rewards.py's term line: 256 completions, the 2,000-term glossary.

``PYTHONPATH=. python benchmarks/bench_terms.py`` (under ``flock /tmp/heavy.lock`` on a shared box): the index
build, the naive ``[t for t in terms if t in text]`` and ``matcher.report(text).score()`` over the
batch, CPU ms, fastest of 9 (5 for the naive test), garbage collected before each run. Quicker than the whole
bench (~15 s) for alternating two trees."""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rewards import make_batch  # noqa: E402

from swift_scifi.rewards.term_consistency import matcher_for  # noqa: E402


def best_of(fn, repeat: int) -> float:
    """Fastest of ``repeat`` runs, CPU seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    texts, terms = make_batch(random.Random(0))
    t0 = time.perf_counter()
    matcher = matcher_for(tuple(terms))
    build = time.perf_counter() - t0
    naive = best_of(lambda: [[t for t in terms if t in text] for text in texts], 5)
    ours = best_of(lambda: [matcher.report(text).score() for text in texts], 9)
    print(
        f"term consistency: build {build:.1f} s; naive {1000 * naive:.1f} ms, scifi {1000 * ours:.1f} ms"
        f" -> {naive / ours:.1f}x faster (targets: <= 15 ms, >= 50x)"
    )


if __name__ == "__main__":
    main()
