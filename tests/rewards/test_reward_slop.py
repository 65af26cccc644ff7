"""Slop: bundled lists with provenance, whole-word matching, density scoring."""

from __future__ import annotations

from swift_scifi.rewards import TextView, slop_report
from swift_scifi.rewards.slop import DATA_DIR, load_phrases


def test_lists_are_bundled_with_provenance():
    assert len(load_phrases("en")) >= 150 and len(load_phrases("zh")) >= 100
    readme = (DATA_DIR / "slop" / "README.md").read_text(encoding="utf-8")
    assert "Apache-2.0" in readme and "antislop" in readme
    assert (DATA_DIR / "slop" / "LICENSE-antislop-sampler").is_file()


def test_phrases_found_in_both_languages():
    en = slop_report(TextView("A shiver down her spine, a testament to fate. She delved.", "en"))
    zh = slop_report(TextView("他深吸一口气，嘴角勾起一抹微笑。", "zh"))
    assert en["phrases"] == {"shiver down": 1, "testament to": 1, "delved": 1}
    assert zh["hits"] == 3 and "深吸一口气" in zh["phrases"]


def test_latin_phrases_need_word_boundaries_and_density_sets_the_score():
    assert slop_report(TextView("Undelved tapestryish words.", "en"))["hits"] == 0
    short = slop_report(TextView("It was a tapestry.", "en"))
    long = slop_report(TextView("It was a tapestry. " + "The ship sailed on. " * 100, "en"))
    assert short["score"] < long["score"] < 1.0
