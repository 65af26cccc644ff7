"""Reward options, read from the YAML/JSON file named by ``SCIFI_REWARD_CONFIG`` (ms-swift passes none).

Every option has a default (see :data:`DEFAULTS` and docs/rewards.md); the file overrides any subset.
A bad file (unreadable, unknown key, wrong type, out of range) raises :class:`RewardConfigError` when the
rewards are registered, so a training run fails at startup, never mid-training.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_VAR = "SCIFI_REWARD_CONFIG"


class RewardConfigError(ValueError):
    """The reward config file is missing, malformed or holds an invalid value."""


@dataclass(frozen=True)
class RewardConfig:
    """All reward options. Ranges are checked by :func:`validate`."""

    # composite `writing`: weights of the soft sub-rewards (>= 0) overriding their defaults in the reward
    # registry (:data:`registry.REWARDS`, 1 each), renormalised over those that apply; the gates (format,
    # fluency) multiply the composite and take no weight (rewards/composite.py)
    weights: dict[str, float] = field(default_factory=dict)
    # inputs
    max_chars: int = 200_000  # longer completions are cut to this many characters before scoring
    empty_score: float = 0.0  # score of an empty (or non-string) completion, every reward
    # term consistency
    term_no_mention_score: float = 0.5  # precision part when no term (nor variant) is mentioned
    term_coverage_weight: float = 0.2  # share of the score given to coverage of the term list
    term_coverage_cap: int = 5  # coverage = distinct terms used / min(len(terms), cap)
    term_fuzzy_threshold: float = 0.5  # normalised Levenshtein similarity for a CJK near miss (0-1)
    term_extract_from_prompt: bool = True  # also take 《》/「」/“”-quoted names from the prompt
    # principles
    principle_weights: dict[str, float] = field(default_factory=dict)  # id -> weight override (0 disables)
    # length (LongWriter S_l)
    length_over_scale: float = 3.0  # S_l = 1 - (len/target - 1)/3 above the target
    length_under_scale: float = 2.0  # S_l = 1 - (target/len - 1)/2 below the target
    length_bound_slack: float = 0.25  # "at most N" -> (N(1-s), N); "at least N" -> (N, N(1+s))
    # repetition
    repetition_n_zh: int = 8  # character n-gram size for Chinese (4-grams repeat in ordinary prose)
    repetition_n_en: int = 3  # word n-gram size for English
    repetition_baseline: float = 0.1  # repeated n-gram share in the densest stretch treated as natural
    repetition_window_zh: int = 1000  # an n-gram repeats only within this many characters (0: anywhere)
    repetition_window_en: int = 250  # an n-gram repeats only within this many words (0: anywhere)
    repetition_dup_window: int = 2000  # a paragraph repeats only within this many characters (0: anywhere)
    # slop
    slop_scale: float = 20.0  # weighted hits over the allowance (per ~1,000 units) at which slop is 0.5
    slop_allowance: float = 2.0  # weighted slop hits per ~1,000-unit stretch that cost nothing
    # gates of the composite (rewards/composite.py)
    format_penalty: float = 0.6  # each format/meta failure category multiplies scifi_format by 1 - this

    def weight_of(self, name: str, default: float = 1.0) -> float:
        """The configured weight of reward ``name``, else ``default`` (the registry's weight)."""
        return float(self.weights.get(name, default))


DEFAULTS = RewardConfig()
_RANGES = {
    "max_chars": (1_000, 50_000_000),
    "empty_score": (0.0, 1.0),
    "term_no_mention_score": (0.0, 1.0),
    "term_coverage_weight": (0.0, 1.0),
    "term_coverage_cap": (1, 10_000),
    "term_fuzzy_threshold": (0.0, 1.0),
    "length_over_scale": (0.1, 100.0),
    "length_under_scale": (0.1, 100.0),
    "length_bound_slack": (0.0, 0.9),
    "repetition_n_zh": (1, 16),
    "repetition_n_en": (1, 16),
    "repetition_baseline": (0.0, 0.9),
    "repetition_window_zh": (0, 10_000_000),
    "repetition_window_en": (0, 10_000_000),
    "repetition_dup_window": (0, 1_000_000_000),
    "slop_scale": (0.01, 1000.0),
    "slop_allowance": (0.0, 1000.0),
    "format_penalty": (0.0, 1.0),
}


def validate(cfg: RewardConfig) -> RewardConfig:
    """Return ``cfg`` unchanged, or raise :class:`RewardConfigError` naming the bad option."""
    for name, (lo, hi) in _RANGES.items():
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise RewardConfigError(f"reward config: {name}={value!r} must be a number in [{lo}, {hi}]")
    if not isinstance(cfg.term_extract_from_prompt, bool):
        raise RewardConfigError("reward config: term_extract_from_prompt must be true or false")
    for key in ("weights", "principle_weights"):
        _check_weights(key, getattr(cfg, key))
    from .registry import default_weights  # the registry imports the scorers, which import this module

    weights = default_weights()
    unknown = set(cfg.weights) - set(weights)
    if unknown:
        raise RewardConfigError(f"reward config: unknown reward(s) in weights: {sorted(unknown)}")
    if not any(v > 0 for v in {**weights, **cfg.weights}.values()):
        raise RewardConfigError("reward config: at least one weight must be positive")
    return cfg


def _check_weights(key: str, weights: Any) -> None:
    if not isinstance(weights, dict):
        raise RewardConfigError(f"reward config: {key} must be a mapping of name -> weight")
    for name, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
            raise RewardConfigError(f"reward config: {key}[{name!r}]={w!r} must be a number >= 0")


def config_from_dict(data: dict[str, Any]) -> RewardConfig:
    """Defaults overridden by ``data``; ``weights`` overrides the registry's weight of the rewards it names."""
    if not isinstance(data, dict):
        raise RewardConfigError(f"reward config must be a mapping, got {type(data).__name__}")
    known = {f.name for f in fields(RewardConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RewardConfigError(f"reward config: unknown option(s) {unknown}; known: {sorted(known)}")
    return validate(replace(DEFAULTS, **data))


def load_config_file(path: str | os.PathLike) -> RewardConfig:
    """Read a YAML (.yaml/.yml) or JSON file into a validated :class:`RewardConfig`."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as e:
        raise RewardConfigError(f"reward config {p} ({ENV_VAR}) cannot be read: {e}") from e
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(raw) or {}
        else:
            data = json.loads(raw)
    except Exception as e:  # yaml.YAMLError / json.JSONDecodeError
        raise RewardConfigError(
            f"reward config {p} is not valid {p.suffix.lstrip('.') or 'JSON'}: {e}"
        ) from e
    try:
        return config_from_dict(data)
    except RewardConfigError as e:
        raise RewardConfigError(f"{e} (in {p})") from e


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> RewardConfig:
    return load_config_file(path)


def get_config() -> RewardConfig:
    """The active config: the file in ``$SCIFI_REWARD_CONFIG`` if set (re-read when it changes), else defaults."""
    path = os.environ.get(ENV_VAR, "").strip()
    if not path:
        return DEFAULTS
    try:
        mtime = os.stat(path).st_mtime
    except OSError as e:
        raise RewardConfigError(f"reward config {path} ({ENV_VAR}) cannot be read: {e}") from e
    return _load_cached(path, mtime)
