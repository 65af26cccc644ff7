"""Pure text statistics for the held-out evaluation: distinct-n, self-BLEU, loops, length adherence.

Units: a CJK character, or a Latin word / number (what :func:`units` returns); all values are 0-1.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_UNIT_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z]+(?:'[A-Za-z]+)?|\d+")


def units(text: str) -> list[str]:
    """CJK characters and Latin words (lower-cased) of ``text``, in order; punctuation is dropped."""
    return [u.lower() for u in _UNIT_RE.findall(text)]


def ngrams(seq: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def distinct_n(texts: Sequence[str], n: int = 2) -> float | None:
    """Distinct n-grams / all n-grams over ``texts`` together (1 = no n-gram repeats); None without n-grams."""
    grams = [g for t in texts for g in ngrams(units(t), n)]
    return len(set(grams)) / len(grams) if grams else None


def bleu(hypothesis: Sequence[str], references: Sequence[Sequence[str]], max_n: int = 4) -> float:
    """Sentence BLEU-``max_n`` of unit lists with add-one smoothing of n-gram precisions (0-1)."""
    if not hypothesis:
        return 0.0
    log_p = 0.0
    for n in range(1, max_n + 1):
        hyp = Counter(ngrams(hypothesis, n))
        best: Counter = Counter()
        for ref in references:
            best |= Counter(ngrams(ref, n))
        match = sum(min(c, best[g]) for g, c in hyp.items())
        log_p += math.log((match + 1) / (sum(hyp.values()) + 1))
    ref_len = min((len(r) for r in references), key=lambda r: abs(r - len(hypothesis)), default=0)
    bp = 1.0 if len(hypothesis) >= ref_len else math.exp(1 - ref_len / len(hypothesis))
    return bp * math.exp(log_p / max_n)


def self_bleu(texts: Sequence[str]) -> float | None:
    """Mean BLEU of each sample against the others (1 = the samples are copies); None for fewer than 2."""
    toks = [units(t) for t in texts]
    if len(toks) < 2:
        return None
    return sum(bleu(h, toks[:i] + toks[i + 1 :]) for i, h in enumerate(toks)) / len(toks)


def is_loop(text: str, n: int = 4, min_units: int = 16, max_repeat_share: float = 0.5) -> bool:
    """A degenerate loop: at least ``min_units`` units and more than ``max_repeat_share`` of its n-grams are
    repeats of an earlier n-gram of the same text."""
    u = units(text)
    grams = ngrams(u, n)
    if len(u) < min_units or not grams:
        return False
    return 1 - len(set(grams)) / len(grams) > max_repeat_share


def length_adherence(length: int, target: int) -> float:
    """1 - |length - target| / target, clipped to [0, 1] (length and target in the same units)."""
    if target <= 0:
        return 0.0
    return max(0.0, 1.0 - abs(length - target) / target)
