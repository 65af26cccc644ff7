"""Bad input through the real ms-swift ORM adapters: no exception, one warning per kind, documented scores."""

from __future__ import annotations

import logging

import pytest

from swift_scifi.rewards.config import DEFAULTS
from swift_scifi.rewards.ms_swift import REWARDS, register_rewards

GOOD = "林雪启动了曲率引擎。飞船驶向木卫二。"


@pytest.fixture(scope="module")
def orms():
    register_rewards()
    from swift.rewards import orms

    return {name: orms[name](args=None) for name in REWARDS}


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test sees the once-per-process warnings afresh."""
    from swift_scifi.rewards import inputs

    monkeypatch.setattr(inputs, "_warned", set())


def _warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "swift_scifi.rewards" and r.levelno == logging.WARNING
    ]


def test_registered_idempotently_under_scifi_names():
    from swift.rewards import orms

    register_rewards()
    before = dict(orms)
    register_rewards()
    # every rule reward is registered under its name, and registering again changes nothing
    # (the judge rewards, scifi_judge and scifi_principles_judge, register separately)
    assert set(REWARDS) <= {n for n in orms if n.startswith("scifi_")}
    assert dict(orms) == before


def test_columns_are_read(orms):
    out = orms["scifi_term_consistency"](
        [GOOD, GOOD.replace("曲率引擎", "曲率驱动")], terms=[["曲率引擎"]] * 2
    )
    assert out[0] > out[1]
    lengths = orms["scifi_length"]([GOOD, GOOD], target_length=[16, 1000], lang=["zh", "zh"])
    assert lengths[0] == 1.0 and lengths[1] == 0.0
    msgs = [[{"role": "user", "content": "写一篇约16字的故事"}]]
    assert orms["scifi_length"]([GOOD], messages=msgs) == [1.0]


@pytest.mark.parametrize("name", list(REWARDS))
def test_bad_completions_never_raise(orms, name, caplog):
    batch = [None, "", 42, {"content": GOOD}, GOOD * 30_000, b"bytes", GOOD]
    with caplog.at_level(logging.WARNING, logger="swift_scifi.rewards"):
        out = orms[name](batch, terms=[["曲率引擎"]] * len(batch), target_length=[20] * len(batch))
        orms[name](batch, terms=[["曲率引擎"]] * len(batch), target_length=[20] * len(batch))
    assert len(out) == len(batch)
    assert all(v is None or 0.0 <= v <= 1.0 for v in out)
    assert out[0] == out[1] == out[2] == DEFAULTS.empty_score  # None, '' and non-strings score empty_score
    assert out[3] == out[6]  # a message dict is read through its content
    msgs = _warnings(caplog)
    assert len(msgs) == len(set(msgs))  # each kind of problem warned once, not per row or per call
    assert any("NoneType" in m for m in msgs) and any("cut to" in m for m in msgs)


def test_missing_wrong_length_and_malformed_columns(orms, caplog):
    tc = orms["scifi_term_consistency"]
    with caplog.at_level(logging.WARNING, logger="swift_scifi.rewards"):
        assert tc([GOOD, GOOD]) == [None, None]  # no terms column: does not apply
        assert tc([GOOD, GOOD], terms=[["曲率引擎"]]) == [None, None]  # wrong length: ignored, warned
        assert tc([GOOD, GOOD], terms=[["曲率引擎"]]) == [None, None]
        got = tc([GOOD, GOOD, GOOD], terms=['["曲率引擎"]', "曲率引擎,林雪", 17])
        assert got[0] == got[1] == 1.0  # a JSON list string and a comma-separated string are read
        assert got[2] is None
        assert orms["scifi_length"]([GOOD], target_length=["lots"]) == [None]
        assert orms["scifi_principles"]([GOOD], lang=["klingon"])[0] > 0.5
    msgs = _warnings(caplog)
    assert sum("has 1 items for 2 completions" in m for m in msgs) == 1
    assert any("`terms` of type int" in m for m in msgs)
    assert any("target_length 'lots'" in m for m in msgs)
