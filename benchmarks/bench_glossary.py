"""Glossary speed: Chinese and English extraction in MB/s, and the Aho-Corasick library choice.

    python benchmarks/bench_glossary.py [CORPUS]   # default: ../shared/data/corpus, else the package sample

1. Extraction, per language, in MB/s of book text on one core (target: >= 1 MB/s of Chinese), with the
   dictionaries already loaded (jieba's load, about 1-2 s, is paid once per process and reported apart).
   Baseline in the same run: the old extractor's core, ``jieba.cut`` over the book (HMM on), for Chinese;
   a regex scan for capitalised words, for English. Ratio = baseline time / extraction time.
2. Aho-Corasick: ``ahocorasick_rs`` (compiled DFA; what the package uses) against ``pyahocorasick``
   (if installed) on a 2,000-term glossary: automaton build, and finding every match in the corpus.
"""

from __future__ import annotations

import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path  # noqa: E402
from swift_scifi.datasets.terms import extract_glossary  # noqa: E402


def best_of(fn, n: int = 3) -> float:
    """Best CPU time of ``n`` runs, in seconds: one core's throughput, whatever else the machine runs."""
    times = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    default = ROOT.parent / "shared" / "data" / "corpus"
    corpus = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else (default if default.is_dir() else sample_corpus_path())
    )
    books = read_corpus(corpus)
    print(f"corpus: {corpus} ({len(books)} books)")

    t0 = time.perf_counter()
    from swift_scifi.datasets.glossary_zh import _jieba, _segments, rules

    _jieba(), rules(), _segments("预热")
    import jieba

    jieba.lcut("预热")
    print(f"one-time dictionary load (jieba FREQ + tags): {time.perf_counter() - t0:.2f} s")

    for lang in ("zh", "en"):
        texts = [b.text for b in books if b.lang == lang]
        if not texts:
            continue
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        ours = best_of(lambda texts=texts, lang=lang: [extract_glossary(t, lang) for t in texts], 2)
        if lang == "zh":
            label = "jieba.cut (old extractor's core)"
            base = best_of(lambda texts=texts: [list(jieba.cut(t, HMM=True)) for t in texts], 1)
        else:
            label = "regex scan for capitalised words"
            rx = re.compile(r"\b[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2}\b")
            base = best_of(lambda texts=texts, rx=rx: [rx.findall(t) for t in texts], 3)
        print(
            f"{lang}: {mb:.2f} MB; extraction {mb / ours:6.2f} MB/s; baseline ({label}) {mb / base:6.2f} MB/s; "
            f"ratio {base / ours:5.2f}x"
        )

    rng = random.Random(0)
    text = "\n".join(b.text for b in books)
    words = sorted({w for w in re.findall(r"[\u4e00-\u9fff]{2,4}|[A-Z][a-z]{4,}", text)})
    terms = rng.sample(words, min(2000, len(words)))
    mb = len(text.encode("utf-8")) / 1e6
    import ahocorasick_rs

    t_build = best_of(
        lambda: ahocorasick_rs.AhoCorasick(terms, implementation=ahocorasick_rs.Implementation.DFA), 3
    )
    ac = ahocorasick_rs.AhoCorasick(terms, implementation=ahocorasick_rs.Implementation.DFA)
    t_find = best_of(lambda: ac.find_matches_as_indexes(text, overlapping=True), 3)
    n = len(ac.find_matches_as_indexes(text, overlapping=True))
    print(
        f"aho-corasick, {len(terms)} terms over {mb:.2f} MB ({n} matches): "
        f"ahocorasick_rs build {1000 * t_build:.1f} ms, find {1000 * t_find:.0f} ms"
    )
    try:
        import ahocorasick
    except ImportError:
        print("pyahocorasick not installed: comparison skipped")
        return

    def build_py():
        a = ahocorasick.Automaton()
        for i, t in enumerate(terms):
            a.add_word(t, i)
        a.make_automaton()
        return a

    t_build_py = best_of(build_py, 3)
    a = build_py()
    t_find_py = best_of(lambda: list(a.iter(text)), 3)
    print(
        f"aho-corasick, same: pyahocorasick build {1000 * t_build_py:.1f} ms, find {1000 * t_find_py:.0f} ms "
        f"-> ahocorasick_rs finds {t_find_py / t_find:.1f}x faster"
    )


if __name__ == "__main__":
    main()
