"""Reward options from $SCIFI_REWARD_CONFIG: defaults, overrides, and clear errors for bad files."""

from __future__ import annotations

import json

import pytest

from swift_scifi.rewards import RewardConfigError, get_config, score_text
from swift_scifi.rewards.config import DEFAULTS, ENV_VAR, load_config_file
from swift_scifi.rewards.registry import default_weights

TEXT = "The ship turned. It was a tapestry of light."


def test_defaults_without_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert get_config() is DEFAULTS
    assert DEFAULTS.weights == {}  # every reward at its registry weight
    assert default_weights() == dict.fromkeys(
        ("term_consistency", "principles", "length", "repetition", "slop"), 1.0
    )


def test_yaml_file_overrides_weights_and_options(tmp_path, monkeypatch):
    path = tmp_path / "rewards.yaml"
    path.write_text("weights: {slop: 0, principles: 0}\nslop_scale: 100\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(path))
    cfg = get_config()
    assert cfg.weight_of("slop") == 0 and cfg.weight_of("length") == 1.0 and cfg.slop_scale == 100
    s = score_text(TEXT)
    assert s["writing"] == s["repetition"]  # only repetition applies with a positive weight


def test_json_file_is_read(tmp_path):
    path = tmp_path / "rewards.json"
    path.write_text(json.dumps({"term_no_mention_score": 0.2}), encoding="utf-8")
    assert load_config_file(path).term_no_mention_score == 0.2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("slop_scal: 3\n", "unknown option"),
        ("slop_scale: -1\n", "slop_scale"),
        ("weights: {length: -2}\n", "weights['length']"),
        ("weights: {lenght: 1}\n", "unknown reward"),
        ("weights: {slop: 0, length: 0, principles: 0, repetition: 0, term_consistency: 0}\n", "positive"),
        ("- just\n- a list\n", "mapping"),
        ("slop_scale: [oops\n", "not valid"),
    ],
)
def test_bad_file_is_a_clear_error(tmp_path, monkeypatch, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(RewardConfigError, match=message.replace("[", r"\[")):
        get_config()


def test_missing_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.yaml"))
    with pytest.raises(RewardConfigError, match="cannot be read"):
        get_config()


def test_register_rewards_fails_at_startup_on_bad_config(tmp_path, monkeypatch):
    from swift_scifi.rewards.ms_swift import register_rewards

    path = tmp_path / "bad.yaml"
    path.write_text("max_chars: 5\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(path))
    with pytest.raises(RewardConfigError, match="max_chars"):
        register_rewards()
