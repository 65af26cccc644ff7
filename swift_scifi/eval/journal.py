"""Append-only JSONL journal that survives a kill: resume never counts a record twice.

Each record is written as one complete line with a single ``write`` and flushed. On reopening, a torn last
line (killed mid-write) is cut off, and :meth:`Journal.done` tells which keys already have a final record.
Readers use :func:`read_final`, which keeps one record per key (the first success, else the last failure).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

Key = Callable[[dict[str, Any]], Hashable]


def _is_success(rec: dict[str, Any]) -> bool:
    return not rec.get("error")


def repair_tail(path: Path) -> int:
    """Cut a partial last line (no trailing newline or not JSON); returns the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    with open(path, "rb+") as fh:
        data = fh.read()
        good = data.rfind(b"\n") + 1
        tail = data[good:]
        if tail.strip():
            try:
                json.loads(tail)
                fh.seek(0, os.SEEK_END)
                fh.write(b"\n")  # complete but unterminated: keep it, terminate it
                return 0
            except ValueError:
                pass
        fh.truncate(good)
    return size - good


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


def read_final(path: str | Path, key: Key) -> dict[Hashable, dict[str, Any]]:
    """One record per key from a journal file: the first successful one, else the last failure."""
    return select_final(iter_records(Path(path)), key)


def select_final(records: Iterable[dict[str, Any]], key: Key) -> dict[Hashable, dict[str, Any]]:
    """One record per key: the first successful one, else the last failure."""
    out: dict[Hashable, dict[str, Any]] = {}
    for rec in records:
        k = key(rec)
        if k not in out or not _is_success(out[k]):
            out[k] = rec
    return out


class Journal:
    """``with Journal(path, key) as j: if k not in j.done: j.append(rec)``."""

    def __init__(self, path: str | Path, key: Key, retry_failed: bool = True):
        self.path = Path(path)
        self.key = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.repaired_bytes = repair_tail(self.path)
        self.done: set[Hashable] = set()
        for rec in iter_records(self.path):
            if _is_success(rec) or not retry_failed:
                self.done.add(key(rec))
        self._fh = None

    def __enter__(self) -> Journal:
        self._fh = open(self.path, "a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None

    def append(self, rec: dict[str, Any]) -> None:
        """Write one record as one line and flush it; a key already done is not written again."""
        k = self.key(rec)
        if k in self.done:
            return
        assert self._fh is not None, "use `with Journal(...)`"
        self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self._fh.flush()
        if _is_success(rec):
            self.done.add(k)
