"""Heading lines (swift_scifi.text.headings): title-cased and markdown headings, not prose."""

from __future__ import annotations

import pytest

from swift_scifi.text.headings import is_title_line, line_at


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
