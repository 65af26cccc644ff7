"""Term-consistency rules added for real prose (docs/rewards.md, "Term consistency: measured on real
prose"): each on a small text, no corpus needed."""

from __future__ import annotations


def test_a_longer_names_near_form_counts_as_the_books_own_when_a_shorter_name_sits_in_it():
    from swift_scifi.datasets.terms import attested_forms

    # 黄尤 (for 黄龙) is what one pass reports at each place; 黄尤子 for 黄龙子 is the book's form too.
    book = "黄龙子道：“来。”黄尤子说：“好。”黄龙子笑了。黄尤子不知几时去了。黄龙在山上。"
    forms = attested_forms(book, ["黄龙子", "黄龙"])
    assert forms["黄龙子"] == ["黄尤子"] and forms["黄龙"] == ["黄尤"]


def test_near_forms_tell_the_books_own_forms_from_its_slips_and_list_what_the_reward_looks_for():
    from swift_scifi.datasets.terms import near_forms
    from swift_scifi.rewards.term_consistency import near_miss_forms

    book = "金箍棒在手。紧箍勒得头疼，紧箍儿咒念了又念。金箍闪光。章北海来了，张北海是一次笔误。章北海走了。"
    nf = near_forms(book, ["金箍", "章北海", "曲率引擎"])
    assert nf["金箍"].own == ("紧箍",) and nf["金箍"].slips == ()
    assert nf["章北海"].own == () and nf["章北海"].slips == (("张北海", 1),)
    assert nf["章北海"].kinds["homophone"] > 10 and "fuzzy" not in nf["章北海"].kinds  # 3 字: swaps only
    assert "fuzzy" in nf["曲率引擎"].kinds and "曲律引擎" in near_miss_forms("曲率引擎")["homophone"]
    assert "罗缉" in near_miss_forms("罗辑")["homophone"] and near_miss_forms("罗辑")["lookalike"]  # 缉: both


def test_a_fuzzy_swap_to_a_function_character_at_the_edge_reads_as_grammar_but_one_inside_stays_a_slip():
    from swift_scifi.rewards.term_consistency import term_report

    # 秀才和洋鬼子: 和 ("and") before 洋鬼子 is grammar, not a slip of 假洋鬼子 (the same swap in the middle
    # of a name, 南还普陀山 for 南海普陀山, is one: no word reads across it; since round 14 the direct
    # function-character check finds it before the fuzzy one does, :func:`zh_variants.function_char_inside`).
    rep = term_report("假洋鬼子来了。“那秀才和洋鬼子！”", ["假洋鬼子"])
    assert rep.n_variants == 0 and rep.correct == {"假洋鬼子": 1}
    rep = term_report("又到南还普陀山拜见观音。", ["南海普陀山"])
    assert rep.variants == {"南海普陀山": [("南还普陀山", "function-char")]}
    # 钱洋鬼子 (the same man by his surname in 呐喊): 钱 neither sounds nor looks like 假, so no near miss
    assert term_report("假洋鬼子来了。钱洋鬼子也来了。", ["假洋鬼子"]).n_variants == 0


def test_a_fuzzy_change_counts_only_when_it_sounds_or_looks_like_the_character_it_replaces():
    from swift_scifi.rewards.term_consistency import term_report
    from swift_scifi.rewards.zh_variants import confusable_swap

    # 国际局势 beside 国际形势, 依法执政 beside 依法行政: other compounds of the same prose; a homophone stays a
    # near miss even when it makes words (曲律引擎), and on a 7-字 term the fuzzy span finds it (观侧 for 观测)
    rep = term_report(
        "国际形势变了。动荡的国际局势使人思考。要依法执政、依法行政。", ["国际形势", "依法行政"]
    )
    assert rep.n_variants == 0 and rep.correct == {"国际形势": 1, "依法行政": 1}
    assert term_report("曲率引擎开了。曲律引擎停了。", ["曲率引擎"]).n_variants == 1
    assert term_report("观测站：天枢深空观测站。天枢深空观侧站。", ["天枢深空观测站"]).n_variants == 1
    assert confusable_swap("曲律引擎", "曲率引擎") and confusable_swap("罗缉", "罗辑")  # by sound; by shape
    assert not confusable_swap("曲率驱擎", "曲率引擎") and not confusable_swap("上百婉儿", "上官婉儿")


