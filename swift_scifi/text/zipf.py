"""English word frequency: Zipf values (log10 uses per 1e9 words) of wordfreq's 60,000 commonest words.

wordfreq folds case, so a name (``elizabeth`` 4.5) reads as common as a noun; read a value as "how familiar
the spelling is to a reader", never as "is a common noun". Source: ``data/terms/en_zipf.tsv.gz`` (derived
from wordfreq, word lists CC-BY-SA 4.0; see docs/datasets.md).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

ZIPF_PATH = Path(__file__).resolve().parent.parent / "data" / "terms" / "en_zipf.tsv.gz"
ABSENT = 1.0  # the value of a word outside the list (rarer than its last word, Zipf 2.4)


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """English word (lower case) -> Zipf frequency; absent words are rarer."""
    out: dict[str, float] = {}
    with gzip.open(ZIPF_PATH, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            w, z = line.rstrip("\n").split("\t")
            out[w] = float(z)
    return out


def zipf(word: str) -> float:
    """Zipf frequency of ``word`` in any case (0-8; ``ABSENT`` = 1.0 outside the list)."""
    return zipf_table().get(word.lower(), ABSENT)
