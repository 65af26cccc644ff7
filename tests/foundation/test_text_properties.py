"""Property tests (hypothesis) of the splitters and text basics on arbitrary text."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.text import count_length, detect_lang, split_chapters, split_paragraphs, strip_think
from swift_scifi.text.windows import window_text

# Text drawn from a mix of Chinese, English, punctuation, headings and blank lines.
_PIECES = st.sampled_from(
    [
        "第一回",
        "第十二章　星海",
        "CHAPTER IV",
        "I.",
        "\n",
        "\n\n",
        "\n\n\n",
        "曲率引擎",
        "他说：“走吧。”",
        "The ship drifted.",
        " ",
        "。",
        "Elara",
        "!",
        "……",
        "XII",
        "序",
        "Chapter 3\n\nThe Machine",
    ]
)
TEXT = st.one_of(st.text(max_size=400), st.lists(_PIECES | st.text(max_size=20), max_size=60).map("".join))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 200))
def test_chapters_are_in_order_and_from_the_text(text, min_len):
    chapters = split_chapters(text, min_chapter_length=min_len)
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    assert chapters == [] or len(chapters) >= 2
    pos = 0
    for i, chapter in enumerate(chapters):
        assert chapter.index == i
        assert count_length(chapter.text) >= min_len
        found = norm.find(chapter.text, pos)
        assert found >= pos  # every body is a slice of the text, after the previous one
        pos = found + len(chapter.text)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 60), st.sampled_from(["zh", "en"]))
def test_windows_respect_the_budget_and_lose_no_text(text, max_length, lang):
    windows = window_text(text, max_length, lang)
    assert all(count_length(w) <= max_length for w in windows)
    assert all(w.strip() for w in windows)
    # nothing but whitespace is lost or added
    assert _squash("".join(windows)) == _squash("".join(split_paragraphs(text)))


@given(TEXT)
def test_paragraphs_have_no_blank_lines(text):
    for para in split_paragraphs(text):
        assert para.strip() == para and para and "\n\n" not in para


@given(st.text(max_size=200), st.text(max_size=200))
def test_length_is_additive_across_a_space(a, b):
    # a space boundary never joins or splits a CJK char or an English word
    assert count_length(a + " \n " + b) == count_length(a) + count_length(b)


@given(TEXT)
def test_detect_lang_is_zh_or_en(text):
    assert detect_lang(text) in ("zh", "en")


@given(
    st.text(max_size=100), st.text(max_size=100).filter(lambda s: "<think>" not in s and "</think>" not in s)
)
def test_strip_think_removes_reasoning(reasoning, prose):
    out = strip_think(f"<think>{reasoning}</think>{prose}")
    assert "<think>" not in out
    if "</think>" not in reasoning and "<think>" not in reasoning:
        assert out == prose.strip()


def test_known_values():
    assert count_length("曲率引擎启动了, the warp drive hummed.") == 7 + 4
    assert detect_lang("他说：走吧。") == "zh" and detect_lang("The ship drifted.") == "en"
    assert strip_think("<think>plan</think>\n正文") == "正文"
    assert strip_think("<think>cut off mid-reasoning") == ""
