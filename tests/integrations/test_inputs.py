"""The one input normaliser: the same prompt and completion whatever shape a caller passes, and one
preparation per completion shared by every reward of a batch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from swift_scifi.rewards import score_text
from swift_scifi.rewards.inputs import completion_text, prompt_text
from swift_scifi.rewards.prepare import VIEWS, prepare_view

TEXT = "林雪启动了曲率引擎。飞船驶向木卫二。"
CONV = [
    {"role": "system", "content": "世界设定：“曲率引擎”"},
    {"role": "user", "content": "写第一章。"},
    {"role": "assistant", "content": "第一章正文。"},
    {"role": "user", "content": [{"type": "text", "text": "写第二章，约 300 字。"}]},
]


@pytest.mark.parametrize(
    "value",
    [
        TEXT,
        f"<think>先想一想</think>\n{TEXT}",
        {"role": "assistant", "content": TEXT},
        [{"role": "assistant", "content": TEXT}],  # TRL conversational completion
        [*CONV, {"role": "assistant", "content": TEXT}],  # swift sample request messages
        SimpleNamespace(messages=[*CONV, {"role": "assistant", "content": [{"type": "text", "text": TEXT}]}]),
        {"messages": [*CONV, {"role": "assistant", "content": TEXT}]},
    ],
    ids=["str", "think", "message", "trl-conversational", "messages", "infer-request", "row"],
)
def test_every_completion_shape_reads_the_same_text(value):
    assert completion_text(value) == TEXT


@pytest.mark.parametrize("value", [None, 42, b"x", [], [{"role": "user", "content": None}]])
def test_no_completion_is_none(value):
    assert completion_text(value) is None


def test_prompt_is_system_turns_and_last_user_turn():
    assert prompt_text(CONV) == "世界设定：“曲率引擎”\n写第二章，约 300 字。"
    assert prompt_text([*CONV, {"role": "assistant", "content": "补全"}]) == prompt_text(CONV)
    assert prompt_text(SimpleNamespace(messages=CONV)) == prompt_text(CONV)
    assert prompt_text("just a string") == "just a string"
    assert prompt_text(None) is None and prompt_text([]) is None


def test_train_and_serve_read_the_same_prompt():
    """A quoted name in the system turn is a term, and the target comes from the last user turn, for a GRPO
    row (completion as last turn), a serve request (no completion) and a prompt string alike."""
    grpo = score_text(TEXT, prompt=[*CONV, {"role": "assistant", "content": TEXT}])
    served = score_text(TEXT, prompt=CONV)
    assert grpo == served
    assert grpo["term_consistency"] is not None and grpo["length"] is not None


def test_one_view_per_completion_across_rewards():
    VIEWS.clear()
    a = prepare_view(TEXT * 3, None, 200_000)
    b = prepare_view(TEXT * 3, None, 200_000)
    assert a is b and VIEWS.hits == 1 and VIEWS.misses == 1
    assert prepare_view(TEXT * 3, "en", 200_000) is not a  # the language is part of the key


def test_judge_rewards_read_the_same_prompt():
    from swift_scifi.judge.rewards import prompt_of

    assert prompt_of([*CONV, {"role": "assistant", "content": TEXT}]) == prompt_text(CONV)
    assert prompt_of(None, "the query column") == "the query column"
