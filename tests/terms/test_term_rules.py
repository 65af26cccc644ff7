"""Term-consistency rules added for real prose (docs/rewards.md, "Term consistency: measured on real
prose"): each on a small text, no corpus needed."""

from __future__ import annotations


def test_a_longer_names_near_form_counts_as_the_books_own_when_a_shorter_name_sits_in_it():
    from swift_scifi.datasets.terms import attested_forms

    # 黄尤 (for 黄龙) is what one pass reports at each place; 黄尤子 for 黄龙子 is the book's form too.
    book = "黄龙子道：“来。”黄尤子说：“好。”黄龙子笑了。黄尤子不知几时去了。黄龙在山上。"
    forms = attested_forms(book, ["黄龙子", "黄龙"])
    assert forms["黄龙子"] == ["黄尤子"] and forms["黄龙"] == ["黄尤"]
