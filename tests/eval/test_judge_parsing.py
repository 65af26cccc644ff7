"""Strict JSON parsing of judge replies, near-JSON repair, and no eval() of judge text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.judge.parsing import (
    MalformedReply,
    as_score,
    parse_criteria_reply,
    parse_json_object,
    parse_pairwise_reply,
    parse_rubric_reply,
    parse_score_reply,
)


def test_strict_json_fenced_and_prose_wrapped_replies_parse():
    assert parse_score_reply('{"score": 7, "reason": "It says \\"hi\\"."}') == {
        "score": 7.0,
        "reason": 'It says "hi".',
    }
    assert parse_score_reply('Verdict:\n```json\n{"score": 3, "reason": "x"}\n```\nThanks')["score"] == 3.0
    assert parse_score_reply('I rate it {"score": "8/10", "reason": "y"} overall.')["score"] == 8.0


def test_near_json_is_repaired():
    assert parse_score_reply("{'score': 6, 'reason': 'single quotes',}") == {
        "score": 6.0,
        "reason": "single quotes",
    }
    assert parse_score_reply('{"score": 9, "reason": "cut off mid-sent')["score"] == 9.0


@pytest.mark.parametrize(
    "reply",
    [
        "no json here at all",
        "",
        "[1, 2, 3]",
        '{"reason": "no score"}',
        '{"score": 42, "reason": "out of range"}',
        '{"score": "high"}',
    ],
)
def test_unusable_replies_raise_malformed(reply):
    with pytest.raises(MalformedReply):
        parse_score_reply(reply)


def test_judge_text_is_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    payload = f"{{'score': __import__('pathlib').Path('{marker}').touch() or 7, 'reason': 'x'}}"
    with pytest.raises(MalformedReply):
        parse_score_reply(payload)
    assert not marker.exists()


@settings(max_examples=60, deadline=None)
@given(
    score=st.integers(1, 10),
    reason=st.text(max_size=80),
    wrap=st.sampled_from(["{}", "```json\n{}\n```", "Here you go: {} -- done"]),
)
def test_any_valid_reply_roundtrips(score, reason, wrap):
    reply = wrap.replace("{}", json.dumps({"score": score, "reason": reason}, ensure_ascii=False))
    assert parse_score_reply(reply) == {"score": float(score), "reason": reason}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_object_or_malformed(text):
    try:
        assert isinstance(parse_json_object(text), dict)
    except MalformedReply:
        pass


def test_rubric_criteria_and_pairwise_shapes():
    names = ["Prose", "Character"]
    reply = '{"scores": [{"name": "Prose", "score": 8}, {"name": "Character", "score": 4}]}'
    assert parse_rubric_reply(reply, names) == {"Prose": 8.0, "Character": 4.0}
    with pytest.raises(MalformedReply):
        parse_rubric_reply('{"scores": [{"name": "Prose", "score": 8}]}', names)
    crit = [{"name": f"c{i}", "criteria_description": "d", "1-2": "a"} for i in range(5)]
    assert [c["name"] for c in parse_criteria_reply(json.dumps({"criteria": crit}))] == [
        f"c{i}" for i in range(5)
    ]
    with pytest.raises(MalformedReply):
        parse_criteria_reply(json.dumps({"criteria": crit[:3]}))
    assert parse_pairwise_reply('{"winner": "tie", "margin": 3}')["margin"] == 0.0
    assert parse_pairwise_reply('{"winner": "b", "margin": 4, "reason": "r"}')["winner"] == "B"
    with pytest.raises(MalformedReply):
        parse_pairwise_reply('{"winner": "C", "margin": 1}')
    assert as_score(5) == 5.0
