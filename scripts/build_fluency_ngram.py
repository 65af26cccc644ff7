"""Build the fluency gate's adjacent-pair model, ``swift_scifi/data/fluency/ngram.npz`` (see
:mod:`swift_scifi.text.ngram`).

Training text: the twelve public-domain books of the shared corpus (``../shared/data/corpus``, provenance in
its SOURCES.md; 6 English, 6 Chinese), read in full. Measurements are made leave-one-book-out (every window
scored by a model built without its book) by ``benchmarks/fluency_order.py``, which calls :func:`build`.

Run: ``PYTHONPATH=. python scripts/build_fluency_ngram.py [--corpus ../shared/data/corpus]`` (about 10 s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from numba import njit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from swift_scifi.rewards.fluency import _t2s_table  # noqa: E402
from swift_scifi.text import profile  # noqa: E402
from swift_scifi.text.ngram import CLIP, DATA, EN_CLASSES, NgramModel, en_slot, log_count, zh_pair_slot  # noqa: E402

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
ZH_BITS = 20  # the character-pair table has 2**20 one-byte buckets


@njit(cache=True)
def _count_zh(cp, t2s, uni, bi, bits, keys):
    """Count characters and hashed pairs; returns the exact pair keys (a << 32 | b)."""
    prev = 0
    k = 0
    for c in cp:
        if profile.is_cjk(c) and c < 0x10000:
            s = t2s[c]
            uni[s] += 1
            if prev:
                bi[zh_pair_slot(prev, s, bits)] += 1
                keys[k] = (np.uint64(prev) << np.uint64(32)) | np.uint64(s)
                k += 1
            prev = s
        else:
            prev = 0
    return keys[:k]


@njit(cache=True)
def _add_types(firsts, types):
    for a in firsts:
        types[a] += 1


@njit(cache=True)
def _insert(keys, cls, h, c):
    h = h | np.uint64(1)
    mask = np.uint64(keys.size - 1)
    j = en_slot(h, mask)
    while keys[j] != 0 and keys[j] != h:
        j = (j + np.uint64(1)) & mask
    keys[j] = h
    cls[j] = c


def build(texts: dict[str, list[str]], zh_bits: int = ZH_BITS, classes: int = EN_CLASSES) -> NgramModel:
    """The model counted over ``texts`` (lang -> list of texts)."""
    t2s = _t2s_table()
    zu, zb, zt = np.zeros(0x10000), np.zeros(1 << zh_bits), np.zeros(0x10000)
    zkeys = []
    for t in texts.get("zh", []):
        cp = profile.codepoints(t)
        zkeys.append(_count_zh(cp, t2s, zu, zb, zh_bits, np.empty(cp.size, np.uint64)))
    if zkeys:  # distinct followers of each character (Witten-Bell)
        _add_types((np.unique(np.concatenate(zkeys)) >> np.uint64(32)).astype(np.int64), zt)
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
    return NgramModel(log_count(zu), log_count(zt), log_count(zb), float(zu.sum()), keys, cls, q.ravel())


def read_books(corpus: Path, books: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        lang: [(corpus / lang / f"{b}.txt").read_text(encoding="utf-8") for b in bs]
        for lang, bs in books.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "data" / "corpus")
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args()
    texts = read_books(args.corpus, BOOKS)
    m = build(texts)
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
        "zh_pair_bits": ZH_BITS,
        "zh_characters": m.zh_total,
        "zh_pair_table_occupancy": round(float((m.zh_bi > 0).mean()), 4),
        "en_classes": int((m.en_cls > 0).sum()),
        "npz_sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
    }
    args.out.with_suffix(".json").write_text(
        json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(meta, indent=1, ensure_ascii=False), f"\n{args.out}: {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