def test_a_lower_case_term_capitalised_by_where_it_stands_is_no_case_slip():
    from swift_scifi.rewards.term_consistency import term_report

    terms = ["heat-ray", "load forecasting", "disciplinary inspection", "payback period"]
    placed = (
        "Heat-ray after heat-ray swept the common. “Heat-ray!” he cried.\n- Heat-ray towers\n"
        "## Smart Grid Load Forecasting and Dispatch\n**Load Forecasting:** a survey.\n"
        "He wrote to the Disciplinary Inspection Commission about it, and waited for an answer.\n"
        "Creating a Heat-ray Team\nWe weigh the Payback Period (PP) of each, and the payback period again."
    )
    rep = term_report(placed, terms)
    assert rep.n_variants == 0 and rep.correct == {
        "heat-ray": 5,
        "load forecasting": 2,
        "disciplinary inspection": 1,
        "payback period": 2,
    }
    # inside running text the capital is a slip, and so is a title-cased form after a sentence's first word
    # or at a line break of hard-wrapped prose
    text = (
        "The great Heat-ray burnt it. The Heat-Ray came back over the common today, and the\nHeat-ray again."
    )
    rep = term_report(text, terms)
    assert rep.variants == {"heat-ray": [("Heat-ray", "case"), ("Heat-Ray", "case"), ("Heat-ray", "case")]}


def test_a_term_in_a_heading_glued_to_a_line_end_is_no_case_slip_but_in_wrapped_prose_it_is():
    from swift_scifi.rewards.term_consistency import term_report

    # WritingBench materials glue a heading to the sentence before it; the next line opens a new sentence
    glued = "Draw on legends or literary materials Mysterious and Supernatural Phenomena in Folk Tales\nIn our lives we hear folk tales."
    rep = term_report(glued, ["folk tales"])
    assert rep.n_variants == 0 and rep.correct == {"folk tales": 2}
    # the same words where the next line goes on in lower case are a wrapped sentence: the capitals are slips
    wrapped = "Draw on legends or literary materials Mysterious and Supernatural Phenomena in Folk Tales\nthat we hear."
    assert term_report(wrapped, ["folk tales"]).variants == {"folk tales": [("Folk Tales", "case")]}


def test_a_lower_case_use_of_a_term_capitalised_only_inside_longer_names_is_the_ordinary_noun():
    from swift_scifi.rewards.term_consistency import capitalised_in_names_only, term_report

    # Robo-Advisor heads two product names; "the first true robo-advisor" is the kind of service, no slip
    report = "Case 4: HFT Robo-Advisor\nHFT Robo-Advisor is new. Heitu AI Robo-Advisor came first, the first true robo-advisor."
    assert capitalised_in_names_only(report, "Robo-Advisor")
    assert term_report(report, ["Robo-Advisor"]).variants == {}
    # the last word of one name is part of it: "kosis" is Than Kosis misspelt
    barsoom = "He bowed to Than Kosis. The guards led Than Kosis out, and then kosis sat down."
    assert not capitalised_in_names_only(barsoom, "Kosis")
    assert term_report(barsoom, ["Kosis"]).variants == {"Kosis": [("kosis", "case")]}
    # capitalised on its own after a lower-case word, the term is a name: the lower-case use is a slip
    for text in (
        "The Martians turned the Heat-Ray on us, and HFT Heat-Ray units too. Then the heat-ray swept the common.",
        "He saw the Traveller at dawn, the Time Traveller and the Night Traveller at noon. The traveller smiled.",
    ):
        term = "Heat-Ray" if "Heat" in text else "Traveller"
        assert not capitalised_in_names_only(text, term)
        assert term_report(text, [term]).variants == {term: [(term.lower(), "case")]}
    # with no capitalised use, or only sentence and line openings, there is no evidence: the slip counts
    assert not capitalised_in_names_only("the heat-ray swept on.", "Heat-Ray")
    opening = "The Heat-Ray swept. Heat-Ray after it.\nHeat-Ray towers fell. Then the heat-ray stopped."
    assert not capitalised_in_names_only(opening, "Heat-Ray")
    assert term_report(opening, ["Heat-Ray"]).variants == {"Heat-Ray": [("heat-ray", "case")]}


