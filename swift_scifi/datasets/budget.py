"""Token budgets: count a text's tokens exactly (a tokenizer.json) or conservatively (no tokenizer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from swift_scifi.text.scripts import CJK_RE, WORD_RE

TokenCounter = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """Upper-bound guess for a byte-level BPE: 1.5 tokens per CJK character or English word, 1 per other symbol."""
    cjk = len(CJK_RE.findall(text))
    words = WORD_RE.findall(text)
    other = len(text) - cjk - sum(map(len, words)) - text.count(" ") - text.count("\n")
    return int(1.5 * (cjk + len(words)) + max(other, 0)) + 1


def tokenizer_counter(tokenizer: str | Path) -> TokenCounter:
    """Exact counter from a model folder (or file) holding ``tokenizer.json``; uses the `tokenizers` library."""
    from tokenizers import Tokenizer

    path = Path(tokenizer).expanduser()
    if path.is_dir():
        path = path / "tokenizer.json"
    if not path.is_file():
        raise FileNotFoundError(f"no tokenizer.json at {path}")
    tok = Tokenizer.from_file(str(path))
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids)


def resolve_counter(tokenizer: str | Path | None) -> TokenCounter:
    return tokenizer_counter(tokenizer) if tokenizer else estimate_tokens


def fit_tail(paragraphs: list[str], max_tokens: int, count: TokenCounter) -> str:
    """The longest run of whole trailing paragraphs within ``max_tokens`` (a cut last paragraph if none fits)."""
    kept: list[str] = []
    used = 0
    for para in reversed(paragraphs):
        n = count(para) + 1
        if used + n > max_tokens:
            if not kept and max_tokens > 0:
                kept.append(_cut_head(para, max_tokens, count))
            break
        kept.append(para)
        used += n
    return "\n\n".join(reversed(kept))


def _cut_head(text: str, max_tokens: int, count: TokenCounter) -> str:
    """Drop characters from the front of ``text`` until it fits."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if count(text[mid:]) <= max_tokens:
            hi = mid
        else:
            lo = mid + 1
    return text[lo:]
