"""Derive the small corpus sample shipped in swift_scifi/data/corpus/ from the full public-domain corpus.

    python examples/make_corpus_sample.py ../shared/data/corpus swift_scifi/data/corpus

Keeps the title lines and the first chapters of a few books, with their headings, so the chapter
splitter and every dataset builder work offline. See swift_scifi/data/corpus/SOURCES.md.
"""

import sys
from pathlib import Path

from swift_scifi.text.chapters import find_headings

# file -> number of chapters to keep
PICKS = {
    "en/wells_the_time_machine.txt": 5,
    "en/wells_the_war_of_the_worlds.txt": 4,
    "en/shelley_frankenstein.txt": 3,
    "zh/liu_e_laocan_youji.txt": 4,
    "zh/wu_chengen_xiyouji.txt": 3,
    "zh/lu_xun_nahan.txt": 4,
}


def main(src: str, dst: str) -> None:
    for rel, keep in PICKS.items():
        text = (Path(src) / rel).read_text(encoding="utf-8")
        heads = find_headings(text)
        # the chapter after the last kept one starts where the cut goes; skip TOC headings (tiny bodies)
        real = [h for i, h in enumerate(heads) if i + 1 == len(heads) or heads[i + 1][0] - h[1] > 400]
        cut = real[keep][0] if len(real) > keep else len(text)
        out = Path(dst) / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text[:cut].rstrip() + "\n", encoding="utf-8")
        print(f"{rel}: {cut} chars")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
