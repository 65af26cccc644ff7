"""Build the fluency gate's adjacent-pair model, ``swift_scifi/data/fluency/ngram.npz`` (see
:mod:`swift_scifi.text.ngram`).

Training text: the twelve public-domain books of the shared corpus (``../shared/data/corpus``, provenance in
its SOURCES.md; 6 English, 6 Chinese), read in full, and for modern Chinese (the books are classical or
1920s vernacular) the ``train`` half of WritingBench's distinct Chinese queries (``bench/writingbench``,
Apache-2.0; :func:`modern_zh` splits them by a hash of the text; the other half is held out for the
benchmark). Measurements are made leave-one-book-out (every window scored by a model built without its
book) by ``benchmarks/fluency_order.py``, which calls :func:`build`.

Run: ``PYTHONPATH=. python scripts/build_fluency_ngram.py [--data ../shared/data]`` (about 15 s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
from numba import njit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from swift_scifi.rewards.fluency import _t2s_table  # noqa: E402
from swift_scifi.text import profile  # noqa: E402
from swift_scifi.text.ngram import CLIP, DATA, EN_CLASSES, ZH_CLASSES, ZH_PUNCT, NgramModel, en_slot  # noqa: E402

BOOKS = {
    "en": [
        "burroughs_a_princess_of_mars",
        "shelley_frankenstein",
        "verne_twenty_thousand_leagues_under_the_sea",
        "wells_the_first_men_in_the_moon",
        "wells_the_time_machine",
        "wells_the_war_of_the_worlds",
    ],
    "zh": [
        "li_ruzhen_jinghuayuan",
        "liu_e_laocan_youji",
        "lu_xun_nahan",
        "lu_xun_panghuang",
        "lu_xun_zhaohua_xishi",
        "wu_chengen_xiyouji",
    ],
}
WRITINGBENCH = "bench/writingbench"  # under the shared data folder


def modern_zh(data: Path, half: str) -> list[str]:
    """WritingBench's distinct Chinese queries (more than 30% CJK characters) of one half: ``train`` (sha256
    of the text even) or ``test`` (odd), in sorted order."""
    seen = set()
    for f in sorted((data / WRITINGBENCH).rglob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)["query"]
            if len(re.findall(r"[\u4e00-\u9fff]", q)) > 0.3 * len(q):
                seen.add(q)
    want = 0 if half == "train" else 1
    return [q for q in sorted(seen) if int(hashlib.sha256(q.encode("utf-8")).hexdigest(), 16) % 2 == want]


@njit(cache=True)
def _count_zh(cp, t2s, punct, uni, keys):
    """Count simplified characters; returns the pair keys (a << 32 | b) within runs of BMP CJK characters and
    the punctuation marks where ``punct`` is set."""
    prev = 0
    k = 0
    for c in cp:
        if c < 0x10000 and (profile.is_cjk(c) or punct[c]):
            s = t2s[c]
            uni[s] += 1
            if prev:
                keys[k] = (np.uint64(prev) << np.uint64(32)) | np.uint64(s)
                k += 1
            prev = s
        else:
            prev = 0
    return keys[:k]


def zh_tables(texts: list[str], t2s: np.ndarray, classes: int = ZH_CLASSES) -> tuple[np.ndarray, ...]:
    """(code point -> class, class -> simplified character, class-pair pmi int8 in 1/16 nats) over ``texts``:
    exact counts, Witten-Bell smoothed, clipped to ``CLIP``."""
    uni = np.zeros(0x10000)
    punct = np.zeros(0x10000, np.bool_)
    punct[[ord(c) for c in ZH_PUNCT]] = True
    keys = [
        _count_zh(cp, t2s, punct, uni, np.empty(cp.size, np.uint64)) for cp in map(profile.codepoints, texts)
    ]
    pk, pc = np.unique(np.concatenate(keys) if keys else np.zeros(0, np.uint64), return_counts=True)
    a, b = (pk >> np.uint64(32)).astype(np.int64), (pk & np.uint64(0xFFFFFFFF)).astype(np.int64)
    types = np.bincount(a, minlength=0x10000).astype(np.float64)  # distinct followers
    first = np.bincount(a, weights=pc, minlength=0x10000)  # times each character is followed by one
    chars = np.argsort(-uni, kind="stable")[:classes]
    chars = chars[uni[chars] > 0]
    k = len(chars)
    cls = np.zeros(0x10000, np.int64)
    cls[chars] = np.arange(1, k + 1)
    inside = (cls[a] > 0) & (cls[b] > 0)
    c_ab = np.zeros((k, k))
    c_ab[cls[a[inside]] - 1, cls[b[inside]] - 1] = pc[inside]
    p_b = uni[chars] / max(uni.sum(), 1.0)
    t = np.maximum(types[chars], 1.0)[:, None]
    pmi = np.log((c_ab + t * p_b[None, :]) / ((first[chars][:, None] + t) * p_b[None, :]))
    q = np.round(16 * np.clip(pmi, -CLIP, CLIP)).astype(np.int8)
    zh_id = cls[t2s[np.arange(0x10000)]].astype(np.uint16)  # traditional forms share their class
    return zh_id, chars.astype(np.uint32), q.ravel()


@njit(cache=True)
def _insert(keys, cls, h, c):
    h = h | np.uint64(1)
    mask = np.uint64(keys.size - 1)
    j = en_slot(h, mask)
    while keys[j] != 0 and keys[j] != h:
        j = (j + np.uint64(1)) & mask
    keys[j] = h
    cls[j] = c


def build(texts: dict[str, list[str]], classes: int = EN_CLASSES) -> NgramModel:
    """The model counted over ``texts`` (lang -> list of texts)."""
    zh = zh_tables(texts.get("zh", []), _t2s_table())
    # English: the most frequent words get a class each, the rest share class 0; class-pair pmi
    hashes = [profile.words(profile.codepoints(t))[3] for t in texts.get("en", [])]
    allh = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    vals, cnt = np.unique(allh, return_counts=True)
    top = vals[np.argsort(-cnt, kind="stable")[:classes]]
    size = 1 << max(4, int(np.ceil(np.log2(2 * max(len(top), 1)))))
    keys, cls = np.zeros(size, np.uint64), np.zeros(size, np.uint16)
    for i, h in enumerate(top):
        _insert(keys, cls, h, i + 1)
    k1 = len(top) + 1
    pairs = np.zeros((k1, k1))
    ids = dict(zip(top.tolist(), range(1, k1), strict=True))
    for h in hashes:
        c = np.array([ids.get(x, 0) for x in h.tolist()], dtype=np.int64)
        np.add.at(pairs, (c[:-1], c[1:]), 1)
    pairs += 0.5
    pmi = np.log(pairs * pairs.sum() / (pairs.sum(1, keepdims=True) * pairs.sum(0, keepdims=True)))
    q = np.clip(np.round(16 * np.clip(pmi, -CLIP, CLIP)), -127, 127).astype(np.int8)
    return NgramModel(*zh, keys, cls, q.ravel())


def read_books(corpus: Path, books: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        lang: [(corpus / lang / f"{b}.txt").read_text(encoding="utf-8") for b in bs]
        for lang, bs in books.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args()
    texts = read_books(args.data / "corpus", BOOKS)
    modern = modern_zh(args.data, "train")
    m = build({"en": texts["en"], "zh": texts["zh"] + modern})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **m._asdict())
    sources = {
        lang: {
            b: hashlib.sha256(t.encode("utf-8")).hexdigest()[:16]
            for b, t in zip(BOOKS[lang], texts[lang], strict=True)
        }
        for lang in BOOKS
    }
    meta = {
        "built_by": "scripts/build_fluency_ngram.py",
        "training_books_sha256_16": sources,
        "modern_zh": {
            "source": f"{WRITINGBENCH}/**/*.jsonl (Apache-2.0): distinct queries > 30% CJK, sha256 even",
            "queries": len(modern),
            "characters": sum(map(len, modern)),
            "sha256_16": hashlib.sha256("\n".join(modern).encode("utf-8")).hexdigest()[:16],
        },
        "zh_classes": len(m.zh_chars),
        "en_classes": int((m.en_cls > 0).sum()),
        "npz_sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
    }
    args.out.with_suffix(".json").write_text(
        json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(meta, indent=1, ensure_ascii=False), f"\n{args.out}: {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
