"""Length: LongWriter's S_l and targets parsed from prompts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swift_scifi.rewards import parse_target
from swift_scifi.rewards.length import length_score


@pytest.mark.parametrize(
    ("prompt", "target"),
    [
        ("写一篇约5000字的科幻小说", (5000, 5000)),
        ("Write a 2000-2500 words story", (2000, 2500)),
        ("三千字左右", (3000, 3000)),
        ("两万五千字", (25000, 25000)),
        ("写1.5万字", (15000, 15000)),
        ("at least 800 words", (800, float("inf"))),
        ("不超过3,000字", (0, 3000)),
        ("字数 3000 字以上", (3000, float("inf"))),
        ("no length here", None),
    ],
)
def test_parse_target(prompt, target):
    assert parse_target(prompt) == target


def test_longwriter_formula():
    assert length_score(1000, 1000) == 1.0
    assert length_score(2000, 1000) == pytest.approx(1 - 1 / 3)
    assert length_score(500, 1000) == pytest.approx(0.5)
    assert length_score(4000, 1000) == 0.0 and length_score(0, 1000) == 0.0
    assert length_score(2200, (2000, 2500)) == 1.0


@given(st.integers(1, 20000), st.integers(1, 20000))
def test_score_in_range_and_falls_with_distance(target, length):
    s = length_score(length, target)
    assert 0.0 <= s <= 1.0
    farther = length * 2 if length >= target else max(1, length // 2)
    assert length_score(farther, target) <= s
