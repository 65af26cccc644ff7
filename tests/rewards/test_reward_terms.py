"""Term consistency: correct uses rewarded, near-miss variants (case, spacing, script, edit-1, CJK fuzzy) penalised."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.rewards import term_report, term_variants
from swift_scifi.rewards.term_consistency import matcher_for, term_consistency_score, terms_from_prompt

TERMS = ["曲率引擎", "Elara", "Tian Gong", "孙悟空", "星港号"]


def test_each_kind_of_near_miss_is_found():
    text = "曲率引擎启动。曲率驱动过热。Elara 和 Elera、elara。TianGong 与 Tian Gong。孫悟空。星港号。"
    rows = {r["term"]: r for r in term_report(text, TERMS).rows()}
    assert rows["曲率引擎"]["correct"] == 1 and rows["曲率引擎"]["forms"] == ["曲率驱动 (fuzzy)"]
    assert rows["Elara"]["correct"] == 1 and set(rows["Elara"]["forms"]) == {"Elera (edit1)", "elara (case)"}
    assert rows["Tian Gong"]["correct"] == 1 and rows["Tian Gong"]["forms"] == ["TianGong (spacing)"]
    assert rows["孙悟空"]["correct"] == 0 and rows["孙悟空"]["forms"] == ["孫悟空 (opencc)"]
    assert rows["星港号"]["correct"] == 1 and rows["星港号"]["variants"] == 0


def test_latin_terms_match_whole_words_only():
    rep = term_report("The squares of Aresia. Ares laughed.", ["Ares"])
    assert rep.correct == {"Ares": 1} and rep.n_variants == 0


def test_variant_that_is_another_term_is_not_penalised():
    rep = term_report("Elara met Elera.", ["Elara", "Elera"])
    assert rep.n_variants == 0 and rep.n_correct == 2


def test_score_orders_correct_above_mixed_above_wrong():
    terms = ["Elara"]
    good = term_consistency_score("Elara ran. Elara stopped.", terms)
    mixed = term_consistency_score("Elara ran. Elera stopped.", terms)
    bad = term_consistency_score("Elera ran. Elera stopped.", terms)
    assert good > mixed > bad


def test_no_mention_scores_the_documented_neutral():
    assert term_consistency_score("Nothing here.", ["Elara"]) == 0.8 * 0.5


def test_variants_cover_script_case_and_spacing():
    assert term_variants("孙悟空") == {"孫悟空": "opencc"}
    assert "tiangong" in term_variants("Tian Gong") and "tian-gong" in term_variants("Tian Gong")
    assert term_variants("Elara")["elera"] == "edit1"


def test_matcher_is_cached_per_term_tuple():
    assert matcher_for(("Elara", "Mars")) is matcher_for(("Elara", "Mars"))


def test_terms_from_prompt_reads_quoted_names():
    assert terms_from_prompt("续写《星港号》的故事，主角「林雪」说：“走吧，快点。”") == ["星港号", "林雪"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Elara ", "Elera ", "elara ", "曲率引擎", "曲率驱动", "孫悟空", "孙悟空", "风", " "]
        ),
        max_size=30,
    )
)
def test_score_in_range_and_adding_a_correct_use_never_lowers_precision(parts):
    text = "".join(parts)
    terms = ["Elara", "曲率引擎", "孙悟空"]
    rep = term_report(text, terms)
    more = term_report(text + " Elara.", terms)
    assert 0.0 <= rep.score() <= 1.0
    prec = lambda r: r.n_correct / (r.n_correct + r.n_variants) if r.n_correct + r.n_variants else 0.0  # noqa: E731
    assert prec(more) >= prec(rep)
