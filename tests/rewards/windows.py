"""Random character windows of the shared corpus: the clean-human-prose sample of the gate tests."""

from __future__ import annotations

import random
from pathlib import Path


def random_windows(corpus: Path, lang: str, n: int, size: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (novel, window) pairs of ``size`` characters at random offsets, novels taken in turn."""
    rng = random.Random(seed)
    files = sorted((corpus / lang).glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    out = []
    for i in range(n):
        k = i % len(files)
        start = rng.randrange(0, max(1, len(texts[k]) - size))
        out.append((files[k].stem, texts[k][start : start + size]))
    return out
