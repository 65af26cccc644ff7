"""Stage a: split the corpus by book, so held-out books supply held-out prompts and held-out human text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from swift_scifi.atomic_write import write_text
from swift_scifi.datasets.corpus import read_corpus


def split_corpus(corpus: Path, heldout: list[str], out: Path, data_book_chars: int) -> dict[str, Any]:
    """Write ``out/train/<lang>/*.txt``, ``out/heldout/<lang>/*.txt`` and ``out/train_data/<lang>/*.txt``
    (training books cut to ``data_book_chars`` characters, what the dataset builders read); return the split.

    ValueError when a held-out name is not a book of the corpus or when either side has no book.
    """
    books = read_corpus(corpus)
    names = {b.name for b in books}
    unknown = [h for h in heldout if h not in names]
    if unknown:
        raise ValueError(f"held-out books not in the corpus {corpus}: {unknown} (books: {sorted(names)})")
    split: dict[str, Any] = {"corpus": str(corpus), "train": [], "heldout": []}
    for book in books:
        side = "heldout" if book.name in heldout else "train"
        _write(out / side / book.lang / f"{book.name}.txt", book.text)
        if side == "train":
            _write(out / "train_data" / book.lang / f"{book.name}.txt", book.text[:data_book_chars])
        split[side].append({"name": book.name, "lang": book.lang, "chars": len(book.text)})
    if not split["train"] or not split["heldout"]:
        raise ValueError(f"the split needs books on both sides: {split}")
    return split


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as UTF-8 JSON atomically (a stage's artefact is whole or absent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