def test_plurals_in_ies_and_es_and_a_term_inside_a_link_are_no_slips():
    from swift_scifi.rewards.term_consistency import term_report

    # "Case Studies" is one edit from "Case Studi"+es, "crises" one from "crisis": both plurals (the issue:
    # plurals are never flagged); glenmarkpharma.com and alex.meyers spell an address, not the name
    rep = term_report(
        "The Case Study ends. **Case Studies** follow. One midlife crisis, two midlife crises.",
        ["Case Study", "midlife crisis"],
    )
    assert rep.n_variants == 0 and rep.correct == {"Case Study": 2, "midlife crisis": 2}
    # es is a plural ending only after s x z o ch sh or the i of -ies: "lines" is no "Lin" + es, in either case
    rep = term_report("Lin came. The lines were long. Lines ran. Two boxes and a box.", ["Lin", "box"])
    assert rep.n_variants == 0 and rep.correct == {"Lin": 1, "box": 2}
    text = "Glenmark grew (https://www.glenmarkpharma.com/about). Alex wrote to alex.meyers@mail.com today."
    assert term_report(text, ["Glenmark", "Alex"]).n_variants == 0
    assert term_report("Then glenmark grew. Alex and Elera met.", ["Glenmark", "Elara"]).n_variants == 2
    assert (
        term_report("He went to Pares and back to Paris.", ["Paris"]).n_variants == 1
    )  # a name: no -es plural


def test_a_look_alike_swap_that_makes_a_common_word_is_a_slip_wherever_it_stands():
    from swift_scifi.rewards.term_consistency import term_report

    # 何者 ("which") for 行者: a slip of the eye, counted without the term's surroundings (a homophone word
    # needs them or a sentence that wants the term); the book's own use of the word (term_forms) and a word
    # across the edge (进行着) still keep it out.
    rep = term_report("行者笑了。何者忍不住，又笑。", ["行者"])
    assert rep.variants == {"行者": [("何者", "lookalike")]}
    assert term_report("婉如笑了。他宛如一阵风。", ["婉如"]).n_variants == 0
    assert term_report("行者笑了。何者忍不住，又笑。", ["行者"], forms=["何者"]).n_variants == 0


def test_a_homophone_word_is_a_slip_where_it_reads_worse_than_the_term_and_the_word_where_it_reads_better():
    from swift_scifi.rewards.term_consistency import term_report

    # 八届 ("the eighth session") for 八戒: 那八届挑着担子 reads worse than 那八戒挑着担子 (the character bigram
    # model of general Chinese, zh_context); 读四书 is the books', not 四叔's
    rep = term_report("八戒来了。那八届挑着担子走了。", ["八戒"])
    assert rep.variants == {"八戒": [("八届", "homophone-word")]}
    assert term_report("四叔来了。他在家读四书五经。", ["四叔"]).n_variants == 0


