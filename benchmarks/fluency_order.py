"""The fluency gate's word-order check (issue 10) measured on held-out text: clean human prose, LLM prose and
word salad, leave-one-book-out.

Every corpus window (and every salad made of a window's own words) is scored by a model built without its
book (:func:`scripts.build_fluency_ngram.build` on the other five books of its language, plus the modern
Chinese training half for zh); LLM outputs, salads of ``wordfreq`` words and modern Chinese (the held-out
``test`` half of WritingBench's Chinese queries, LongBench-Write's Chinese prompts) by the shipped model
(none of that text is in it). Books and LLMs are split in two halves: ``fit`` (books 1, 3, 5 in name order,
even-ranked models) to set the ramps of ``RAMPS["order_zh"/"order_en"]``, ``report`` (the other half) to
check them; the modern rows are reported once.

Run: ``PYTHONPATH=. python benchmarks/fluency_order.py [--raw]`` (about 2 min; needs ../shared/data).
``--raw`` prints quantiles of the mean pmi instead of the tables.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.build_fluency_ngram import BOOKS, build, modern_zh  # noqa: E402
from swift_scifi.rewards import fluency as fl  # noqa: E402
from swift_scifi.rewards.view import TextView  # noqa: E402
from swift_scifi.text.ngram import load_model  # noqa: E402
from swift_scifi.validation.data import llm_outputs, longbench_queries  # noqa: E402
from swift_scifi.validation.planted import frequent_word_salad, sentences_shuffled, shuffled_words  # noqa: E402

DATA = REPO.parent / "shared" / "data"
CORPUS = DATA / "corpus"
SIZES = (100, 300, 1000, 3000, 4000)


def order_counts(text: str, lang: str | None, model) -> tuple[np.ndarray, float]:
    """(features with the order counts of ``model``, fluency score with them)."""
    view = TextView(text, lang)
    f = fl.fluency_features(view).copy()
    _, t2s, bits = fl._resources()
    c = fl.char_counts(view.codepoints, t2s, bits, model.zh_id, order_table(model))
    f[fl.ZH_ORDER_PAIRS], f[fl.ZH_ORDER_SUM] = c[fl.ZH_ORDER_PAIRS], c[fl.ZH_ORDER_SUM]
    f[fl.EN_ORDER_PAIRS], f[fl.EN_ORDER_SUM] = fl.en_order(view.word_hashes, f, model)
    score = float(fl._factors(f, fl._RAMP_TABLE).prod()) * fl.script_factor(view)
    return f, score


_ORDER: dict[int, np.ndarray] = {}


def order_table(model) -> np.ndarray:
    """The model's zh pmi table with the pairs inside known words marked (as :func:`fl.zh_order_tables`)."""
    if id(model) not in _ORDER:
        _ORDER[id(model)] = fl._mark_known_pairs(model.zh_chars, model.zh_pmi, fl._resources()[2])
    return _ORDER[id(model)]


def order_factor(f: np.ndarray, lang: str) -> float:
    """The order factor (0-1) alone."""
    return float(fl._factors(f, fl._RAMP_TABLE)[list(fl.RAMPS).index(f"order_{lang}")])


def mean_pmi(f: np.ndarray, lang: str) -> float:
    n, s = (fl.ZH_ORDER_PAIRS, fl.ZH_ORDER_SUM) if lang == "zh" else (fl.EN_ORDER_PAIRS, fl.EN_ORDER_SUM)
    return f[s] / fl.ORDER_SCALE / f[n] if f[n] else float("nan")


