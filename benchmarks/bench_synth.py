"""scifi-cdpo-rules throughput, in MB/s of corpus text per core (one process).

    python benchmarks/bench_synth.py [CORPUS] [MAX_MB_VERIFIED]
    # default corpus: ../shared/data/corpus, else the package sample; verification runs on the first
    # MAX_MB_VERIFIED MB of passages (default 0.3) since it is the slow stage

Baseline, measured in the same run: reading the files and splitting them into paragraphs. Reported
separately: cutting passages (400 字 / 250 words), building the corruptions alone (``check=False``: one per
passage, no scoring) and build + verification, each as MB/s and as a ratio to the baseline. Verification is
timed on the same passages (alternated, best of 2 each): as shipped (only the rewards each check needs, the chosen side scored once
per passage) and as first built (``explain`` on both sides of every attempt); both must keep the same pairs.
One-time costs (imports, compiling the reward kernels) are paid before the clock. Times are the process's CPU
time (``time.process_time``): MB/s per core, steady on a shared machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.rewards.prepare import VIEWS
from swift_scifi.synth import cdpo_rules
from swift_scifi.synth.cdpo_rules import EPS, REWARD_KEYS_SKIPPED, Pair, Report, build_pairs
from swift_scifi.text.segment import split_paragraphs
from swift_scifi.text.windows import window_text

UNITS = {"zh": 400, "en": 250}


def _verify_explain(pair: Pair, chosen=None) -> str | None:
    """The first verifier: every reward and breakdown (``explain``) on both sides of every attempt."""
    from swift_scifi.rewards import explain

    d = cdpo_rules.load_data()
    if pair.edit > d["max_edit"]:
        return "edit too large"
    if not d["min_length_ratio"] <= pair.length_ratio <= d["max_length_ratio"]:
        return "length ratio out of bounds"
    terms = list(pair.terms) or None
    good, bad = (explain(x, terms=terms, lang=pair.lang) for x in (pair.chosen, pair.rejected))
    key = pair.kind.reward
    gs, bs = good["scores"], bad["scores"]
    if gs.get(key) is None or bs.get(key) is None:
        return f"{key} not applicable"
    if pair.kind.principles:
        broken = [
            pid
            for pid in pair.kind.principles
            if bad["principles"].get(pid, 1.0) < good["principles"].get(pid, 1.0) - EPS
        ]
        if not broken or bs[key] > gs[key] + EPS:
            return "principle not violated"
        pair.broken = tuple(broken)
    elif not bs[key] < gs[key] - EPS:
        return f"{key} not lower"
    for k, g in gs.items():
        if k in REWARD_KEYS_SKIPPED or k == key or g is None or bs.get(k) is None:
            continue
        if g < bs[k] - EPS:
            return f"chosen worse on {k}"
    return None


def _timed(fn) -> tuple[float, object]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def main() -> None:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "corpus"
    corpus = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else (default if default.is_dir() else sample_corpus_path())
    )
    max_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    books = read_corpus(corpus)
    mb = sum(len(b.text.encode("utf-8")) for b in books) / 1e6
    print(f"corpus: {corpus} ({len(books)} books, {mb:.2f} MB)")
    floor, _ = _timed(lambda: [split_paragraphs(b.text) for b in read_corpus(corpus)])
    print(f"{'baseline: read + paragraph split':44s} {mb / floor:8.2f} MB/s   1.00x")
    t_cut, cut = _timed(lambda: [(b.lang, list(window_text(b.text, UNITS[b.lang], b.lang))) for b in books])
    print(f"{'passages: window cut':44s} {mb / t_cut:8.2f} MB/s {floor / t_cut:6.2f}x")
    for lang, ps in cut:  # warm-up outside the clock: imports, the slop weights, the compiled reward kernels
        build_pairs(ps[:3], lang)
    report = Report()
    t_build, _ = _timed(lambda: [build_pairs(ps, lang, check=False, report=report) for lang, ps in cut])
    rate = mb / (t_cut + t_build)
    label = "cut + corrupt ({} pairs)".format(report.as_dict()["kept"])
    print(f"{label:44s} {rate:8.2f} MB/s {floor / (t_cut + t_build):6.2f}x")
    subset, size = [], 0.0
    for lang, ps in cut:
        take = []
        for p in ps:
            if size >= max_mb / 2 * (1 + (lang == "en")):
                break
            take.append(p)
            size += len(p.encode("utf-8")) / 1e6
        subset.append((lang, take))
    shipped = cdpo_rules.verify

    def verified(fn) -> tuple[float, list, Report]:
        VIEWS.clear()  # the reward suite caches prepared texts: each verification run starts cold
        cdpo_rules.verify = fn
        try:
            report = Report()
            t, kept = _timed(lambda: [build_pairs(ps, lang, report=report) for lang, ps in subset])
        finally:
            cdpo_rules.verify = shipped
        return t, kept, report

    runs = [verified(fn) for _ in range(2) for fn in (_verify_explain, shipped)]  # alternated, best of 2
    old, new = min(runs[0::2], key=lambda r: r[0]), min(runs[1::2], key=lambda r: r[0])
    d = new[2].as_dict()
    label = "corrupt + verify ({:.2f} MB, {} kept)".format(size, d["kept"])
    print(f"{label:44s} {size / new[0]:8.2f} MB/s {floor * size / mb / new[0]:6.2f}x")
    label = "  same, verified with explain (first method)"
    print(f"{label:44s} {size / old[0]:8.2f} MB/s {floor * size / mb / old[0]:6.2f}x")

    def pairs(kept: list) -> list:
        return [[(p.index, p.rejected, p.principle) for p in ps] for ps in kept]

    same = all(pairs(r[1]) == pairs(new[1]) and r[2].as_dict() == d for r in runs)
    print(f"verification speed-up: {old[0] / new[0]:.2f}x; same pairs and report: {same}")
    if not same:
        raise SystemExit("the shipped verifier keeps different pairs from the first method")


if __name__ == "__main__":
    main()