def test_a_homophone_word_where_only_a_name_goes_is_a_slip_of_a_name_the_text_uses():
    from swift_scifi.rewards.term_consistency import term_report

    # 小村 ("a hamlet") opening a clause and the quotation it speaks, 春晖 ("spring sunlight") before 姊姊:
    # only a name stands there, and the text names 小春 / 春辉 elsewhere
    rep = term_report("小春笑了。\n小村道：“昨日我们初与紫芝相会。”", ["小春"])
    assert rep.variants == {"小春": [("小村", "homophone-word")]}
    rep = term_report("春辉来了。缁瑶钗道：“春晖姊姊说得是。”", ["春辉"])
    assert rep.variants == {"春辉": [("春晖", "homophone-word")]}
    # the name's one use, misspelt, is a slip too (a plant that replaced the only 小春)
    assert term_report("\n小村道：“走罢。”", ["小春"]).variants == {"小春": [("小村", "homophone-word")]}
    # a manner word after the speaker's name is no name (行者大声道), and a homophone *name* that a text
    # writes again and again, never writing the term, is another person (湘云 on 红楼梦, for 西游记's 祥云)
    assert term_report("大圣来了。行者大声道：“快走！”", ["大圣"]).n_variants == 0
    assert term_report("贾母向湘云道：“吃了茶，歇一歇。”湘云笑了。", ["祥云"]).n_variants == 0


def test_a_swap_through_a_reading_no_word_uses_is_no_homophone():
    from swift_scifi.rewards.term_consistency import term_report
    from swift_scifi.rewards.zh_variants import homophones

    # 母 read wu (for 毋) and 吾 read yu are literary readings no modern word has: an input method offers
    # neither for wu / yu, so 阿母 ("mother") is no slip of 阿五, nor 吾儿 ("my son") of 瑜儿; 阿舞 is one.
    assert "母" not in homophones("五", "wu") and "吾" not in homophones("瑜", "yu")
    assert "舞" in homophones("五", "wu") and "行" in homophones("航", "hang")  # a second reading a word uses
    assert term_report("阿五来了。阿母可吩咐宫娥备宴。", ["阿五"]).n_variants == 0
    assert term_report("瑜儿来了。话虽如此，吾儿之病未好。", ["瑜儿"]).n_variants == 0
    assert term_report("阿五来了。阿舞又走了。", ["阿五"]).variants == {"阿五": [("阿舞", "homophone")]}


def test_a_swap_to_a_function_character_counts_only_in_the_terms_surroundings():
    from swift_scifi.rewards.term_consistency import term_report

    # 行这 ("walk this"): grammar as often as a slip; beside 行者道： written elsewhere it is the name misspelt
    rep = term_report("行者道：“走。”行这道：“好。”", ["行者"])
    assert rep.variants == {"行者": [("行这", "function-char")]}
    assert term_report("行者上马，行这担着行李。", ["行者"]).n_variants == 0


def test_a_modal_particle_inside_a_name_is_a_slip_anywhere():
    from swift_scifi.rewards.term_consistency import term_report

    # 吧 closes a clause, so 吧戒 (吧 before the name's 戒) is 八戒 misspelt wherever it stands; 酒吧 is a word,
    # and a particle after the name's last character (八吧) is not checked: 你去吧 is grammar
    rep = term_report("八戒来了。那吧戒挑着担子。", ["八戒"])
    assert rep.variants == {"八戒": [("吧戒", "function-char")]}
    assert term_report("八戒来了。阿五也来了，啊五叫道。", ["八戒", "阿五"]).variants == {
        "阿五": [("啊五", "function-char")]
    }
    assert term_report("八戒来了。他在酒吧戒了酒。", ["八戒"]).n_variants == 0
    assert term_report("张巴来了。你去找张吧。", ["张巴"]).n_variants == 0


def test_a_function_character_between_two_of_a_names_characters_is_a_slip():
    from swift_scifi.rewards.term_consistency import term_report

    # 多就公: 就 inside 多九公, with nothing around it to make words of the pieces; 人多就公平 is 人多 + 就 + 公平
    rep = term_report("多九公来了。原来都是闲散进士。多就公忖道：“好。”", ["多九公"])
    assert rep.variants == {"多九公": [("多就公", "function-char")]}
    assert term_report("多九公来了。人多就公平。", ["多九公"]).n_variants == 0


