"""Build the term check's Chinese context model, ``swift_scifi/data/terms/zh_bigram.npz`` (see
:mod:`swift_scifi.rewards.zh_context`).

Training text: jieba's dictionary (MIT; 349,046 words with frequencies: each word counted between two
boundary symbols as often as its frequency says, so the model knows which characters make words) and the
``train`` half of WritingBench's distinct Chinese queries (Apache-2.0; the same split as the fluency model,
:func:`build_fluency_ngram.modern_zh`) for running text. No book of the shared corpus is in it: the model
judges every book as it would a user's new one, and the benchmark needs no leave-one-out.

Run: ``PYTHONPATH=. python scripts/build_term_context.py [--data ../shared/data]`` (about 30 s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_fluency_ngram import BOOKS, WRITINGBENCH, modern_zh  # noqa: E402

from swift_scifi.rewards.zh_context import BOUNDARY, MIN_PAIR_COUNT, MODEL_PATH, BigramModel  # noqa: E402

ZH_BOOKS = BOOKS["zh"]


def jieba_words() -> list[tuple[str, int]]:
    """(word, frequency) of jieba's dictionary, Han words only."""
    import jieba

    out = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in parts[0]):
                out.append((parts[0], int(parts[1])))
    return out


def build(data: Path) -> BigramModel:
    """The model of jieba's words (each ``#word#`` x its frequency) and the modern queries."""
    uni, pairs = BigramModel.count(modern_zh(data, "train"))
    for word, freq in jieba_words():
        BigramModel.count([BOUNDARY + word + BOUNDARY], freq, uni, pairs)
    return BigramModel.from_counts(uni, pairs, MIN_PAIR_COUNT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args()
    m = build(args.data)
    m.save(args.out)
    modern = modern_zh(args.data, "train")
    meta = {
        "built_by": "scripts/build_term_context.py",
        "model": f"character bigram counts (Witten-Bell at use), pairs seen >= {MIN_PAIR_COUNT} times",
        "jieba_dictionary": {
            "source": "jieba 0.42.1 dict.txt (MIT): Han words, each as #word# x its frequency",
            "words": len(jieba_words()),
        },
        "modern_zh": {
            "source": f"{WRITINGBENCH}/**/*.jsonl (Apache-2.0): distinct queries > 30% CJK, sha256 even",
            "queries": len(modern),
            "sha256_16": hashlib.sha256("\n".join(modern).encode("utf-8")).hexdigest()[:16],
        },
        "characters": len(m.chars),
        "pairs": len(m.pair_keys),
        "npz_sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(meta, indent=1, ensure_ascii=False), f"\n{args.out}: {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
