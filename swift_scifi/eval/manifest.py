"""Run manifest: everything needed to reproduce a run and to tell whether two runs are comparable."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from ..atomic_write import write_json
from ..judge.prompts import load_prompt

PROMPT_IDS = ("score_criterion", "generate_criteria", "pairwise")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def build_manifest(
    *,
    judge: dict[str, Any],
    data: dict[str, str | Path | None],
    options: dict[str, Any],
    prompt_ids: tuple[str, ...] = PROMPT_IDS,
    rubric: str | None = None,
) -> dict[str, Any]:
    """Manifest dict: judge settings (no API key), prompt and data hashes, versions and options."""
    from .. import __version__

    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "swift_scifi": __version__,
        "versions": {d: _version(d) for d in ("ms-swift", "aiohttp", "json-repair")},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "judge": {k: v for k, v in judge.items() if k != "api_key"},
        "prompts": {
            pid: {"version": load_prompt(pid).version, "sha256": load_prompt(pid).sha256}
            for pid in prompt_ids
        },
        "data": {name: {"path": str(p), "sha256": file_sha256(p)} for name, p in data.items() if p},
        "options": options,
    }
    if rubric:
        from ..judge.rubrics import load_rubric

        manifest["rubric"] = {
            "name": rubric,
            "sha256": hashlib.sha256(json.dumps(load_rubric(rubric), sort_keys=True).encode()).hexdigest(),
        }
    return manifest


def write_manifest(path: str | Path, manifest: dict[str, Any]) -> None:
    """Write the manifest as strict JSON, atomically."""
    write_json(path, manifest)


def comparable(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Reasons two manifests' scores are not comparable (different judge model, protocol, prompts or queries)."""
    reasons = []
    if a["judge"].get("model") != b["judge"].get("model"):
        reasons.append("judge model differs")
    if (a.get("protocol") or {}).get("sha256") != (b.get("protocol") or {}).get("sha256"):
        reasons.append("protocol differs")
    for pid, info in a["prompts"].items():
        if b["prompts"].get(pid, {}).get("sha256") != info["sha256"]:
            reasons.append(f"prompt {pid} differs")
    if a["data"].get("queries", {}).get("sha256") != b["data"].get("queries", {}).get("sha256"):
        reasons.append("queries differ")
    return reasons
