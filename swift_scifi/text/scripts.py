"""Character classes as compiled regexes (CJK ideographs, Latin words)."""

import re

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, and the supplementary planes (Ext B-F).
CJK_CHAR = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
CJK_RE = re.compile(f"[{CJK_CHAR}]")
# An English "word": a run of Latin letters/digits, with inner apostrophes or hyphens (don't, well-known).
WORD_RE = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’\-][A-Za-z0-9\u00c0-\u024f]+)*")
LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
