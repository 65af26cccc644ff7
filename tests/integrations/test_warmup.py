"""The first scoring call of a process with a cold numba cache says so in one line; warmup fills the cache."""

from __future__ import annotations

from swift_scifi.rewards import score_text, warmup


def test_one_line_before_the_first_cold_call(monkeypatch, capsys):
    monkeypatch.setattr(warmup, "_announced", False)
    monkeypatch.setattr(warmup, "cache_is_cold", lambda: True)
    score_text("曲率引擎启动了。")
    score_text("The drive woke.")
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "compiling the reward kernels" in lines[0]


def test_silent_when_the_cache_is_warm(monkeypatch, capsys):
    warmup.warmup()  # compiles (or loads) every kernel the scorers use
    assert not warmup.cache_is_cold()
    capsys.readouterr()  # warmup's own line, when it was this process's first (cold) scoring call
    monkeypatch.setattr(warmup, "_announced", False)
    score_text("曲率引擎启动了。")
    assert "compiling" not in capsys.readouterr().err
