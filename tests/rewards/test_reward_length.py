"""Length: LongWriter's counting and S_l (THUDM/LongWriter evaluation/pred.py, eval_length.py), targets
parsed from prompts, and the LongBench-Write recovery rate."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swift_scifi.rewards import parse_target, score_text
from swift_scifi.rewards.config import DEFAULTS, config_from_dict
from swift_scifi.rewards.length import length_score, longwriter_count
from swift_scifi.rewards.scoring import score_one


def reference_count(text: str) -> int:
    """LongWriter's published count_words: [\\u4e00-\\u9fff] characters plus \\b[a-zA-Z]+\\b words."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) + len(re.findall(r"\b[a-zA-Z]+\b", text))


def reference_score(x: float, y: float) -> float:
    """LongWriter's published score(x=required, y=produced) / 100."""
    if y > x:
        return max(0, 1.0 - (y / x - 1) / 3)
    return max(0, 1.0 - (x / y - 1) / 2)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("don't stop", 3),  # don, t, stop
        ("a well-known fact", 4),  # a, well, known, fact
        ("café au lait", 2),  # café is no [a-zA-Z]+ word between boundaries
        ("3D B2B 1999 years", 1),
        ("他打开AI控制台", 6),  # AI touches a CJK character: no \b, not a word
        ("他打开 AI 控制台", 7),
        ("林雪㐀说：“Hello, world!”", 5),  # U+3400 (Ext A) is not counted
        ("snake_case word", 1),
        ("", 0),
    ],
)
def test_counting_matches_longwriter(text, count):
    assert longwriter_count(text) == reference_count(text) == count


@given(st.text(alphabet=st.sampled_from(list("ab Z-'’_1é中文㐀。, \n\t")), max_size=60))
def test_counting_equals_the_reference_on_random_text(text):
    assert longwriter_count(text) == reference_count(text)


def test_counting_equals_the_reference_on_the_corpus(shared_corpus):
    for path in sorted(shared_corpus.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8")[:200_000]
        assert longwriter_count(text) == reference_count(text), path.name


@pytest.mark.parametrize(
    ("required", "produced"),
    [(1000, 1000), (1000, 2000), (1000, 500), (1000, 4000), (300, 299), (300, 1), (5000, 7000), (200, 20)],
)
def test_score_is_longwriters_formula(required, produced):
    assert length_score(produced, required) == pytest.approx(reference_score(required, produced))
    assert length_score(0, required) == 0.0


def test_over_length_is_counted_before_truncation():
    cfg = config_from_dict({"max_chars": 1000})
    long_text = "字" * 5000
    assert score_one(long_text, target_length=1000, cfg=cfg, only=("length",))["length"] == pytest.approx(
        reference_score(1000, 5000)
    )


@pytest.mark.parametrize(
    ("prompt", "target"),
    [
        ("写一篇约5000字的科幻小说", (5000, 5000)),
        ("Write a 2000-2500 words story", (2000, 2500)),
        ("write a story of 300-500 words", (300, 500)),
        ("三千字左右", (3000, 3000)),
        ("两万五千字", (25000, 25000)),
        ("写1.5万字", (15000, 15000)),
        ("Write a 100-word blog post", (100, 100)),
        ("写一篇300词的英语作文", (300, 300)),
        ("字数要求：2000左右", (2000, 2000)),
        ("讲稿字数1400左右。", (1400, 1400)),
        ("at least 800 words", (800, 1000)),
        ("no less than 200 words", (200, 250)),
        ("500 words or more", (500, 625)),
        ("不超过3,000字", (2250, 3000)),
        ("对于雷锋精神的推文，200字以内", (150, 200)),
        ("no more than 400 words", (300, 400)),
        ("字数 3000 字以上", (3000, 3750)),
        ("创作五篇日记，每篇400字左右。", (2000, 2000)),
        ("分两部分写，各写1000字", (2000, 2000)),
        ("他一字一句地说", None),
        ("no length here", None),
    ],
)
def test_parse_target(prompt, target):
    assert parse_target(prompt) == target


def test_bounds_hold_both_ways():
    """'200字以内' no longer lets a 20-字 reply score 1; 'at least' does not reward 10x."""
    at_most = parse_target("200字以内")
    assert length_score(20, at_most) < 0.1 and length_score(190, at_most) == 1.0
    assert length_score(300, at_most) < 1.0
    at_least = parse_target("at least 500 words")
    assert length_score(5000, at_least) == 0.0 and length_score(550, at_least) == 1.0
    assert length_score(250, at_least) == pytest.approx(0.5)


def test_prompt_target_reaches_the_reward():
    assert score_text("字" * 20, prompt="写一段200字以内的开场白")["length"] < 0.1


@given(st.integers(1, 20000), st.integers(1, 20000))
def test_score_in_range_and_falls_with_distance(target, length):
    s = length_score(length, target)
    assert 0.0 <= s <= 1.0
    farther = length * 2 if length >= target else max(1, length // 2)
    assert length_score(farther, target) <= s


def test_longbench_write_lengths_are_recovered(shared_corpus):
    """The stated `length` of >= 95% of the 228 LongBench-Write queries lies in the parsed target."""
    bench = shared_corpus.parent / "bench" / "longbench_write"
    rows = [json.loads(x) for f in sorted(bench.glob("*.jsonl")) for x in f.read_text("utf-8").splitlines()]
    misses = []
    for row in rows:
        t = parse_target(row["prompt"], DEFAULTS)
        if not (t and t[0] <= row["length"] <= t[1]):
            misses.append((row["length"], t, row["prompt"][:80]))
    rate = 1 - len(misses) / len(rows)
    print(f"\nLongBench-Write: {len(rows) - len(misses)}/{len(rows)} = {rate:.1%} recovered; misses:", misses)
    assert len(rows) == 228 and rate >= 0.95, misses


@given(st.text(alphabet=st.sampled_from(list("ab Z-'’_1é中文㐀。, \n\t")), max_size=60))
def test_the_shared_pass_counts_the_same(text):
    from swift_scifi.rewards.length import view_units
    from swift_scifi.rewards.view import TextView

    assert view_units(TextView(text)) == reference_count(TextView(text).text)
