"""An experiment's configuration (a YAML file in ``swift_scifi/data/experiments/`` or any path)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

EXPERIMENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "experiments"
REQUIRED = ("name", "corpus", "heldout_books", "model", "data", "pretrain", "sft", "arms", "eval")
# the shared public-domain corpus beside a checkout (read-only outside data; never needed at run time)
SHARED_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus"


def resolve_config_path(name_or_path: str) -> Path:
    """A bundled config by name (``smoke``, ``cpu``, ``gpu``) or a YAML path; FileNotFoundError otherwise."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = EXPERIMENTS_DIR / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml")))
    raise FileNotFoundError(f"no experiment config {name_or_path!r} (a YAML path, or one of: {known})")


def load_config(name_or_path: str) -> dict[str, Any]:
    """The config as a dict, with ``config_path`` added; ValueError naming a missing key."""
    path = resolve_config_path(name_or_path)
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(cfg, dict):
        raise ValueError(f"{path}: an experiment config must be a mapping")
    missing = [k for k in REQUIRED if k not in cfg]
    if missing:
        raise ValueError(f"{path}: missing keys {missing}")
    cfg["config_path"] = str(path.resolve())
    return cfg


def resolve_corpus(spec: str) -> Path:
    """``bundled`` (the package sample), ``shared`` ($SCIFI_CORPUS, else the shared corpus beside the checkout,
    else the package sample) or a path."""
    from swift_scifi.datasets.corpus import sample_corpus_path

    if spec == "bundled":
        return sample_corpus_path()
    if spec == "shared":
        if os.environ.get("SCIFI_CORPUS"):
            return Path(os.environ["SCIFI_CORPUS"])
        return SHARED_CORPUS if SHARED_CORPUS.is_dir() else sample_corpus_path()
    path = Path(spec).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"corpus path does not exist: {path}")
    return path
