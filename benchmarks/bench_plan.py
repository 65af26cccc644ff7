"""Speed of `swift-scifi plan`'s core: enumerate + estimate every layout, against a brute-force baseline.

Baseline (same run): check every (TP, PP, CP, EP) in 1..world with ``violations`` (what a naive planner does).
Run: PYTHONPATH=. python benchmarks/bench_plan.py
"""

from __future__ import annotations

import time

from swift_scifi.presets.layouts import Cluster, Layout, enumerate_layouts, pipeline_split, violations
from swift_scifi.presets.model_config import read_model_config, sample_config
from swift_scifi.presets.planner import PlanRequest, plan


def _brute_force(spec, cluster, seq_len) -> int:
    world, found = cluster.world, 0
    for tp in range(1, world + 1):
        for pp in range(1, world + 1):
            for cp in range(1, world // (tp * pp) + 1 if tp * pp <= world else 1):
                if world % (tp * pp * cp):
                    continue
                _, first, last = pipeline_split(spec.layers, pp)
                for ep in range(1, world + 1):
                    lay = Layout(tp, pp, cp, ep, world // (tp * pp * cp), last, first)
                    found += not violations(spec, cluster, lay, seq_len, 256, "full")
    return found


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    spec = read_model_config(sample_config("Qwen3-30B-A3B"))
    for cluster in (Cluster(8, 2), Cluster(8, 8)):
        n_valid = len(enumerate_layouts(spec, cluster, 32768, "full", 256)[0])
        assert n_valid == _brute_force(spec, cluster, 32768)
        base = _time(lambda c=cluster: _brute_force(spec, c, 32768))
        enum = _time(lambda c=cluster: enumerate_layouts(spec, c, 32768, "full", 256))
        req = PlanRequest(spec, cluster, 32768, "full", 80.0, 256)
        full = _time(lambda r=req: plan(r))
        print(
            f"{cluster.world:4d} GPUs, {n_valid:4d} valid layouts: brute-force validity {base * 1e3:7.1f} ms | "
            f"enumerate {enum * 1e3:6.2f} ms (baseline/enumerate = {base / enum:5.1f}) | "
            f"whole plan incl. memory estimates {full * 1e3:6.2f} ms (baseline/plan = {base / full:4.2f})"
        )


if __name__ == "__main__":
    main()
