"""Write output files atomically (a reader sees the old file or the new one, never half of one), and JSON
strictly: no bare ``NaN``/``Infinity``, which strict parsers reject.

A non-finite float becomes ``null``, and the object holding it gets ``"null_reason"`` saying why.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

NULL_REASON = "undefined: nothing to compute it from"


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a temporary file next to ``path``, fsync it, then rename it over ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def strict(obj: Any, reason: str = NULL_REASON) -> Any:
    """A copy of ``obj`` fit for strict JSON: non-finite floats → None, and each dict that held one gets
    ``null_reason`` (``reason``) unless it has one."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        out = {k: strict(v, reason) for k, v in obj.items()}
        if "null_reason" not in out and any(_non_finite(v) for v in obj.values()):
            out["null_reason"] = reason
        return out
    if isinstance(obj, (list, tuple)):
        return [strict(v, reason) for v in obj]
    return obj


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return any(_non_finite(v) for v in value)
    return False


def dumps_strict(obj: Any, reason: str = NULL_REASON, indent: int | None = 2) -> str:
    """``obj`` as strict JSON text (see :func:`strict`); raises ValueError on anything else non-finite."""
    return json.dumps(strict(obj, reason), ensure_ascii=False, indent=indent, allow_nan=False)


def write_json(path: str | Path, obj: Any, reason: str = NULL_REASON) -> None:
    """Write ``obj`` as strict, indented JSON to ``path``, atomically."""
    write_text(path, dumps_strict(obj, reason) + "\n")
