"""Stage b: a tokenizer trained on the training books, a randomly initialised micro Qwen3, and token windows
(pretraining rows from training books, perplexity windows from held-out books)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from swift_scifi.datasets.corpus import Book, read_corpus
from swift_scifi.model.tiny import TinyConfig, make_tiny_model


def build_base_model(train_dir: Path, out: Path, model_cfg: dict[str, Any], tokenizer_chars: int) -> dict:
    """Write the random-init model + tokenizer to ``out``; the tokenizer sees the first ``tokenizer_chars``
    characters of each training book. Returns ``{"params": int, "vocab": int}``."""
    from transformers import AutoModelForCausalLM

    texts = [b.text[:tokenizer_chars] for b in read_corpus(train_dir)]
    make_tiny_model(out, texts, TinyConfig(**model_cfg))
    model = AutoModelForCausalLM.from_pretrained(out)
    return {"params": int(sum(p.numel() for p in model.parameters())), "vocab": model.config.vocab_size}


def token_windows(books: Iterable[Book], tokenizer, length: int) -> Iterator[tuple[str, list[int]]]:
    """Consecutive windows of about ``length`` tokens (whole paragraphs packed greedily), as (book, ids)."""
    for book in books:
        buf: list[int] = []
        for para in book.text.split("\n"):
            if not para.strip():
                continue
            ids = tokenizer.encode(para + "\n", add_special_tokens=False)
            if buf and len(buf) + len(ids) > length:
                yield book.name, buf
                buf = []
            buf.extend(ids[:length])
        if len(buf) >= length // 2:
            yield book.name, buf


def write_windows(
    corpus_dir: Path, tokenizer_dir: Path, out: Path, length: int, max_rows: int, seed: int = 0
) -> dict:
    """``out`` (.jsonl of ``{"text", "book", "tokens"}``): up to ``max_rows`` windows drawn evenly at random
    (seeded) from the books under ``corpus_dir``. Returns ``{"rows", "tokens", "books"}``."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    windows = list(token_windows(read_corpus(corpus_dir), tok, length))
    random.Random(seed).shuffle(windows)
    windows = windows[:max_rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for book, ids in windows:
            row = {"text": tok.decode(ids), "book": book, "tokens": len(ids)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {
        "rows": len(windows),
        "tokens": sum(len(ids) for _, ids in windows),
        "books": sorted({b for b, _ in windows}),
    }
