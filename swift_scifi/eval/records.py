"""Reading evaluation inputs: WritingBench-format queries and ``{index, response}`` lines.

A query line has ``index``, ``domain1``, ``domain2``, ``query`` and either ``checklist`` (requirement
subsets) or ``criteria`` (v1 subsets); both become :attr:`Query.criteria`. The requirement subset
(style / format / length) comes from a ``requirement`` field or from a file name like ``length_subset.jsonl``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..text import strip_think

logger = logging.getLogger("swift_scifi.eval")

_SUBSET_RE = re.compile(r"(style|format|length)_subset")


@dataclass
class Query:
    index: str
    query: str
    domain1: str = ""
    domain2: str = ""
    requirement: str = ""
    criteria: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def bundled_queries() -> dict[str, Path]:
    """Query sets shipped in the package, by name (``scifi-example``)."""
    from importlib import resources

    folder = Path(str(resources.files("swift_scifi") / "data" / "eval"))
    return {p.stem.replace("_", "-"): p for p in sorted(folder.glob("*.jsonl"))}


def resolve_queries(value: str | Path) -> Path:
    """A query file: an existing path, or the name of a bundled set; raises FileNotFoundError otherwise."""
    path = Path(value)
    if path.is_file():
        return path
    bundled = bundled_queries()
    if str(value) in bundled:
        return bundled[str(value)]
    raise FileNotFoundError(
        f"no query file {str(value)!r}: give a JSONL path or a bundled set ({', '.join(bundled)})"
    )


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object raises ValueError."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON ({exc})") from exc
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, obj


def requirement_of(path: str | Path) -> str:
    """'style' | 'format' | 'length' from a WritingBench subset file name, else ''."""
    match = _SUBSET_RE.search(Path(path).name)
    return match.group(1) if match else ""


def _unique_names(criteria: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, int] = {}
    out = []
    for c in criteria:
        name = str(c.get("name", "")).strip() or "criterion"
        seen[name] = seen.get(name, 0) + 1
        out.append({**c, "name": name if seen[name] == 1 else f"{name} ({seen[name]})"})
    return out


def load_queries(path: str | Path, requirement: str | None = None, limit: int | None = None) -> list[Query]:
    """Queries from a WritingBench-format JSONL file; lines without ``index`` or ``query`` raise ValueError."""
    default_req = requirement if requirement is not None else requirement_of(path)
    out: list[Query] = []
    for lineno, obj in iter_jsonl(path):
        if "index" not in obj or not isinstance(obj.get("query"), str):
            raise ValueError(f"{path}:{lineno}: a query needs 'index' and a string 'query'")
        criteria = obj.get("checklist") or obj.get("criteria") or []
        if not isinstance(criteria, list):
            raise ValueError(f"{path}:{lineno}: 'checklist'/'criteria' must be a list")
        known = {"index", "query", "domain1", "domain2", "requirement", "checklist", "criteria"}
        out.append(
            Query(
                index=str(obj["index"]),
                query=obj["query"],
                domain1=str(obj.get("domain1", "")),
                domain2=str(obj.get("domain2", "")),
                requirement=str(obj.get("requirement") or default_req or ""),
                criteria=_unique_names(criteria),
                extra={k: v for k, v in obj.items() if k not in known},
            )
        )
        if limit and len(out) >= limit:
            break
    return out


class ResponseIndex:
    """Responses by query index, read from disk on demand (memory holds byte offsets, not texts)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._offsets: dict[str, int] = {}
        with open(self.path, "rb") as fh:
            offset = 0
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    obj = json.loads(line)
                    if obj.get("error") and not isinstance(obj.get("response"), str):
                        offset += len(line)
                        continue  # a failed generation, recorded by the generator
                    if "index" not in obj or not isinstance(obj.get("response"), str):
                        raise ValueError(
                            f"{path}:{lineno}: a response line needs 'index' and a string 'response'"
                        )
                    self._offsets.setdefault(str(obj["index"]), offset)
                offset += len(line)

    def __contains__(self, index: str) -> bool:
        return index in self._offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def get(self, index: str) -> str | None:
        """The response text for ``index`` with any ``<think>`` block removed, or None when there is none.

        Reasoning is never shown to the judge nor measured (WritingBench strips it too).
        """
        offset = self._offsets.get(index)
        if offset is None:
            return None
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            return strip_think(json.loads(fh.readline())["response"])
