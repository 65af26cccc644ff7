"""scifi-rag build throughput in MB/s of corpus per core, against scifi-chapter-gen in the same run.

    python benchmarks/bench_rag.py [CORPUS]
    # default: the package sample

Both builders cut the same windows and use the same (cached) glossary, so the ratio is the cost of the
references: the BM25 index and queries, the world-bible sentences and the keep rules. A first build pays
glossary extraction once (warm-up, outside the clock); CPU time of the process (``time.process_time``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from swift_scifi.datasets.build import build_rows
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.text.segment import split_paragraphs


def _cpu(fn) -> tuple[float, object]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else sample_corpus_path()
    config = BuildConfig.from_env(corpus=corpus)
    mb = sum(len(b.text.encode("utf-8")) for b in read_corpus(corpus)) / 1e6
    build_rows("scifi-rag", config)  # warm-up: glossary cache, jieba, bm25s
    floor, _ = _cpu(lambda: [split_paragraphs(b.text) for b in read_corpus(corpus)])
    t_ref, ref = _cpu(lambda: build_rows("scifi-chapter-gen", config))
    t_rag, rag = _cpu(lambda: build_rows("scifi-rag", config))
    print(f"corpus: {corpus} ({mb:.2f} MB)")
    print(f"{'baseline: read + paragraph split':40s} {mb / floor:8.2f} MB/s")
    print(f"{f'scifi-chapter-gen ({len(ref)} rows)':40s} {mb / t_ref:8.2f} MB/s")
    print(f"{f'scifi-rag ({len(rag)} rows)':40s} {mb / t_rag:8.2f} MB/s  {t_ref / t_rag:5.2f}x chapter-gen")


if __name__ == "__main__":
    main()
