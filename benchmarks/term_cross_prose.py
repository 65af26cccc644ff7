"""Term-consistency false positives when a completion is not about the book (docs/rewards.md, "Cross prose").

    python benchmarks/term_cross_prose.py [--show] [--n N] [--whole]
    python benchmarks/term_cross_prose.py --fit-books [--show]

In GRPO a row's ``terms`` come from a passage of the source book (its glossary terms, at most 20, as
``BookDataset.sample_terms`` picks them) and the reward reads the model's completion. This check pairs each
row with text that knows nothing of the book, so every near miss it finds is a false positive: a legitimate
different word flagged as a slip of a book's name (``send`` for the Surrey village Send, ``Martin`` for
``Martian``, 包括 for a name with 包).

- English: slop-score's LLM stories and essays (22 current models; 1,500+ characters), each scored whole
  against a 6,000-character passage of one of the six English corpus books, in turn.
- Chinese: windows (~1,000 characters) of WritingBench's long Chinese queries (as term_unseen_prose.py),
  each against a 3,000-character passage of one of the Chinese corpus books, in turn.

``--whole`` scores each text against its book's whole glossary (top 200) instead: no GRPO row carries that
many terms, so it is an upper bound that shows which terms collide with ordinary words.

``--fit-books`` (Chinese, about 15 s) scores every ~1,000-character window of one *fit* book of
term_variants_quality.py (镜花缘, 呐喊, 朝花夕拾) against each other fit book's terms and ``term_forms``: a
sampled row (20 terms of a 3,000-character passage) and the whole top-200 glossary. Every hit is a false
positive, and no held-out book is read; ``--show`` lists them all.

Texts are split in two halves by a hash of their opening (a Chinese window by its document's, the halves of
term_unseen_prose.py): ``look`` may be read to find a rule (``--show`` lists its hits, and only its hits);
``sealed`` is only ever counted. Target: no hit in >= 99% of texts.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from term_unseen_prose import documents, half  # noqa: E402
from term_variants_quality import FIT_BOOKS, SHARED, windows  # noqa: E402

from swift_scifi.datasets.terms import GlossaryMatcher, attested_forms, extract_terms  # noqa: E402
from swift_scifi.rewards.term_consistency import term_report  # noqa: E402

PASSAGE = {"en": 6000, "zh": 3000}  # characters of book text a row's terms are picked from
MIN_CHARS = 1500
HALVES = ("look", "sealed")


def llm_texts(n: int) -> list[str]:
    """The first ``n`` English slop-score outputs of 1,500+ characters, in a fixed shuffled order."""
    path = SHARED.parent / "bench" / "slop-score-outputs" / "outputs.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    random.Random(0).shuffle(rows)
    return [t for r in rows if len(t := r.get("text") or "") >= MIN_CHARS][:n]


def zh_windows() -> list[tuple[str, str]]:
    """(window, half of its document): the halves of term_unseen_prose.py, so its sealed documents stay unread."""
    return [(w, half(doc)) for doc in documents()["zh"] for w in windows(doc, 1000)]


def books(lang: str) -> list[tuple[str, str, list[str], GlossaryMatcher, dict]]:
    out = []
    for path in sorted((SHARED / lang).glob("*.txt")):
        text = path.read_text("utf-8")
        glossary = extract_terms(text, lang, top_k=200)
        out.append((path.stem, text, glossary, GlossaryMatcher(glossary), attested_forms(text, glossary)))
    return out


def fit_books(show: bool) -> None:
    """The --fit-books mode (module docstring)."""
    shelf = [b for b in books("zh") if b[0] in FIT_BOOKS]
    rng = random.Random(3)
    hits: Counter = Counter()
    n = 0
    for name_a, text_a, *_ in shelf:
        for name_b, text_b, glossary, matcher, forms_of in shelf:
            if name_a == name_b:
                continue
            for w in windows(text_a, 1000):
                n += 1
                at = rng.randrange(len(text_b) - PASSAGE["zh"])
                sampled = matcher.terms_in(text_b[at : at + PASSAGE["zh"]], 20)
                for mode, terms in (("sampled", sampled), ("whole", glossary)):
                    rep = term_report(w, terms, forms=[f for t in terms for f in forms_of.get(t, ())])
                    hits[mode] += bool(rep.n_variants)
                    for term, found in rep.variants.items() if show else ():
                        for surface, kind in found:
                            j = w.find(surface)
                            around = w[max(0, j - 10) : j + len(surface) + 10].replace("\n", "/")
                            print(
                                f"    {mode} {name_a[:8]} <- {name_b[:8]} {term} -> {surface} ({kind}) {around}"
                            )
    print(
        f"zh fit books' cross prose: windows with a hit, sampled row {hits['sampled']}/{n}, whole glossary {hits['whole']}/{n}"
    )


def main() -> None:
    if not SHARED.is_dir():
        sys.exit(f"corpus not found at {SHARED}: set SCIFI_SHARED_DATA to the shared data folder")
    if "--fit-books" in sys.argv:
        fit_books("--show" in sys.argv)
        return
    show, whole = "--show" in sys.argv, "--whole" in sys.argv
    n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 3000
    rng = random.Random(2)
    shown: list[str] = []
    en = [(t, half(t)) for t in llm_texts(n)]
    for lang, texts in (("en", en), ("zh", zh_windows())):
        shelf = books(lang)
        counts: Counter = Counter()
        kinds: Counter = Counter()
        for i, (text, h) in enumerate(texts):
            name, book, glossary, matcher, forms_of = shelf[i % len(shelf)]
            at = rng.randrange(max(1, len(book) - PASSAGE[lang]))
            terms = glossary if whole else matcher.terms_in(book[at : at + PASSAGE[lang]], 20)
            counts[f"{h}:n"] += 1
            if not terms:
                continue
            rep = term_report(text, terms, forms=[f for t in terms for f in forms_of.get(t, ())])
            if not rep.n_variants:
                continue
            counts[f"{h}:hit"] += 1
            for term, found in rep.variants.items():
                for surface, kind in found:
                    kinds[f"{h}:{kind}"] += 1
                    if show and h == "look":
                        j = text.find(surface)
                        around = text[max(0, j - 16) : j + len(surface) + 16].replace("\n", "/")
                        shown.append(f"{lang} {name[:12]} {term} -> {surface} ({kind}) {around}")
        print(
            f"{lang}: texts with a near-miss hit: " + "; ".join(half_line(h, counts, kinds) for h in HALVES)
        )
    for line in shown:
        print("   ", line)


def half_line(h: str, counts: Counter, kinds: Counter) -> str:
    """One half's texts with a hit, of all, and its hits by kind: 'look 4/1530 (0.26%; case 7)'."""
    n, hit = counts[f"{h}:n"], counts[f"{h}:hit"]
    by = ", ".join(f"{k.split(':')[1]} {c}" for k, c in sorted(kinds.items()) if k.startswith(h + ":"))
    return f"{h} {hit}/{n} ({hit / max(n, 1):.2%}; {by or 'none'})"


if __name__ == "__main__":
    main()
