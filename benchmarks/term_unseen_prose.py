"""Term-consistency false positives on prose no rule was read on (docs/rewards.md, "Unseen prose").

    python benchmarks/term_unseen_prose.py [--show]

The corpus books of term_variants_quality.py have been read hit by hit for ten rounds, so a rule fitted to
them can look general and not be. This check scores other prose the same way: WritingBench's long queries
(reports, policy papers, contracts, essays, stories: real-world material, some of it perhaps machine-written,
none of it read for a rule before round 11), every distinct query of 3,000+ characters, Chinese (40%+ Han
characters) and English (60%+ ASCII letters).
Each document gets its own glossary (top 200, as a book would), is cut into windows of about 1,000 (zh) /
1,500 (en) characters, and each window is scored with the glossary terms it contains (at most 20) and the
document's own near-forms (``term_forms``): any near miss is a false positive. Target: none in >= 99% of
windows.

The documents are split in two halves by a hash of their opening: ``look`` may be read to find a rule
(``--show`` lists its hits, and only its hits); ``sealed`` is only ever counted, so a rule read on the look
half is measured on prose nobody read. Both halves' hit windows are also counted per kind of hit (homophone,
lookalike, case, edit1 …), which names the mechanism without showing the text.

One dependence to know: the reward's Chinese context model (``zh_bigram.npz``, read at homophone-word hits)
was built partly from WritingBench's Chinese queries with an even sha256 (scripts/build_term_context.py),
so some Chinese documents here, in both halves, are prose that model has seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from term_variants_quality import window_report, windows  # noqa: E402

from swift_scifi.datasets.terms import GlossaryMatcher, attested_forms, extract_terms  # noqa: E402

BENCH = Path(os.environ.get("SCIFI_SHARED_DATA", ROOT.parent / "shared" / "data")) / "bench" / "writingbench"
MIN_CHARS = 3000
WINDOW = {"zh": 1000, "en": 1500}


def language(text: str) -> str | None:
    """'zh', 'en' or None (mixed): by the share of Han characters or ASCII letters."""
    if sum("\u4e00" <= c <= "\u9fff" for c in text) > 0.4 * len(text):
        return "zh"
    if sum(c.isascii() and c.isalpha() for c in text) > 0.6 * len(text):
        return "en"
    return None


def half(text: str) -> str:
    """'look' or 'sealed', by an MD5 hash of the document's first 200 characters."""
    return "sealed" if int(hashlib.md5(text[:200].encode("utf-8")).hexdigest(), 16) % 2 else "look"


def documents() -> dict[str, list[str]]:
    """{lang: distinct long queries}, in file order."""
    seen: dict[str, str] = {}
    for path in sorted(BENCH.rglob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            query = json.loads(line).get("query", "")
            if len(query) >= MIN_CHARS:
                seen.setdefault(query[:200], query)
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for query in seen.values():
        if lang := language(query):
            out[lang].append(query)
    return out


def main() -> None:
    if not BENCH.is_dir():
        sys.exit(f"WritingBench data not found at {BENCH}: set SCIFI_SHARED_DATA to the shared data folder")
    show = "--show" in sys.argv
    counts: Counter = Counter()
    shown: list[str] = []
    for lang, docs in documents().items():
        for doc in docs:
            h = half(doc)
            glossary = extract_terms(doc, lang, top_k=200)
            counts[f"{lang}:{h}:docs"] += 1
            matcher, forms_of = GlossaryMatcher(glossary), attested_forms(doc, glossary)
            for w in windows(doc, WINDOW[lang]):
                counts[f"{lang}:{h}:windows"] += 1
                rep = window_report(w, matcher, forms_of)
                if not rep or not rep.n_variants:
                    continue
                counts[f"{lang}:{h}:hit"] += 1
                for kind in {k for found in rep.variants.values() for _, k in found}:
                    counts[f"{lang}:{h}:kind:{kind}"] += 1  # windows per kind of hit: counted on both halves
                if show and h == "look":
                    for term, found in rep.variants.items():
                        for surface, kind in found:
                            i = w.find(surface)
                            around = w[max(0, i - 12) : i + len(surface) + 12].replace("\n", "/")
                            shown.append(f"{lang} {term} -> {surface} ({kind}) {around}")
    for lang in ("zh", "en"):
        parts = []
        for h in ("look", "sealed"):
            n, hit = counts[f"{lang}:{h}:windows"], counts[f"{lang}:{h}:hit"]
            parts.append(f"{h} {hit}/{n} ({hit / max(n, 1):.2%}; {counts[f'{lang}:{h}:docs']} documents)")
        print(f"{lang}: windows with a near-miss hit: " + ", ".join(parts))
        for h in ("look", "sealed"):
            pre = f"{lang}:{h}:kind:"
            kinds = {k[len(pre) :]: v for k, v in sorted(counts.items()) if k.startswith(pre)}
            print(f"    {h} windows per kind of hit: {kinds}")
    for line in shown:
        print("   ", line)


if __name__ == "__main__":
    main()
