"""The outside data the harness reads (never needed to score text).

Layout of the data folder (``shared/data`` of the project, see its SOURCES.md):
``corpus/{en,zh}/*.txt`` (public-domain novels), ``bench/slop-score-outputs/`` (6,450 outputs of 22 LLMs
with slop-score's per-item metrics, and its leaderboard) and ``bench/longbench_write/*.jsonl``.
The folder is ``--data``, else ``$SCIFI_VALIDATION_DATA``, else ``../shared/data`` next to the checkout.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "SCIFI_VALIDATION_DATA"
REQUIRED = (
    "corpus/en",
    "corpus/zh",
    "bench/slop-score-outputs/outputs.jsonl.gz",
    "bench/slop-score-outputs/leaderboard_results.json",
    "bench/longbench_write",
)
MIN_WORDS = 1  # outputs with fewer words are empty replies, not prose
LONGBENCH_FILES = ("longbench_write.jsonl", "longbench_write_en.jsonl", "longwrite_ruler.jsonl")


class ValidationDataError(FileNotFoundError):
    """The validation data folder is missing or incomplete."""


def default_data_dir() -> Path:
    """``$SCIFI_VALIDATION_DATA``, else ``shared/data`` beside the checkout that holds this package."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def check_data_dir(path: Path) -> Path:
    """``path`` if it holds every required file; else :class:`ValidationDataError` naming what is missing."""
    missing = [p for p in REQUIRED if not (path / p).exists()]
    if missing:
        raise ValidationDataError(
            f"validation data not found in {path} (missing: {', '.join(missing)}). Point --data or "
            f"${ENV_VAR} at the project's shared/data folder (see its SOURCES.md)."
        )
    return path


@dataclass(frozen=True)
class LLMText:
    """One slop-score output: model, prompt index, text and the official per-item metrics."""

    id: str
    model: str
    prompt_index: int
    text: str
    official: dict


def human_windows(data: Path, lang: str, n: int, chars: int = 3000, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (file name, window) pairs: windows of about ``chars`` characters from ``corpus/lang``, each
    starting at a paragraph and ending at a paragraph (or, failing that, sentence) end; files drawn in
    proportion to their size."""
    paths = sorted((data / "corpus" / lang).glob("*.txt"))
    if not paths:
        raise ValidationDataError(f"no corpus files in {data / 'corpus' / lang}")
    texts = [p.read_text(encoding="utf-8") for p in paths]
    rng = random.Random(f"{seed}:{lang}")
    sizes = [len(t) for t in texts]
    out: list[tuple[str, str]] = []
    while len(out) < n:
        k = rng.choices(range(len(texts)), weights=sizes)[0]
        t = texts[k]
        w = _window(t, rng.randrange(max(1, len(t) - chars)), chars)
        if w:
            out.append((paths[k].name, w))
    return out


_SENT_END = re.compile(r"[.!?。！？…][\"'”’」』)]?\s")


def _window(text: str, pos: int, chars: int) -> str | None:
    start = text.find("\n", pos)
    if start < 0:
        return None
    piece = text[start:].lstrip()[:chars]
    cut = piece.rfind("\n")
    if cut < chars // 2:
        ends = [m.end() for m in _SENT_END.finditer(piece)]
        cut = ends[-1] if ends and ends[-1] >= chars // 2 else -1
    piece = piece[:cut].strip() if cut > 0 else ""
    return piece if len(piece) >= chars // 2 else None


def llm_outputs(data: Path, per_model: int | None = None, seed: int = 0) -> list[LLMText]:
    """slop-score's outputs (English) with text (the empty ones, which its metrics leave undefined, are
    skipped: see :func:`empty_outputs`); ``per_model`` keeps a fixed random sample of that many per model."""
    items = [x for x in _all_outputs(data) if MIN_WORDS <= x.official["n_words"]]
    if per_model is None:
        return items
    rng = random.Random(seed)
    by_model: dict[str, list[LLMText]] = {}
    for it in items:
        by_model.setdefault(it.model, []).append(it)
    return [x for m in sorted(by_model) for x in rng.sample(by_model[m], min(per_model, len(by_model[m])))]


def _all_outputs(data: Path) -> list[LLMText]:
    path = data / "bench" / "slop-score-outputs" / "outputs.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [LLMText(r["id"], r["model"], int(r["prompt_index"]), r["text"], r["official"]) for r in rows]


def empty_outputs(data: Path) -> int:
    """How many outputs have fewer than MIN_WORDS words (refusals, empty replies): left out of the harness."""
    return sum(x.official["n_words"] < MIN_WORDS for x in _all_outputs(data))


def leaderboard(data: Path) -> list[dict]:
    """slop-score's leaderboard rows: ``model`` and ``metrics`` (a ``human-baseline`` row included)."""
    doc = json.loads((data / "bench" / "slop-score-outputs" / "leaderboard_results.json").read_text())
    return doc["results"]


def longbench_queries(data: Path) -> dict[str, list[dict]]:
    """LongBench-Write and LongWrite-Ruler queries (``prompt``, stated ``length``), by file name."""
    out = {}
    for name in LONGBENCH_FILES:
        p = data / "bench" / "longbench_write" / name
        if p.exists():
            out[name] = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line]
    return out


def held_out(model_rank: int, prompt_index: int) -> tuple[bool, bool]:
    """(prompt held out, model held out) under the fixed split used to fit the slop weights:
    even prompt indices and even-ranked models (sorted by name) are for fitting, odd ones held out."""
    return prompt_index % 2 == 1, model_rank % 2 == 1
