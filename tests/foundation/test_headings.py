"""Heading lines (swift_scifi.text.headings): title-cased and markdown headings, not prose."""

from __future__ import annotations

import pytest

from swift_scifi.text.headings import glued_title_start, is_title_line, line_at


@pytest.mark.parametrize(
    "line",
    [
        "Smart Grid Load Forecasting and Dispatch",
        "2.3.1 Safety Supervision Data in the Civil Explosives Industry",
        "Creating a Time-effective Team",
        "## the risks we run",
        "4. Cross-industry Integration and Innovation",
    ],
)
def test_headings_are_title_lines(line):
    assert is_title_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The Thunder Child fired. The Thunder Child sank.",  # two sentences
        "On the 20th of July, 1866, the steamer Governor Higginson, of the",  # a hard-wrapped prose line
        "He went to London with Ogilvy and Henderson today",  # prose, mostly lower case
        "",
    ],
)
def test_prose_lines_are_not(line):
    assert not is_title_line(line)


def test_line_at_returns_the_line_holding_an_index():
    text = "one\ntwo three\nfour"
    assert (
        line_at(text, 0) == "one"
        and line_at(text, 6) == "two three"
        and line_at(text, len(text) - 1) == "four"
    )


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        (
            "For settings, draw on legends or literary materials Mysterious and Supernatural Phenomena in Folk Tales",
            "Mysterious and Supernatural Phenomena in Folk Tales",
        ),
        (
            "Reference successful cases in the field Successful Cases in Robo-Advisory:",
            "Successful Cases in Robo-Advisory:",
        ),
    ],
)
def test_a_heading_glued_to_the_end_of_a_line_is_found(line, heading):
    assert line[glued_title_start(line) :] == heading


@pytest.mark.parametrize(
    "line",
    [
        "He saw the Martian Heat-Ray",  # two capitalised words: a name in prose
        "He left. The Big Red Machine",  # after a sentence end: the next sentence, wrapped
        "Smart Grid Load Forecasting",  # the whole line: is_title_line's
        "the light of the moon was on the water",
        "",
    ],
)
def test_prose_line_ends_hold_no_glued_heading(line):
    assert glued_title_start(line) is None
