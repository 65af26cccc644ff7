"""Chapter splitting on the real public-domain corpus (../shared/data/corpus), zh and en."""

import pytest

from swift_scifi.text.chapters import split_chapters

# book -> (expected chapter count, first title prefix, last title prefix)
EXPECTED = {
    "zh/wu_chengen_xiyouji.txt": (101, "第一回", "第一百回"),  # 100 回 + 附录
    "zh/li_ruzhen_jinghuayuan.txt": (101, "序", "第一百回"),  # 序 + 100 回
    "zh/liu_e_laocan_youji.txt": (20, "第一回", "第二十回"),
    "en/shelley_frankenstein.txt": (28, "Letter 1", "Chapter 24"),  # 4 letters + 24 chapters
    "en/wells_the_first_men_in_the_moon.txt": (26, "I.", "XXVI."),
    "en/verne_twenty_thousand_leagues_under_the_sea.txt": (46, "CHAPTER I", "CHAPTER XXIII"),
}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_chapter_counts_and_titles(shared_corpus, rel):
    count, first, last = EXPECTED[rel]
    chapters = split_chapters((shared_corpus / rel).read_text(encoding="utf-8"))
    assert len(chapters) == count
    assert chapters[0].title.startswith(first)
    assert chapters[-1].title.startswith(last)


def test_xiyouji_keeps_the_appendix_between_chapters_8_and_9(shared_corpus):
    titles = [
        c.title for c in split_chapters((shared_corpus / "zh/wu_chengen_xiyouji.txt").read_text("utf-8"))
    ]
    i = next(i for i, t in enumerate(titles) if t.startswith("附录"))
    assert titles[i - 1].startswith("第八回") and titles[i + 1].startswith("第九回")


def test_nahan_story_titles_found_by_layout(shared_corpus):
    titles = [c.title for c in split_chapters((shared_corpus / "zh/lu_xun_nahan.txt").read_text("utf-8"))]
    for story in ("狂人日记", "孔乙己", "故乡", "社戏"):
        assert any(t.startswith(story) for t in titles), story


def test_tables_of_contents_are_not_chapters(shared_corpus):
    for rel in ("en/shelley_frankenstein.txt", "en/wells_the_time_machine.txt"):
        for chapter in split_chapters((shared_corpus / rel).read_text("utf-8")):
            assert len(chapter.text) > 1000, (rel, chapter.title)


def test_wells_roman_numeral_headings_take_their_title_line(shared_corpus):
    chapters = split_chapters((shared_corpus / "en/wells_the_war_of_the_worlds.txt").read_text("utf-8"))
    assert chapters[0].title == "I. THE EVE OF THE WAR."
    assert chapters[0].text.startswith("No one would have believed")


def test_bodies_are_in_source_order(shared_corpus):
    text = (shared_corpus / "zh/liu_e_laocan_youji.txt").read_text("utf-8")
    chapters = split_chapters(text)
    positions = [text.index(c.text) for c in chapters]
    assert positions == sorted(positions)
    assert all(text[c.start :].startswith(c.title.split()[0]) for c in chapters)