def test_a_function_character_that_opens_no_clause_opening_one_in_a_names_place_is_a_slip():
    from swift_scifi.rewards.term_consistency import term_report

    # 些 and 之 follow what they belong to (这些, 君子之国): at a clause start they are the name misspelt
    rep = term_report("紫芝来了。\n些芝道：“前在公主府内。”", ["紫芝"])
    assert rep.variants == {"紫芝": [("些芝", "lookalike")]}
    assert term_report("紫琼笑了。之琼同易紫菱对着。", ["紫琼"]).variants == {
        "紫琼": [("之琼", "function-char")]
    }
    # after the word they belong to they are grammar, and so is a word they open (之后, 的确 open clauses)
    assert term_report("紫芝来了。这些芝麻好，说了些芝麻的事。", ["紫芝"]).n_variants == 0
    assert term_report("枝后来了。\n之后，他走了。的确如此。", ["枝后", "狄确"]).n_variants == 0


def test_context_model_prefers_the_pairs_it_has_seen_and_round_trips(tmp_path):
    from swift_scifi.rewards import zh_context as zc

    m = zc.BigramModel.from_texts(
        ["他读四书。", "他读四书五经。", "四叔来了。", "读书人。"], min_pair_count=1
    )
    assert m.lp("四", "书") > m.lp("四", "叔") > m.lp("四", "龟")  # seen twice > once > never
    path = tmp_path / "m.npz"
    m.save(path)
    m2 = zc.BigramModel.load(path)
    assert m2.lp("四", "书") == m.lp("四", "书") and m2.score("读四书") == m.score("读四书")
    zc.use_model(m)
    try:
        text = "他读四书。"
        assert zc.reads_better(text, 2, 4, "四叔") > 0  # 读四书。 reads better than 读四叔。 here
        # memoised: the same values as computed afresh, for this model only
        direct = m.score("读四书#") - m.score("读四叔#")  # one character each side, normalised
        assert zc.reads_better(text, 2, 4, "四叔") == zc.reads_better(text, 2, 4, "四叔") == direct
        assert all(m.lp(a, b) == m._lp_uncached(a, b) for a, b in [("四", "书"), ("四", "龟"), ("#", "他")])
    finally:
        zc.use_model(None)
    assert zc.model() is not m
    shipped = zc.model()
    assert zc.reads_better("他读四书。", 2, 4, "四叔") == shipped.score("读四书#") - shipped.score("读四叔#")


def test_a_swap_to_a_classical_function_word_at_the_edge_reads_as_grammar_unless_the_term_sits_there():
    from swift_scifi.rewards.term_consistency import term_report

    # 因若花 ("because 若花"): 因 is a conjunction, not a slip of 阴若花; beside 阴若花中 written elsewhere it is one
    assert term_report("阴若花来了。众姊妹因若花中了，都来道喜。", ["阴若花"]).n_variants == 0
    rep = term_report("阴若花中了。众姊妹因若花中了，都来道喜。", ["阴若花"])
    assert rep.variants == {"阴若花": [("因若花", "homophone")]}


def test_a_swap_before_the_sound_frame_is_a_spelling_of_the_sound_not_a_slip():
    from swift_scifi.rewards.term_consistency import term_report

    # 古噜的一声 / 哗喇的一声: an onomatopoeia (spelt by its sound) in the 的一声 frame; the same forms elsewhere
    # are near misses (古噜作响: a homophone swap; 哗喇作响: a homophone word the context model reads worse)
    assert term_report("只听咕噜一声。他又听得古噜的一声，门开了。", ["咕噜"]).n_variants == 0
    assert term_report("只听咕噜一声。他又听得古噜作响，门开了。", ["咕噜"]).variants == {
        "咕噜": [("古噜", "homophone")]
    }
    assert term_report("只听哗啦一声。他又听得哗喇的一声，门开了。", ["哗啦"]).n_variants == 0
    assert term_report("只听哗啦一声。他又听得哗喇作响，门开了。", ["哗啦"]).n_variants == 1


