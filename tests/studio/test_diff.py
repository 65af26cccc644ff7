"""Diff units and rendering: characters for Chinese, words for English, both in mixed text; inert HTML."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.studio.diff import change_ratio, diff_ops, side_by_side_html, tokens


def test_chinese_is_diffed_by_character_and_english_by_word():
    assert tokens("曲率引擎") == ["曲", "率", "引", "擎"]
    assert tokens("The ship's warp-drive hums.") == [
        "The",
        " ",
        "ship's",
        " ",
        "warp-drive",
        " ",
        "hums",
        ".",
    ]
    assert tokens("AI-7号启动 at 3.5 km") == [
        "AI",
        "-",
        "7",
        "号",
        "启",
        "动",
        " ",
        "at",
        " ",
        "3.5",
        " ",
        "km",
    ]

    zh = [op for op in diff_ops("罗辑看着星空。", "罗辑望着星空，沉默了。") if op.tag != "equal"]
    assert [(op.tag, op.a, op.b) for op in zh] == [("replace", "看", "望"), ("insert", "", "，沉默了")]
    en = [
        op
        for op in diff_ops("The ship was fast and quiet.", "The ship was quiet and very fast.")
        if op.tag != "equal"
    ]
    assert [(op.a, op.b) for op in en] == [("fast", "quiet"), ("quiet", "very fast")]  # whole words, no "q"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab 星空的,.\n", max_size=40), st.text(alphabet="ab 星空的,.\n", max_size=40))
def test_ops_rebuild_both_sides(before, after):
    ops = diff_ops(before, after)
    assert "".join(op.a for op in ops) == before and "".join(op.b for op in ops) == after
    assert all(op.a == op.b for op in ops if op.tag == "equal")
    assert 0.0 <= change_ratio(before, after) <= 1.0
    assert (change_ratio(before, after) == 0.0) == (tokens(before) == tokens(after))


def test_side_by_side_html_is_inert():
    page = side_by_side_html("<b>old</b> text", "<script>alert(1)</script> text", "v1 <i>", "v2")
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    text = re.sub(r"</?(?:del|ins)[^>]*>", "", page)  # the diff's own marks out: the text is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;b&gt;old&lt;/b&gt;" in text
    assert "v1 &lt;i&gt;" in page
    assert '<del class="diff-del">' in page and '<ins class="diff-ins">' in page
