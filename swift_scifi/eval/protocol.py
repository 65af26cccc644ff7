"""Scoring protocols as data (``swift_scifi/data/eval_protocols/NAME.yaml``) plus the few functions they need.

A protocol fixes what the judge sees and how its numbers become a total: the judge prompt, how a criterion
is written into it, the sampling, which scores are valid, and the aggregation of criterion scores.
``project`` is the default; ``writingbench`` reproduces WritingBench's published procedure
(docs/evaluation.md compares the two).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..judge.parsing import MalformedReply, as_score, parse_json_object
from ..judge.prompts import _data_dir
from ..judge.rubrics import format_criterion

AGGREGATIONS = ("query_mean", "criterion_weighted")
CRITERION_FORMATS = ("bands", "python_repr")


@dataclass(frozen=True)
class Protocol:
    """One scoring protocol. ``sampling``: request fields (temperature, top_p, max_tokens); scores in
    ``[score_min, score_max]``; ``aggregation``: 'query_mean' | 'criterion_weighted'."""

    id: str
    version: int
    prompt: str
    criterion_format: str
    sampling: dict[str, float | int]
    score_min: int
    score_max: int
    integers_only: bool
    aggregation: str
    description: str = ""
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def format_criterion(self, criterion: dict[str, str]) -> str:
        """The criterion as the judge reads it."""
        if self.criterion_format == "python_repr":
            return str(dict(criterion))  # WritingBench puts the checklist dict itself into the prompt
        return format_criterion(criterion)

    def parse_reply(self, text: str) -> dict[str, Any]:
        """``{"score": float in [min, max], "reason": str}``; raises MalformedReply for a reply it rejects."""
        obj = parse_json_object(text)
        if self.integers_only:
            return {"score": integer_score(obj.get("score"), self.score_min, self.score_max),
                    "reason": _reason(obj, strict=True)}  # fmt: skip
        return {"score": as_score(obj.get("score"), self.score_min, self.score_max), "reason": _reason(obj)}

    def info(self) -> dict[str, Any]:
        """What goes into a run's manifest."""
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "prompt": self.prompt,
                "sampling": dict(self.sampling), "aggregation": self.aggregation,
                "integers_only": self.integers_only}  # fmt: skip


def integer_score(value: Any, lo: int = 1, hi: int = 10) -> float:
    """An integer score in ``[lo, hi]``: 7 and 7.0 pass; 7.5, "7", "7/10", true and NaN raise MalformedReply."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedReply(f"score must be an integer {lo}-{hi}, got {value!r}")
    if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
        raise MalformedReply(f"score must be an integer {lo}-{hi}, got {value!r}")
    if not lo <= value <= hi:
        raise MalformedReply(f"score {value} outside [{lo}, {hi}]")
    return float(value)


def _reason(obj: dict[str, Any], strict: bool = False) -> str:
    reason = obj.get("reason", None if strict else obj.get("reasoning", ""))
    if strict and not isinstance(reason, str):
        raise MalformedReply("reply has no string 'reason'")
    return str(reason or "")


def available() -> list[str]:
    """Names of the packaged protocols."""
    return sorted(p.stem for p in _data_dir("eval_protocols").glob("*.yaml"))


@cache
def load_protocol(name: str = "project") -> Protocol:
    """A packaged protocol by name, or a protocol YAML by path."""
    file = Path(name) if name.endswith((".yaml", ".yml")) else _data_dir("eval_protocols") / f"{name}.yaml"
    if not file.is_file():
        raise ValueError(f"unknown protocol {name!r}; choose one of {', '.join(available())} or a .yaml path")
    raw = file.read_bytes()
    data = yaml.safe_load(raw)
    if data.get("aggregation") not in AGGREGATIONS:
        raise ValueError(f"{file}: aggregation must be one of {AGGREGATIONS}")
    if data.get("criterion_format") not in CRITERION_FORMATS:
        raise ValueError(f"{file}: criterion_format must be one of {CRITERION_FORMATS}")
    score = data.get("score") or {}
    known = {"id", "version", "prompt", "criterion_format", "sampling", "score", "aggregation", "description"}
    return Protocol(
        id=str(data.get("id", file.stem)),
        version=int(data.get("version", 1)),
        prompt=str(data["prompt"]),
        criterion_format=data["criterion_format"],
        sampling=dict(data.get("sampling") or {}),
        score_min=int(score.get("min", 1)),
        score_max=int(score.get("max", 10)),
        integers_only=bool(score.get("integers_only", False)),
        aggregation=data["aggregation"],
        description=str(data.get("description", "")).strip(),
        sha256=hashlib.sha256(raw).hexdigest(),
        extra={k: v for k, v in data.items() if k not in known},
    )


def overall_mean(per_query: Iterable[tuple[float, int]], aggregation: str) -> float:
    """Overall score from ``(query mean, number of scored criteria)`` pairs.

    ``query_mean``: the mean of query means. ``criterion_weighted``: every criterion score counts once, i.e.
    the query means weighted by their criterion counts (WritingBench's Overall). NaN when nothing is scored.
    """
    pairs = [(m, n) for m, n in per_query if n]
    if not pairs:
        return float("nan")
    if aggregation == "criterion_weighted":
        return sum(m * n for m, n in pairs) / sum(n for _, n in pairs)
    return sum(m for m, _ in pairs) / len(pairs)


def reply_parser(protocol: Protocol) -> Callable[[str], dict[str, Any]]:
    return protocol.parse_reply
