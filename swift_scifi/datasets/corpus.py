"""Read a corpus of long-form fiction: a .txt file, a folder of .txt files, or a .jsonl of books.

A .jsonl corpus has one book per line: ``{"text": str, "title"?: str, "lang"?: "zh"|"en"}``.
Bad inputs are skipped and counted (see :class:`SkipLog`): files or lines that are not UTF-8, empty
books, rows that are not JSON objects or lack ``text``, and books longer than ``max_book_chars``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from swift_scifi.text.lang import detect_lang
from swift_scifi.text.length import count_length

from .skips import SkipLog

MAX_BOOK_CHARS = 20_000_000  # about 40 MB of UTF-8 Chinese; longer "books" are almost surely not one book


@dataclass(frozen=True)
class Book:
    """One work of fiction: ``name`` identifies it (file stem or jsonl title), ``lang`` is 'zh' or 'en'."""

    name: str
    text: str
    lang: str


def sample_corpus_path() -> Path:
    """The small public-domain sample shipped in the package (zh and en), used when no corpus is given."""
    return Path(__file__).resolve().parent.parent / "data" / "corpus"


def read_corpus(
    path: str | Path, skips: SkipLog | None = None, max_book_chars: int = MAX_BOOK_CHARS
) -> list[Book]:
    """Every readable book under ``path``, sorted by name. Raises FileNotFoundError naming a missing path."""
    root = Path(path).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"corpus path does not exist: {root}")
    own = skips is None
    skips = skips or SkipLog("corpus items")
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".jsonl") and p.is_file())
        if not files:
            raise FileNotFoundError(f"no .txt or .jsonl files under corpus folder: {root}")
    else:
        files = [root]
    books = [b for f in files for b in _read_file(f, skips, max_book_chars)]
    if own:
        skips.report()
    return books


def _read_file(path: Path, skips: SkipLog, max_chars: int) -> Iterator[Book]:
    if path.suffix == ".jsonl":
        yield from _read_jsonl(path, skips, max_chars)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        skips.add("files not UTF-8", path.name)
        return
    book = _make_book(path.stem, text, None, skips, max_chars)
    if book:
        yield book


def _read_jsonl(path: Path, skips: SkipLog, max_chars: int) -> Iterator[Book]:
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path.name}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                skips.add("lines not UTF-8", where)
                continue
            if not line.strip():
                skips.add("empty lines", where)
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                skips.add("lines not JSON", where)
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                skips.add("rows without a 'text' string", where)
                continue
            lang = row.get("lang") if row.get("lang") in ("zh", "en") else None
            book = _make_book(
                str(row.get("title") or f"{path.stem}-{lineno}"), row["text"], lang, skips, max_chars
            )
            if book:
                yield book


def _make_book(name: str, text: str, lang: str | None, skips: SkipLog, max_chars: int) -> Book | None:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        skips.add("empty books", name)
        return None
    if len(text) > max_chars:
        skips.add(f"books over {max_chars} characters", name)
        return None
    return Book(_title_line(text) or name, text, lang or detect_lang(text[:20000]))


def _title_line(text: str) -> str:
    """The book's first line when it reads as a title (short, no sentence punctuation), else ''."""
    first = text.lstrip().split("\n", 1)[0].strip().rstrip(";；")
    return (
        first
        if 0 < count_length(first) <= 12 and not first.endswith(("。", ".", "！", "!", "？", "?"))
        else ""
    )
