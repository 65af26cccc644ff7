"""Held-out perplexity of a model on human text windows, and of a unigram model on the same tokens."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path


def read_windows(path: Path) -> list[str]:
    return [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def model_nll(model_dir: str | Path, texts: list[str], batch_size: int = 8) -> list[float]:
    """Mean negative log-likelihood per token (nats) of each text under the model (first token not scored)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    out: list[float] = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            for text in texts[i : i + batch_size]:
                ids = torch.tensor([tok.encode(text, add_special_tokens=False)])
                if ids.shape[1] < 2:
                    continue
                out.append(float(model(input_ids=ids, labels=ids).loss))
    return out


def unigram_nll(train_texts: list[str], texts: list[str], tokenizer_dir: str | Path) -> list[float]:
    """Mean NLL per token (nats) of each text under an add-one unigram model of ``train_texts``'s tokens,
    skipping each text's first token as :func:`model_nll` does."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    counts = Counter(t for text in train_texts for t in tok.encode(text, add_special_tokens=False))
    total, vocab = sum(counts.values()), len(tok)
    out = []
    for text in texts:
        ids = tok.encode(text, add_special_tokens=False)[1:]
        if ids:
            out.append(-sum(math.log((counts[t] + 1) / (total + vocab)) for t in ids) / len(ids))
    return out


def ppl(nlls: list[float]) -> float:
    """Perplexity exp(mean NLL) over windows (windows weigh equally)."""
    return math.exp(sum(nlls) / len(nlls)) if nlls else float("nan")
