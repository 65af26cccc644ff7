"""Term consistency: correct uses rewarded, near-miss variants (case, spacing, script, edit-1, CJK fuzzy) penalised."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.rewards import term_report, term_variants
from swift_scifi.rewards.term_consistency import matcher_for, term_consistency_score, terms_from_prompt

TERMS = ["曲率引擎", "Elara", "Tian Gong", "孙悟空", "星港号", "天枢深空观测站"]


def test_each_kind_of_near_miss_is_found():
    text = "曲率引擎启动。曲律引擎过热，曲率驱擎也是。Elara 和 Elera、elara。TianGong 与 Tian Gong。孫悟空。星港号。"
    text += "天枢深空观测站亮了。天枢深空观侧站暗了。"
    rows = {r["term"]: r for r in term_report(text, TERMS).rows()}
    # 曲律引擎: 律 sounds like 率; 曲率驱擎: 驱 neither sounds nor looks like 引 (another word, not a slip)
    assert rows["曲率引擎"]["correct"] == 1 and rows["曲率引擎"]["forms"] == ["曲律引擎 (homophone)"]
    assert rows["天枢深空观测站"]["forms"] == ["天枢深空观侧站 (fuzzy)"]  # 7 字: the anchors' homophone span
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
    assert term_variants("孙悟空")["孫悟空"] == "opencc"
    assert (
        term_variants("AI-7号")["ａｉ－７号"] == "width" and term_variants("ＡＩ－７号")["ai-7号"] == "width"
    )
    assert "tiangong" in term_variants("Tian Gong") and "tian-gong" in term_variants("Tian Gong")
    assert term_variants("Elara")["elera"] == "edit1"


def test_chinese_homophone_and_lookalike_swaps_are_found():
    rows = {
        r["term"]: r
        for r in term_report(
            "张北海来了。曲律引擎坏了。罗缉笑了。章北海走了。", ["章北海", "曲率引擎", "罗辑"]
        ).rows()
    }
    assert rows["章北海"]["forms"] == ["张北海 (homophone)"] and rows["章北海"]["correct"] == 1
    assert rows["曲率引擎"]["forms"] == ["曲律引擎 (homophone)"]
    assert rows["罗辑"]["forms"] == ["罗缉 (homophone)"]  # also a look-alike: reported as homophone
    assert term_report("他已走了。", ["己走"]).variants == {"己走": [("已走", "lookalike")]}


def test_near_homophones_merge_common_confusions():
    # zh/z, n/l, in/ing: 钟 (zhong) ~ 宗 (zong), 林 (lin) ~ 宁 (ning)
    assert term_report("宗离去。", ["钟离"]).variants["钟离"][0][1] == "homophone"
    assert term_report("宁悦来了。", ["林悦"]).variants["林悦"][0][1] == "homophone"


def test_legitimate_words_and_grammar_are_not_near_misses():
    # 包含 holds the swapped 含 (韩楚 -> 含楚); 话说 is a common word; a swap to a particle is grammar
    assert term_report("这本书包含楚国的故事。", ["韩楚"]).n_variants == 0
    assert term_report("他在进行着工作。", ["行者"]).n_variants == 0
    assert term_report("我们国之大事。", ["国主"]).n_variants == 0


def test_plurals_possessives_and_headings_are_not_flagged():
    rep = term_report("The Morlocks came. A Morlock's eye. MORLOCK. Two Heat-Rays.", ["Morlock", "Heat-Ray"])
    assert rep.n_variants == 0 and rep.correct == {"Morlock": 2, "Heat-Ray": 1}


def test_hyphenation_and_case_of_coined_terms():
    rows = {
        r["term"]: r
        for r in term_report("The heat ray fired. A heat-ray. The Heat-Ray.", ["Heat-Ray"]).rows()
    }
    assert set(rows["Heat-Ray"]["forms"]) == {"heat ray (spacing)", "heat-ray (case)"}


def test_a_variant_inside_a_correct_use_of_another_term_is_none():
    assert term_report("光临悦来客栈", ["林悦", "悦来客栈"]).n_variants == 0


def test_matcher_is_cached_per_term_tuple():
    assert matcher_for(("Elara", "Mars")) is matcher_for(("Elara", "Mars"))


def test_terms_from_prompt_reads_quoted_names_not_titles():
    # 《》 names a work and the builders' 「」 a chapter: titles, not terms of the story
    assert terms_from_prompt("续写《星港号》的故事，主角「林雪」说：“走吧，快点。”") == ["林雪"]
    assert terms_from_prompt("请续写下一章「曲率之夜」，约800字。以「归途」为题。") == []
    assert terms_from_prompt("写「第三回」，主角“程远舟”。") == ["程远舟"]
    en = 'Continue the story with the next chapter, "The Long Night", about the "Nautilus". Write "Part 2".'
    assert terms_from_prompt(en) == ["Nautilus"]


def test_terms_from_prompt_reads_the_glossary_line_of_the_builders_prompts():
    from swift_scifi.datasets.prompts import join_terms, render

    zh = render("zh", "notes", book="三体", chapter="第一章") + "\n"
    zh += render("zh", "glossary", terms=join_terms(["曲率引擎", "章北海", "罗辑"], "zh"))
    zh += "\n\n" + render("zh", "grpo", chapter="第二章", target_length=800)
    assert terms_from_prompt(zh) == ["曲率引擎", "章北海", "罗辑"]
    en = render("en", "glossary", terms=join_terms(["Time Traveller", "Morlocks", "heat-ray"], "en"))
    assert terms_from_prompt(en + "\n\nContinue.") == ["Time Traveller", "Morlocks", "heat-ray"]
    assert terms_from_prompt("术语表：星港号，林雪；曲率引擎。") == ["星港号", "林雪", "曲率引擎"]


def test_a_near_form_the_book_uses_is_no_slip():
    text = "他念起紧箍儿咒，那金箍越收越紧。"
    assert term_report(text, ["金箍"]).n_variants == 1
    assert term_report(text, ["金箍"], forms=["紧箍"]).n_variants == 0
    assert term_report("金古", ["金箍"], forms=["紧箍"]).n_variants == 1  # other slips still count
    from swift_scifi.rewards import score_batch

    rows = score_batch([text, text], terms=["金箍"], term_forms=["紧箍"])
    assert [r["term_consistency"] for r in rows] == [1.0, 1.0]


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


def test_a_word_across_the_edge_hides_a_swap_only_where_the_term_never_sits():
    # 栈道 straddles the edge, but the text writes 老残道 too: 道 is the speech verb after the name
    assert term_report("老残道：“走。”老栈道：“好。”", ["老残"]).n_variants == 1
    assert term_report("老栈道很险。老残来了。", ["老残"]).n_variants == 0  # 栈道, a mountain path
    assert term_report("他包含楚国。韩楚来了。", ["韩楚"]).n_variants == 0


def test_a_homophone_swap_that_makes_a_common_word_counts_only_where_the_sentence_wants_the_term():
    # 宛如 is a word ("just like"); written where the text also has 婉如道：, it is the name misspelt
    rep = term_report("婉如道：“走。”宛如道：“好。”", ["婉如"])
    assert [k for _, k in rep.variants["婉如"]] == ["homophone-word"]
    # a word that reads better than the term in its sentence is the word meant (zh_context)
    assert term_report("婉如笑了。他宛如一阵风。", ["婉如"]).n_variants == 0
    assert term_report("四叔来了。他在家读四书五经。", ["四叔"]).n_variants == 0


def test_the_scan_lower_cases_as_str_lower_does():
    """Every code point (surrogates aside) lower-cased by the kernel as ``str.lower``; a dotted capital I
    (lower case of two code points) leaves the text as it is, a capital sigma (lower case by context) is left
    to ``str.lower``; the report reads them the same way."""
    import numpy as np

    from swift_scifi.rewards.phrase_index import codepoints
    from swift_scifi.rewards.term_kernels import lower_codes, lower_table

    cps = np.arange(0x110000, dtype=np.uint32)
    cps = cps[((cps < 0xD800) | (cps >= 0xE000)) & (cps != 0x130) & (cps != 0x3A3)]
    every = cps.tobytes().decode("utf-32-le")
    assert np.array_equal(lower_codes(codepoints(every), lower_table()), codepoints(every.lower()))
    dotted = "İstanbul AETHER"
    assert np.array_equal(lower_codes(codepoints(dotted), lower_table()), codepoints(dotted))
    assert lower_codes(codepoints("ΟΔΟΣ"), lower_table()).shape[0] == 0
    assert lower_codes(codepoints("ΟΔΟΣ İ"), lower_table()).shape[0] == 0  # whichever comes first
    assert np.array_equal(lower_codes(codepoints("İ ΟΔΟΣ"), lower_table()), codepoints("İ ΟΔΟΣ"))
    m = matcher_for(("Aether", "Nova Prime"))
    rep = m.report("ΟΔΟΣ aether, Nova Prime.")
    assert rep.correct == {"Nova Prime": 1} and rep.variants == {"Aether": [("aether", "case")]}
    rep = m.report(
        "İ aether Nova Prime nova prime"
    )  # as str.lower changes its length, the text is not lowered
    assert rep.correct == {} and rep.variants == {
        "Aether": [("aether", "case")],
        "Nova Prime": [("nova prime", "case")],
    }


def test_a_term_listed_twice_counts_once():
    """A matcher built on a list with a repeated term (a direct caller, not the reward path's deduped list)
    counts each use once, and reports one row per term: the same report as the list without the repeat."""
    text = "Elara ran. Elera stopped. 曲率引擎启动，曲律引擎熄火。"
    once = matcher_for(("Elara", "曲率引擎")).report(text)
    twice = matcher_for(("Elara", "Elara", "曲率引擎", "曲率引擎")).report(text)
    assert twice.correct == once.correct == {"Elara": 1, "曲率引擎": 1}
    assert twice.variants == once.variants
    assert twice.rows() == once.rows() and len(twice.rows()) == 2
    assert twice.score() == once.score()
