"""What the rewards saw during training: per-step metrics, a JSONL sidecar and a manifest of the data used.

- :func:`step_metrics`: for one batch of completions, the mean of every reward (``scifi/reward/<name>``,
  0-1, completions where a reward does not apply left out) and the firing rate of every rule principle
  (``scifi/principle/<id>``: share of the completions of a language the principle applies to whose adherence
  is below 1, observed principles included). Views come from :mod:`prepare`, so the pattern scan and
  profile of each completion are shared with the rewards that scored it.
- :class:`Sidecar`: appends ``{"step", "n", "metrics"}`` lines to ``scifi_rewards.jsonl`` in the run's
  output dir (one line per reward batch; rank > 0 writes ``scifi_rewards.rank<N>.jsonl``).
- :func:`write_manifest`: ``scifi_rewards_manifest.json`` in the output dir: the package version, the
  version and SHA-256 of the principle library, the SHA-256 of every bundled reward data file (principles,
  slop lists, format rules), the reward config (values, file and its SHA-256) and the pattern engine.

No ms-swift import here; :mod:`swift_scifi.integrations.ms_swift` calls these from its ORMs and callback.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .config import ENV_VAR, RewardConfig
from .prepare import prepare_view
from .principle_library import library_info, rule_principles
from .principles import principles_report
from .registry import ALL_KEYS

MANIFEST_NAME = "scifi_rewards_manifest.json"
SIDECAR_NAME = "scifi_rewards.jsonl"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_SUBDIRS = ("principles", "slop", "format")  # the data files rule rewards read


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_files() -> dict[str, str]:
    """SHA-256 of every bundled reward data file, by path relative to ``swift_scifi/data``."""
    out = {}
    for sub in DATA_SUBDIRS:
        for p in sorted((DATA_DIR / sub).glob("*")) if (DATA_DIR / sub).is_dir() else []:
            if p.is_file() and p.suffix in (".yaml", ".yml", ".txt", ".json"):
                out[str(p.relative_to(DATA_DIR))] = _sha256(p)
    return out


def manifest(cfg: RewardConfig) -> dict[str, Any]:
    """What a run's rewards are made of (see the module docstring)."""
    from .. import __version__
    from .pattern_scan import engine_name

    info = library_info()
    config_path = os.environ.get(ENV_VAR)
    return {
        "swift_scifi": __version__,
        "principles": {
            "version": info["version"],
            "sha256": info["sha256"],
            "window_chars": info["window_chars"],
        },
        "data_files": data_files(),
        "reward_config": {
            "path": config_path,
            "sha256": _sha256(Path(config_path)) if config_path and Path(config_path).is_file() else None,
            "values": asdict(cfg),
        },
        "pattern_engine": engine_name(),
    }


def write_manifest(out_dir: str | os.PathLike, cfg: RewardConfig) -> Path:
    """Write :func:`manifest` to ``out_dir/scifi_rewards_manifest.json`` (atomic; same content, no rewrite)."""
    path = Path(out_dir) / MANIFEST_NAME
    text = json.dumps(manifest(cfg), indent=1, ensure_ascii=False, sort_keys=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def step_metrics(
    completions: Sequence[Any],
    rows: Sequence[dict[str, float | None]],
    langs: Sequence[Any],
    cfg: RewardConfig,
) -> dict[str, float]:
    """Reward means (from ``rows``, the :func:`scoring.score_columns` rows of ``completions``) and principle
    firing rates (each completion's view from :func:`prepare.prepare_view`), by metric name."""
    out: dict[str, float] = {}
    for key in ALL_KEYS:
        vals = [r[key] for r in rows if r.get(key) is not None]
        if vals:
            out[f"scifi/reward/{key}"] = sum(vals) / len(vals)
    fired: dict[str, int] = {}
    seen: dict[str, int] = {}
    for text, lang in zip(completions, langs, strict=True):
        view = prepare_view(text, lang, cfg.max_chars)
        if not view.text.strip():
            continue
        for pid, a in principles_report(view).items():
            seen[pid] = seen.get(pid, 0) + 1
            fired[pid] = fired.get(pid, 0) + (a < 1.0)
    out.update({f"scifi/principle/{pid}": fired[pid] / n for pid, n in seen.items()})
    return out


def principle_ids(lang: str) -> list[str]:
    """Ids of the rule principles of ``lang`` (the ``scifi/principle/<id>`` metrics it can produce)."""
    return [p.id for p in rule_principles(lang)]


class Sidecar:
    """Appends one JSON line per reward batch to ``out_dir/scifi_rewards.jsonl`` (thread-safe)."""

    def __init__(self, out_dir: str | os.PathLike, rank: int | None = None):
        rank = int(os.environ.get("RANK", "0") or 0) if rank is None else rank
        name = SIDECAR_NAME if rank == 0 else SIDECAR_NAME.replace(".jsonl", f".rank{rank}.jsonl")
        self.path = Path(out_dir) / name
        self._lock = threading.Lock()

    def write(self, step: int | None, n: int, metrics: dict[str, float]) -> None:
        line = json.dumps({"step": step, "n": n, "metrics": metrics}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