def test_a_first_character_swapped_to_a_numeral_after_a_demonstrative_is_a_count_not_a_slip():
    from swift_scifi.rewards.term_consistency import term_report

    # 这三将军 ("these three generals"), 第三将军: counting grammar, not 玉将军 misspelt; 他和三将军 is a near miss
    assert term_report("玉将军到了。这三将军也都来了。", ["玉将军"]).n_variants == 0
    assert term_report("玉将军到了。第三将军也来了。", ["玉将军"]).n_variants == 0
    rep = term_report("玉将军到了。他和三将军也都来了。", ["玉将军"])
    assert rep.variants == {"玉将军": [("三将军", "lookalike")]}
    assert term_report("玉将军到了。这三将军也来了。", ["玉将军"], forms=None).correct == {"玉将军": 1}


def test_a_numeral_led_word_after_di_is_an_ordinal_whichever_character_changed():
    from swift_scifi.rewards.term_consistency import term_report

    # 第八届 ("the eighth"): an ordinal, not 八戒 misspelt by sound; 八届道： where 八戒道： is written is the name
    assert term_report("八戒来了。他参加了第八届画展。", ["八戒"]).n_variants == 0
    from swift_scifi.rewards.zh_variants import counting

    # after 这 only a numeral that replaced the term's first character counts: 这八戒 is the name
    assert counting("这八届", 1, "八戒") is False and counting("这三大人", 1, "玉大人") is True
    assert term_report("八戒道：“走。”八届道：“好。”", ["八戒"]).variants == {
        "八戒": [("八届", "homophone-word")]
    }


def test_a_swap_to_a_modern_conjunction_or_preposition_at_the_edge_reads_as_grammar_unless_the_term_sits_there():
    from swift_scifi.rewards.term_consistency import term_report

    # 本金但不保证 ("the principal, but not"), 亏损以“－”号 ("losses with a minus sign"): grammar, not slips
    assert term_report("金丹炼成了。本金但不保证收益。", ["金丹"]).n_variants == 0
    assert term_report("损益表。营业利润（亏损以“－”号填列）", ["损益"]).n_variants == 0
    rep = term_report("他吞了金丹，就睡了。他吞了金但，就睡了。", ["金丹"])
    assert rep.variants == {"金丹": [("金但", "homophone")]}


def test_a_one_edit_form_that_is_an_english_word_of_its_own_is_no_slip_but_a_respelling_is():
    from swift_scifi.rewards.term_consistency import term_report

    # Martin (Freeman) beside Martian, Francis (Bacon) beside France: other words and names, read as meant
    assert term_report("The Martian came. Martin Freeman played him.", ["Martian"]).n_variants == 0
    assert term_report("He left France. Francis Bacon wrote.", ["France"]).n_variants == 0
    # a spelling no reader knows, and a doubled letter dropped (the same word respelled), stay slips
    assert term_report("The Martian came. The Martan left.", ["Martian"]).variants == {
        "Martian": [("Martan", "edit1")]
    }
    assert term_report("The Traveller spoke. The Traveler spoke.", ["Traveller"]).variants == {
        "Traveller": [("Traveler", "edit1")]
    }


def test_a_speech_verb_opening_a_quotation_is_no_word_across_the_edge():
    from swift_scifi.rewards.term_consistency import term_report

    # 红渠道：“…” is 红蕖 misspelt, speaking: 道 opens the quotation, it is not the end of 渠道 ("a channel");
    # 渠道 in a plain sentence is still the word, and 红渠 there no slip
    rep = term_report("红蕖来了。红渠道：“这是他忙中有失。”", ["红蕖"])
    assert rep.variants == {"红蕖": [("红渠", "homophone")]}
    assert term_report("幽探来了。幽谈道：“既如此。”", ["幽探"]).n_variants == 1
    assert term_report("红蕖来了。这条红渠道很长。", ["红蕖"]).n_variants == 0