def windows(text: str, size: int, n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        s = rng.randrange(max(1, len(text) - size))
        out.append(text[s : s + size])
    return out


def q(xs: list[float]) -> str:
    a = np.array([x for x in xs if x == x])
    if not len(a):
        return "n=0"
    return f"n={len(a)} min={a.min():.2f} p1={np.percentile(a, 1):.2f} p5={np.percentile(a, 5):.2f} med={np.median(a):.2f} max={a.max():.2f}"


def salad_lines(size: int, layout: str, rng: random.Random) -> str:
    """``size`` characters of wordfreq's 2,000 most frequent Chinese words in lines of 6-16 characters: bare
    (``in lines``: no sentence mark, so every pair weighs a third) or ``as a bulleted list`` (``- …。``)."""
    import wordfreq

    vocab = [w for w in wordfreq.top_n_list("zh", 2000) if w.isalpha()]
    lines: list[str] = []
    while sum(len(x) + 3 for x in lines) < size:
        line = ""
        while len(line) < rng.randint(6, 16):
            line += rng.choice(vocab)
        lines.append(line if layout == "in lines" else f"- {line}。")
    return "\n".join(lines)[:size]


def modern_rows(rng: random.Random) -> list[tuple[str, int, list[str]]]:
    """(kind, chars, texts) of modern Chinese none of which the shipped model saw: the held-out half of
    WritingBench's Chinese queries and LongBench-Write's Chinese prompts, whole, as one window each of 300
    and 1,000 characters, and those windows with their own words shuffled."""
    lb = [q["prompt"] for q in longbench_queries(DATA).get("longbench_write.jsonl", [])]
    test = modern_zh(DATA, "test") + [p for p in lb if len(re.findall(r"[\u4e00-\u9fff]", p)) > 0.3 * len(p)]
    out = [("modern zh prompts (held-out WritingBench half, LongBench-Write)", 0, test)]
    for size in (300, 1000):
        ws = [w for t in test if len(t) >= size for w in windows(t, size, 1, rng)]
        out.append(("modern zh windows", size, ws))
        out.append(
            ("modern zh windows, own words shuffled", size, [shuffled_words(w, "zh", rng) for w in ws])
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--n", type=int, default=300, help="clean windows per language, size and half")
    args = ap.parse_args()
    full = load_model()
    texts = {
        lang: {b: (CORPUS / lang / f"{b}.txt").read_text(encoding="utf-8") for b in bs}
        for lang, bs in BOOKS.items()
    }
    modern = modern_zh(DATA, "train")
    lobo = {
        (lang, b): build(
            {lang: [t for o, t in texts[lang].items() if o != b] + (modern if lang == "zh" else [])}
        )
        for lang in texts
        for b in texts[lang]
    }
    rows: list[
        tuple[str, str, str, int, list[float], list[float], list[float]]
    ] = []  # half, lang, kind, size, ...
    for lang in ("zh", "en"):
        books = sorted(texts[lang])
        for half, bs in (("fit", books[0::2]), ("report", books[1::2])):
            rng = random.Random(f"{half}:{lang}")
            for size in SIZES:
                per = max(1, args.n // len(bs))
                kinds: dict[str, list[tuple[str, str | None, object]]] = {}
                for b in bs:
                    m = lobo[(lang, b)]
                    ws = windows(texts[lang][b], size, per, rng)
                    kinds.setdefault("clean", []).extend((w, lang, m) for w in ws)
                    if size in (100, 300, 1000, 4000):
                        kinds.setdefault("own words shuffled", []).extend(
                            (shuffled_words(w, lang, rng)[:size], lang, m) for w in ws[:20]
                        )
                        kinds.setdefault("words shuffled in every sentence", []).extend(
                            (sentences_shuffled(w, lang, rng)[:size], lang, m) for w in ws[:20]
                        )
                    if size in (1000, 3000):
                        for share in (0.1, 0.25):
                            kinds.setdefault(f"{share:.0%} of sentences shuffled", []).extend(
                                (sentences_shuffled(w, lang, rng, share), lang, m) for w in ws[:20]
                            )
                if size in (100, 300, 1000, 4000):
                    for top in (200, 2000, 20000):
                        kinds[f"wordfreq top-{top} salad"] = [
                            (frequent_word_salad(" " * size, lang, rng, top), lang, full) for _ in range(40)
                        ]
                if lang == "zh" and size in (300, 1000, 4000):  # own generator: the other rows keep theirs
                    lrng = random.Random(f"lines:{half}:{size}")
                    for layout in ("in lines", "as a bulleted list"):
                        kinds[f"top-2000 salad {layout}"] = [
                            (salad_lines(size, layout, lrng), lang, full) for _ in range(40)
                        ]
                for kind, items in kinds.items():
                    got = [order_counts(t, lg, m) for t, lg, m in items]
                    rows.append(
                        (
                            half,
                            lang,
                            kind,
                            size,
                            [order_factor(f, lang) for f, _ in got],
                            [mean_pmi(f, lang) for f, _ in got],
                            [s for _, s in got],
                        )
                    )
        if lang == "zh":
            for kind, size, items in modern_rows(random.Random("modern")):
                got = [order_counts(t, "zh", full) for t in items]
                rows.append(
                    (
                        "report",
                        "zh",
                        kind,
                        size,
                        [order_factor(f, "zh") for f, _ in got],
                        [mean_pmi(f, "zh") for f, _ in got],
                        [s for _, s in got],
                    )
                )
        if lang == "en":
            llm = llm_outputs(DATA)
            models = sorted({x.model for x in llm})
            for half, parity in (("fit", 0), ("report", 1)):
                got = [order_counts(x.text, "en", full) for x in llm if models.index(x.model) % 2 == parity]
                rows.append(
                    (
                        half,
                        "en",
                        "LLM outputs (slop-score)",
                        0,
                        [order_factor(f, "en") for f, _ in got],
                        [mean_pmi(f, "en") for f, _ in got],
                        [s for _, s in got],
                    )
                )
    if args.raw:
        for half, lang, kind, size, _, pm, _ in rows:
            print(f"{half:6} {lang} {size:5} {kind:34} {q(pm)}")
        return
    print(
        "| half | lang | text | chars | n | mean pmi (median) | order < 1 | fluency < 1 | fluency ≤ 0.1 | mean fluency |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for half, lang, kind, size, of, pm, sc in rows:
        a = np.array(sc)
        print(
            f"| {half} | {lang} | {kind} | {size or 'all'} | {len(a)} | {np.nanmedian(pm):.2f} | "
            f"{(np.array(of) < 1).mean():.1%} | "
            f"{(a < 1).mean():.1%} | {(a <= 0.1).mean():.1%} | {a.mean():.3f} |"
        )


if __name__ == "__main__":
    main()
