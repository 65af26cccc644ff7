"""Corpus -> samples throughput of the scifi-* builders, in MB/s of corpus text.

    python benchmarks/bench_datasets.py [CORPUS]   # default: ../shared/data/corpus, else the package sample

Baseline, measured in the same run: reading the same files and splitting them into paragraphs
(the I/O-and-scan floor). Each builder is reported as MB/s and as a ratio to that floor; the stages
(chapter splitting, term extraction) are reported too. Token counts use the estimate (no tokenizer).
The first build runs with an empty glossary cache (what a first `swift sft` launch pays); the rest reuse it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from swift_scifi.datasets.book import PreparedBook
from swift_scifi.datasets.budget import estimate_tokens
from swift_scifi.datasets.build import BUILDERS, build_rows
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.datasets.terms import extract_terms
from swift_scifi.text.chapters import split_chapters
from swift_scifi.text.segment import split_paragraphs


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "corpus"
    corpus = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else (default if default.is_dir() else sample_corpus_path())
    )
    books = read_corpus(corpus)
    mb = sum(len(b.text.encode("utf-8")) for b in books) / 1e6
    print(f"corpus: {corpus} ({len(books)} books, {mb:.2f} MB)")

    floor = _timed(lambda: [split_paragraphs(b.text) for b in read_corpus(corpus)])
    print(f"{'baseline: read + paragraph split':52s} {mb / floor:8.2f} MB/s   1.00x")
    stages = {
        "stage: chapter split": lambda: [split_chapters(b.text) for b in books],
        "stage: term extraction": lambda: [extract_terms(b.text, b.lang) for b in books],
    }
    for label, fn in stages.items():
        t = _timed(fn)
        print(f"{label:52s} {mb / t:8.2f} MB/s {floor / t:6.2f}x")
    config = BuildConfig(corpus=corpus)
    os.environ["SCIFI_CACHE_DIR"] = tempfile.mkdtemp(prefix="scifi-bench-cache-")  # start cold
    runs = [("cold glossary cache", "scifi-chapter-gen")] + [("warm", name) for name in BUILDERS]
    for label, name in runs:
        start = time.perf_counter()
        rows = build_rows(name, config)
        t = time.perf_counter() - start
        print(f"{f'{name} ({len(rows)} rows, {label})':52s} {mb / t:8.2f} MB/s {floor / t:6.2f}x")
    # the per-book preparation alone (sections + glossary), shared by every builder
    t = _timed(
        lambda: [(p.sections, p.glossary) for p in (PreparedBook(b, config, estimate_tokens) for b in books)]
    )
    print(f"{'prepare books (sections + glossary)':52s} {mb / t:8.2f} MB/s {floor / t:6.2f}x")


if __name__ == "__main__":
    main()
