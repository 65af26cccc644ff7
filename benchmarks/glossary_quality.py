"""Glossary precision and recall against hand labels (docs/datasets.md, "Glossary quality").

Two labelled sets, both in tests/terms/data/:
- gold.yaml: short original stories (zh, en) with invented names and coined terms. Recall: share of the
  gold terms (3+ uses) in the glossary; precision: share of the glossary that is gold or an accepted alias.
- book_labels.yaml: real public-domain books (shared corpus). Precision over the top N entries, each
  labelled keep/drop by hand; recall of the book's main names (gold) in the top 200.

Run: ``python benchmarks/glossary_quality.py`` (needs /work/shared/data or $SCIFI_SHARED_DATA for books).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from swift_scifi.datasets.terms import extract_terms  # noqa: E402

DATA = ROOT / "tests" / "terms" / "data"
SHARED = Path(os.environ.get("SCIFI_SHARED_DATA", "/work/shared/data")) / "corpus"


def story_scores() -> list[dict]:
    """Per story: precision and recall of the extracted glossary against gold.yaml."""
    rows = []
    for name, lab in yaml.safe_load((DATA / "gold.yaml").read_text("utf-8")).items():
        lang = name[:2]
        got = extract_terms((DATA / name).read_text("utf-8"), lang)
        gold, ok = set(lab["gold"]), set(lab["gold"]) | set(lab.get("ok") or [])
        rows.append(
            {
                "set": name,
                "terms": len(got),
                "precision": sum(t in ok for t in got) / max(len(got), 1),
                "recall": sum(g in got for g in gold) / len(gold),
                "missed": sorted(gold - set(got)),
                "wrong": [t for t in got if t not in ok],
            }
        )
    return rows


def book_scores() -> list[dict]:
    """Per labelled book: precision over the top N, recall of its main names in the top 200."""
    rows = []
    for name, lab in yaml.safe_load((DATA / "book_labels.yaml").read_text("utf-8")).items():
        path = SHARED / name
        if not path.exists():
            continue
        lang = name[:2]
        got = extract_terms(path.read_text("utf-8"), lang, top_k=200)
        top = got[: lab["top"]]
        yes, no = set(lab["keep"]), set(lab["drop"])
        unlabelled = [t for t in top if t not in yes and t not in no]
        judged = [t for t in top if t in yes or t in no]
        rows.append(
            {
                "set": name,
                "terms": len(top),
                "precision": sum(t in yes for t in judged) / max(len(judged), 1),
                "recall": sum(g in got for g in lab["gold"]) / len(lab["gold"]),
                "missed": [g for g in lab["gold"] if g not in got],
                "wrong": [t for t in top if t in no],
                "unlabelled": unlabelled,
            }
        )
    return rows


def main() -> None:
    print(f"{'set':40s} {'terms':>5s} {'precision':>9s} {'recall':>6s}  missed / wrong")
    for r in story_scores() + book_scores():
        extra = f"  unlabelled: {r['unlabelled']}" if r.get("unlabelled") else ""
        print(
            f"{r['set']:40s} {r['terms']:5d} {r['precision']:9.1%} {r['recall']:6.1%}  "
            f"{r['missed']} / {r['wrong']}{extra}"
        )


if __name__ == "__main__":
    main()
