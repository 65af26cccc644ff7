"""A project from a text file of earlier chapters: split into chapters, glossary pre-filled by the extractor.

Pure functions over text; the file itself is read by the caller (the app reads the upload gradio stored,
never a path the editor typed, so there is no path to traverse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_IMPORT_BYTES = 5_000_000  # one uploaded text file, bytes
MAX_CHAPTERS = 500
GLOSSARY_TOP_K = 100  # terms the extractor pre-fills

_HEADING = re.compile(
    r"^[ \t　]*(?:#{1,3}[ \t]+\S.*"
    r"|第[0-9零一二三四五六七八九十百千两〇]+[章回节卷部].{0,40}"
    r"|(?:chapter|CHAPTER|Chapter)[ \t]+(?:[0-9]+|[IVXLCDM]+|[A-Za-z-]+)\b.{0,80}"
    r"|[IVXLC]+\.?[ \t]*)$",
    re.M,
)


@dataclass(frozen=True)
class ImportedChapter:
    """One chapter of an imported file: its heading line (or a generated title) and its text."""

    title: str
    text: str


def decode(data: bytes) -> str:
    """UTF-8 (BOM allowed) or GB18030 text; ValueError for anything else or a file over the size limit."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"the file is {len(data):,} bytes; the limit is {MAX_IMPORT_BYTES:,}")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc).replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is not UTF-8 or GB18030 text")


def split_chapters(text: str) -> list[ImportedChapter]:
    """Chapters at heading lines (``# ...``, ``第三章 ...``, ``Chapter 3``, ``III``); text before the first
    heading is a chapter of its own when not blank; no heading at all gives one chapter."""
    heads = list(_HEADING.finditer(text))
    out: list[ImportedChapter] = []
    if not heads:
        return [ImportedChapter("Chapter 1", text.strip())] if text.strip() else []
    if text[: heads[0].start()].strip():
        out.append(ImportedChapter("Prologue", text[: heads[0].start()].strip()))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end() : end].strip()
        if body:
            out.append(ImportedChapter(m.group(0).strip().lstrip("#").strip()[:200], body))
    if len(out) > MAX_CHAPTERS:
        raise ValueError(f"{len(out)} chapters found; the limit is {MAX_CHAPTERS}")
    return out


def prefill_glossary(text: str, top_k: int = GLOSSARY_TOP_K) -> list[str]:
    """The glossary extractor's terms of ``text`` (as ``swift-scifi glossary``), most frequent first."""
    from swift_scifi.datasets.terms import cached_extract_terms
    from swift_scifi.text.lang import detect_lang

    return cached_extract_terms(text, detect_lang(text[:20000]), top_k=top_k)
