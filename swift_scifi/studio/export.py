"""Editors' judgements as ms-swift 4.6 training rows, and safe paths for files the studio reads or writes.

Formats (``swift rlhf`` / ``swift sft`` read them as they are; extra keys are kept as columns and dropped
by ms-swift before training):

- ``dpo``: ``{"messages": [user prompt, assistant chosen], "rejected_response": rejected}`` from
  (1) arena votes "a"/"b" (winner > loser; ties and both_bad give no pair), (2) edits (edited > original),
  (3) rankings (first > last). A pair needs both candidates to answer the same prompt and differing texts.
- ``kto``: ``{"messages": [user, assistant], "label": true|false}`` from ratings: the thumb when given,
  else the 1-5 rating (4-5 desirable, 1-2 undesirable, 3 left out).
- ``sft``: ``{"messages": [user, assistant edited text]}`` from edits.

Every row also carries ``editor``, ``source`` ("vote", "edit", "ranking", "rating") and ``source_id``;
rows from edits carry ``edit_cost`` (:mod:`.edit_cost`) and ``tags``.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .db import Candidate, Edit, Ranking, Rating, Vote

if TYPE_CHECKING:
    from .store import Store

FORMATS = ("dpo", "kto", "sft")
RATING_GOOD, RATING_BAD = 4, 2  # rating >= 4: desirable; <= 2: undesirable; 3: no KTO row


def _messages(prompt: str, response: str) -> list[dict]:
    return [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]


def _edit_fields(edit) -> dict:
    cost = {
        "chars": edit.char_cost,
        "words": edit.word_cost,
        "char_distance": edit.char_distance,
        "word_distance": edit.word_distance,
    }
    return {"edit_cost": cost, "tags": list(edit.tags or [])}


def _pair(
    chosen, rejected, editor: str, source: str, source_id: int, skipped: Counter, **extra
) -> dict | None:
    if chosen.prompt != rejected.prompt:
        skipped[f"{source}: candidates answer different prompts"] += 1
        return None
    if chosen.text == rejected.text:
        skipped[f"{source}: chosen and rejected texts are the same"] += 1
        return None
    row = {"messages": _messages(chosen.prompt, chosen.text), "rejected_response": rejected.text}
    return {**row, "editor": editor, "source": source, "source_id": source_id, **extra}


def export_rows(store: Store, fmt: str, skipped: Counter | None = None) -> list[dict]:
    """Rows of format ``fmt`` ("dpo", "kto", "sft") from the store, oldest judgement first within each
    source. ``skipped`` (when given) counts the judgements that gave no row, by reason."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {FORMATS}, got {fmt!r}")
    skipped = Counter() if skipped is None else skipped
    with store.engine.connect() as conn, conn.begin():
        cands = {c.id: c for c in conn.execute(sa.select(Candidate.id, Candidate.prompt, Candidate.text))}
        if fmt == "dpo":
            return _dpo(conn, cands, skipped)
        if fmt == "kto":
            return _kto(conn, cands, skipped)
        rows = []
        for e in conn.execute(sa.select(Edit.__table__).order_by(Edit.id)):
            prompt = cands[e.candidate_id].prompt
            row = {
                "messages": _messages(prompt, e.after),
                "editor": e.editor,
                "source": "edit",
                "source_id": e.id,
            }
            rows.append({**row, **_edit_fields(e)})
        return rows


def _dpo(conn, cands: dict, skipped: Counter) -> list[dict]:
    rows = []
    for v in conn.execute(sa.select(Vote.__table__).order_by(Vote.id)):
        if v.outcome not in ("a", "b"):
            skipped[f"vote: {v.outcome} gives no pair"] += 1
            continue
        win, lose = (v.a_id, v.b_id) if v.outcome == "a" else (v.b_id, v.a_id)
        rows.append(_pair(cands[win], cands[lose], v.editor, "vote", v.id, skipped))
    for e in conn.execute(sa.select(Edit.__table__).order_by(Edit.id)):
        cand = cands[e.candidate_id]
        if e.after == e.before:
            skipped["edit: unchanged text"] += 1
            continue
        row = {"messages": _messages(cand.prompt, e.after), "rejected_response": e.before}
        rows.append({**row, "editor": e.editor, "source": "edit", "source_id": e.id, **_edit_fields(e)})
    for r in conn.execute(sa.select(Ranking.__table__).order_by(Ranking.id)):
        ids = list(r.candidate_ids)
        rows.append(_pair(cands[ids[0]], cands[ids[-1]], r.editor, "ranking", r.id, skipped))
    return [r for r in rows if r is not None]


def _kto(conn, cands: dict, skipped: Counter) -> list[dict]:
    rows = []
    for r in conn.execute(sa.select(Rating.__table__).order_by(Rating.id)):
        if r.thumb is not None:
            label = bool(r.thumb)
        elif r.rating >= RATING_GOOD or r.rating <= RATING_BAD:
            label = r.rating >= RATING_GOOD
        else:
            skipped["rating: 3 of 5 is neither desirable nor undesirable"] += 1
            continue
        cand = cands[r.candidate_id]
        row = {"messages": _messages(cand.prompt, cand.text), "label": label}
        rows.append({**row, "editor": r.editor, "source": "rating", "source_id": r.id})
    return rows


def write_jsonl(rows: list[dict], path: Path) -> None:
    """Write ``rows`` as UTF-8 JSON lines, atomically (a reader sees the old file or the new one)."""
    from ..atomic_write import write_text

    write_text(path, "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in rows))


# --- paths --------------------------------------------------------------------------------------
def _as_path(value: str | os.PathLike, what: str) -> Path:
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what}: empty path")
    if "\x00" in text:
        raise ValueError(f"{what}: path contains a NUL character")
    return Path(text).expanduser()


def resolve_inside(root: str | os.PathLike, name: str | os.PathLike, what: str = "path") -> Path:
    """``root/name`` resolved (symlinks followed), refused with ValueError unless it stays inside ``root``:
    for file names a user types into the studio (``../../etc/passwd``, absolute paths, links out)."""
    base = Path(root).expanduser().resolve()
    target = (base / _as_path(name, what)).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"{what}: {os.fspath(name)!r} resolves outside {base}")
    return target


def check_output_path(
    path: str | os.PathLike, root: str | os.PathLike | None = None, suffix: str = ".jsonl"
) -> Path:
    """A resolved path to write an export to: inside ``root`` when given, ending in ``suffix``, its folder
    existing, and not an existing folder, device or other non-regular file. ValueError otherwise."""
    out = resolve_inside(root, path, "output") if root is not None else _as_path(path, "output").resolve()
    if out.suffix.lower() != suffix:
        raise ValueError(f"output: {out} should end in {suffix}")
    if not out.parent.is_dir():
        raise ValueError(f"output: folder {out.parent} does not exist")
    if out.exists() and not stat.S_ISREG(out.stat().st_mode):
        raise ValueError(f"output: {out} exists and is not a regular file")
    return out


def check_input_path(
    path: str | os.PathLike, root: str | os.PathLike | None = None, max_bytes: int = 20_000_000
) -> Path:
    """A resolved path to read an import from: inside ``root`` when given, an existing regular file of at
    most ``max_bytes``. ValueError otherwise."""
    src = resolve_inside(root, path, "input") if root is not None else _as_path(path, "input").resolve()
    if not src.is_file():
        raise ValueError(f"input: {src} is not an existing regular file")
    size = src.stat().st_size
    if size > max_bytes:
        raise ValueError(f"input: {src} is {size:,} bytes, over the limit of {max_bytes:,}")
    return src
