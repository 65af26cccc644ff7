"""Validity of scifi-rag's passage keep rule: BM25 passages against random passages of the same book.

    python benchmarks/rag_keep_rule.py [CORPUS] [WINDOWS_PER_BOOK]
    # default corpus: the package sample; WINDOWS_PER_BOOK default 80

For every continuation point (window i of the book, i >= 1), the 3 best BM25 passages for the target and 3
random passages outside the same leak window are scored with :func:`swift_scifi.synth.rag.passage_support`.
Prints, per language, the distribution of shared words and share, and the pass rate of the shipped rule and of
a looser and a stricter one. A good rule passes many retrieved and almost no random passages.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

from swift_scifi.datasets.book import PreparedBook
from swift_scifi.datasets.budget import resolve_counter
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path
from swift_scifi.synth.rag import BookReferences, leak_range, passage_support, rules
from swift_scifi.synth.retrieval import content_words


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else sample_corpus_path()
    per_book = int(sys.argv[2]) if len(sys.argv) > 2 else 80
    config = BuildConfig.from_env(corpus=corpus)
    r = rules()
    k, share = r["passages_k"], r["reference_budget_share"]
    res: dict[str, dict[str, list]] = {"zh": {"bm25": [], "random": []}, "en": {"bm25": [], "random": []}}
    for b in read_corpus(corpus):
        book = PreparedBook(b, config, resolve_counter(None))
        flat = [w for s in book.sections for w in book.windows(s)][:per_book]
        units = int(book.prompt_tokens * share / k / book.tokens_per_unit * 0.85)
        refs = BookReferences(flat, book.glossary, book.lang, max(units, 20))
        rng = random.Random(0)
        for i in range(1, len(flat)):
            exclude = leak_range(i)
            hits = refs.index.search(content_words(flat[i], book.lang), k, exclude)
            pool = [j for j in range(len(refs.index)) if refs.index.windows[j] not in exclude]
            for name, idx in (
                ("bm25", [j for j, _ in hits]),
                ("random", rng.sample(pool, min(k, len(pool)))),
            ):
                s = passage_support(flat[i], [refs.index.passages[j] for j in idx], flat[i - 1], book.lang)
                res[book.lang][name].append((s.shared, s.share))
    rule = (r["passages_min_shared"], r["passages_min_support"])
    for lang, sets in res.items():
        for name, v in sets.items():
            if not v:
                continue
            a = np.array(v)
            rates = {
                f"{m}/{s:.2f}": round(float(((a[:, 0] >= m) & (a[:, 1] >= s)).mean()), 3)
                for m, s in ((6, 0.05), rule, (10, 0.08))
            }
            print(
                f"{lang} {name:6s} points {len(a):4d}  shared p10/50/90 {np.percentile(a[:, 0], [10, 50, 90])}"
                f"  share p10/50/90 {np.round(np.percentile(a[:, 1], [10, 50, 90]), 3)}  pass rate {rates}"
            )


if __name__ == "__main__":
    main()
