"""Glossary extraction: each rule on a small text, the labelled stories, the CLI and the user glossary file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from swift_scifi.datasets.config import BuildConfig
from swift_scifi.datasets.glossary_zh import junk_reason, speaker_terms, suffix_terms
from swift_scifi.datasets.newwords import discover, ngram_stats
from swift_scifi.datasets.terms import (
    GlossaryFileError,
    cached_extract_glossary,
    extract_glossary,
    extract_terms,
    load_glossary,
)

DATA = Path(__file__).parent / "data"


def _en(text: str) -> dict[str, tuple[int, str]]:
    return {t: (n, why) for t, n, why in _en_rows(text)}


def _en_rows(text: str):
    return [(e.term, e.count, e.reason) for e in extract_glossary(text, "en")]


# --- Chinese rules -------------------------------------------------------------------------------


def test_new_word_discovery_needs_cohesion_and_free_boundaries():
    # 玄鲸 recurs with varied neighbours; 率引 only ever sits inside 曲率引擎 (its right neighbour is fixed).
    text = "玄鲸醒了。看玄鲸！玄鲸在笑，说玄鲸好。曲率引擎开了，曲率引擎停了，这台曲率引擎坏了。"
    words = {w.word: w for w in discover(ngram_stats(text), min_count=3)}
    assert "玄鲸" in words and words["玄鲸"].left_entropy >= 1.0 and words["玄鲸"].pmi >= 3
    assert "率引" not in words and "鲸醒" not in words


def test_ngram_counts_match_a_plain_count():
    text = "启明号离开望舒城，启明号回到望舒城。Latin breaks runs: 城启"
    stats = ngram_stats(text)
    for w in ("启明号", "望舒城", "城启", "明号离开"):
        assert stats.count(w) == sum(
            1 for i in range(len(text)) if text.startswith(w, i) and "Latin" not in w
        )
    assert stats.count("号离开望舒") == 1 and stats.count("不在") == 0
    # uses after any of several characters, in one lookup: 明号 after 启 twice; 舒城 after 望 twice
    assert (
        stats.count_after(stats.ids("启望X"), "明号") == 2 and stats.count_after(stats.ids("望"), "舒城") == 2
    )
    assert stats.count_after(stats.ids("离不"), "明号") == 0 and stats.count_after(stats.ids(""), "明号") == 0


def test_function_character_fragments_are_junk():
    for junk in (
        "叫于",
        "这于",
        "本是",
        "先到",
        "对众",
        "之道",
        "将身",
        "即命",
        "一惊",
        "我要",
        "舱里",
        "数到",
        "被拉成",
        "海加",
        "孩子们",
        "僧等",  # 等 after a noun: "and the others"
        "得像",  # the complement particle of 变得像
        "至人民币",  # the preposition "to"
        "去找",  # "go and find": a verb phrase
        "问曰",  # the classical speech verb after a verb ("asked, saying")
        "氏夫人",  # the clan suffix of 吕氏夫人: it follows a surname, it opens no name
        "回过头",  # the aspect particle 过 inside, like 的 了 着: a verb phrase
        "吃过晚饭",
        "教俺",  # "teach me": the pronoun 俺 ends no name
        "彼处",  # the classical "that place": the pronoun 彼 opens no name
        "怕他怎",  # the question word 怎 ("how") ends no name
    ):
        assert junk_reason(junk), junk
    for name in ("程远舟", "林悦", "阿蒙", "陈士成", "闰土", "翠环", "曲率引擎", "相位锚", "吕氏"):
        assert junk_reason(name) is None, name


def test_a_verb_with_its_object_or_its_count_is_no_term():
    # one-character verb + a dictionary noun (镜花缘's 回故乡, 呐喊's 做短工), or + 一 and a count (吃一惊)
    for phrase in ("回船", "回故乡", "做短工", "考才女", "吃一惊", "退一步想"):
        assert junk_reason(phrase) and junk_reason(phrase).startswith("a verb and its"), phrase
    # a surname first reads as a name; a coining suffix keeps a made thing (守望站)
    for name in ("林之洋", "曲率引擎", "守望站", "相位锚", "闰土"):
        assert junk_reason(name) is None, name


def test_a_kept_term_with_words_glued_on_is_no_term_but_a_surname_or_suffix_makes_one():
    from swift_scifi.datasets.glossary_zh import is_glued

    assert is_glued("保唐僧", "唐僧") and is_glued("伏侍唐僧", "唐僧")  # a verb before the name
    assert is_glued("向唐敖", "唐敖") and is_glued(
        "于阿Ｑ", "阿Ｑ"
    )  # 向, 于: surnames, and prepositions as often
    assert not is_glued("孙悟空", "悟空") and not is_glued("曲率引擎站", "曲率引擎")


def test_coining_suffix_takes_the_longest_stable_form():
    text = "两台曲率引擎。第一台曲率引擎。全部曲率引擎。那台曲率引擎。启明号来了。启明号走了。看启明号。"
    got = suffix_terms(ngram_stats(text), 3)
    assert "曲率引擎" in got and "台曲率引擎" not in got and "率引擎" not in got
    assert got["启明号"] == 3


def test_a_coining_suffix_that_opens_the_next_word_is_no_coined_term():
    from swift_scifi.datasets.glossary_zh import suffix_bound

    # 主义国 is 主义国|家 cut in two (国家 is a word; 家 follows every time); 女儿国 is followed by anything,
    # and 曲率引擎's next character makes no word with 擎.
    text = "社会主义国家。主义国家很多。这些主义国家，那些主义国家。" * 2
    text += "女儿国的王。到了女儿国，女儿国里，看女儿国。曲率引擎开了。曲率引擎停了，曲率引擎坏了。"
    stats = ngram_stats(text)
    assert "主义国" in suffix_terms(stats, 3) and suffix_bound(stats, "主义国")
    assert not suffix_bound(stats, "女儿国") and not suffix_bound(stats, "曲率引擎")
    kept = extract_terms(text, "zh")
    assert "主义国" not in kept and "曲率引擎" in kept


def test_the_back_of_a_word_cut_at_its_first_character_is_no_term():
    from swift_scifi.datasets.glossary_zh import front_cut

    # 限公司 is 有|限公司 (有限 is a word; 有 stands before it every time), 衣女子 is 紫|衣女子 (紫衣);
    # 启明号 is read after anything, and 曲率引擎 after 台 or 的, which make no word with 曲.
    text = "星河有限公司。有限公司很大。这家有限公司，那家有限公司。" * 2
    text += "紫衣女子来了。那紫衣女子道：“好。”紫衣女子笑了。紫衣女子走了。"
    text += (
        "启明号来了。到启明号，看启明号，上启明号。两台曲率引擎。那台曲率引擎，新的曲率引擎，旧的曲率引擎。"
    )
    stats = ngram_stats(text)
    assert stats.top_left("限公司") == ("有", 8) and stats.top_left("启明号")[1] == 1  # one each: 到 看 上
    assert front_cut(stats, "限公司") and front_cut(stats, "衣女子")
    assert not front_cut(stats, "启明号") and not front_cut(stats, "曲率引擎")
    kept = extract_terms(text, "zh")
    assert "限公司" not in kept and "衣女子" not in kept
    assert "启明号" in kept and "曲率引擎" in kept


def test_speakers_before_speech_verbs():
    text = "“走。”程远舟说。“好。”林悦道：“来吧。”“嗯。”程远舟说，“再等等。”"
    assert speaker_terms(text) == {"程远舟": 2, "林悦": 1}


def test_generic_dictionary_nouns_are_not_terms():
    text = (
        "控制台亮了。他看控制台。控制台坏了。安全带松了。系好安全带。安全带断了。警报响了。警报停了。又是警报。"
        * 2
    )
    assert extract_terms(text, "zh") == []


def test_class_nouns_and_predicates_are_not_terms_but_names_are():
    # 宫娥 counted (众宫娥, 几位宫娥) and 传旨 after an adverb (即传旨) are period vocabulary; 八戒 is a name.
    scene = "众宫娥来了。宫娥笑道：“好。”八戒道：“走。”王即传旨。几位宫娥走了。八戒说：“来。”便传旨宣他。宫娥看八戒。"
    terms = extract_terms(scene * 6, "zh")
    assert "八戒" in terms and "宫娥" not in terms and "传旨" not in terms
    # the same words without the collective or the adverb in front are kept as key words of the text
    plain = scene.replace("众宫娥", "那宫娥").replace("几位宫娥", "那宫娥").replace("即传旨", "要传旨")
    plain = plain.replace("便传旨", "令传旨")
    assert {"宫娥", "传旨", "八戒"} <= set(extract_terms(plain * 6, "zh"))


def test_what_a_numeral_counts_is_no_term_but_a_name_after_one_sometimes_is():
    from swift_scifi.datasets.glossary_zh import is_counted

    # 碗酒 (一碗酒, 两碗酒) and 尺多 (一尺多) stand after a numeral in every use: a count, not a name. 海龙王
    # stands after one in a third of its uses (四海龙王); 七斤 starts with a numeral but follows none.
    text = (
        "七斤喝了一碗酒。七斤说：“再来两碗酒。”那碗酒是冷的。水有一尺多深，七斤跳了一尺多高。"
        "四海龙王都来了。海龙王笑道：“好。”海龙王走了。七斤看海龙王。"
    )
    stats = ngram_stats(text)
    assert is_counted(stats, "碗酒", 3) and is_counted(stats, "尺多", 2)
    assert not is_counted(stats, "海龙王", 3) and not is_counted(stats, "七斤", 4)
    assert not is_counted(stats, "碗酒", 5)  # a third of five uses: below COUNT_SHARE


def test_the_tail_of_kept_names_and_the_word_after_them_is_no_term():
    from swift_scifi.datasets.glossary_zh import is_names_tail, kept_endings

    # 芝妹妹 is written only as the end of 紫芝妹妹, 玉芝妹妹, 兰芝妹妹: its 芝 belongs to the names. 妹妹 after
    # 林 (a surname, no kept term) stays a form of address of its own: 林妹妹
    text = (
        "紫芝说：“走。”玉芝说：“好。”兰芝说：“来。”" * 3 + "紫芝妹妹来了，玉芝妹妹也来了，兰芝妹妹笑了。" * 2
    )
    names = ["紫芝", "玉芝", "兰芝"]
    stats = ngram_stats(text)
    endings = kept_endings(stats, names)
    assert is_names_tail(stats, text, "芝妹妹", 6, endings)
    assert not is_names_tail(stats, text, "芝妹妹", 13, endings)  # 6 of 13 uses: below TAIL_SHARE
    more = text + "林妹妹来了。" * 3
    more_stats = ngram_stats(more)
    assert not is_names_tail(more_stats, more, "妹妹", 9, kept_endings(more_stats, names))  # none ends in 妹
    # only a kept term's own ending counts: 芝 after 灵 (灵芝 is no kept term) is not 紫芝's
    herbs = "灵芝妹妹" * 6
    herb_stats = ngram_stats(herbs)
    assert not is_names_tail(herb_stats, herbs, "芝妹妹", 6, kept_endings(herb_stats, ["李紫芝"]))


def test_an_ordinal_is_no_term():
    assert junk_reason("第七十") == "an ordinal (第七十)" and junk_reason("第八")


def test_names_with_a_head_count_are_no_term_but_a_numbered_name_is():
    # 唐、林二人 "Tang and Lin, the two": the last name and how many people, not one name (镜花缘)
    for phrase in ("林二人", "多二人", "姊妹三人", "唐林二位"):
        assert junk_reason(phrase) == "names and a head count (唐、林二人: the two of them)", phrase
    for name in ("张三", "李四", "神舟五号", "阿三"):  # a numeral alone ends a name or a ship
        assert junk_reason(name) is None, name


def test_a_common_noun_that_speaks_must_open_clauses_as_the_speaker():
    from swift_scifi.datasets.glossary_zh import clause_speaker_uses

    # 医生 (a jieba noun) at ~270x its general rate, before a speech verb 8 times in both scenes: kept when
    # it opens the clause it speaks in (。医生道, ”医生问), left out when a determiner stands before it
    fill = "天色渐渐暗了下来，街上的行人越来越少。" * 4
    opens = ("林悦推门进来。医生道：“坐。”" + fill + "“疼吗？”医生问。" + fill + "医生看着窗外。") * 4
    follows = opens.replace("。医生道", "。那医生道").replace("”医生问", "”这医生问")
    assert clause_speaker_uses(opens, "医生") == 8 and clause_speaker_uses(follows, "医生") == 0
    rows = {e.term: e.reason for e in extract_glossary(opens, "zh")}
    assert "speaks" in rows["医生"]
    assert "医生" not in extract_terms(follows, "zh")


def test_a_loose_fragment_bound_on_one_side_is_no_term():
    from types import SimpleNamespace

    from swift_scifi.datasets.glossary_zh import is_fragment

    assert is_fragment(SimpleNamespace(pmi=3.3, left_entropy=5.2, right_entropy=1.1))  # 上西 (上西天)
    assert not is_fragment(SimpleNamespace(pmi=9.8, left_entropy=4.3, right_entropy=1.1))  # cohesive: a name
    free = SimpleNamespace(pmi=3.3, left_entropy=5.2, right_entropy=4.0)
    assert not is_fragment(free)  # loose, but free on both sides


def test_a_loosely_joined_new_word_needs_a_surname_to_be_kept():
    from types import SimpleNamespace

    from swift_scifi.datasets.glossary_zh import kept_new_word

    def nw(word, pmi):
        return SimpleNamespace(word=word, pmi=pmi, left_entropy=4.0, right_entropy=4.0)

    assert not kept_new_word(nw("神僧", 3.4)) and not kept_new_word(nw("去请", 3.1))  # phrases of common 字
    assert kept_new_word(nw("张二", 3.4)) and kept_new_word(nw("相位锚", 9.0))  # a name; a coined term
    # two one-character verbs are a predicate, however cohesive the book makes them (镜花缘's set phrases)
    assert not kept_new_word(nw("归坐", 7.1)) and not kept_new_word(nw("接令", 6.6))
    assert kept_new_word(nw("题花", 7.0)) and kept_new_word(nw("迭韵", 10.4))  # a verb and a noun may name


def test_name_speaking_folds_into_the_name():
    text = "老陶道：“走。”老陶道：“来。”老陶说：“好。”老陶笑了。看老陶。"
    terms = extract_terms(text, "zh")
    assert "老陶" in terms and not any(t.startswith("老陶") and t != "老陶" for t in terms)


# --- English rules -------------------------------------------------------------------------------


def test_english_names_that_open_sentences_need_mid_sentence_or_speech_evidence():
    text = (
        "Varga nodded. Varga sat. Varga said nothing. Varga slept. "
        "Nothing moved. Nothing was said. Nothing at all. nothing else. "
        "Amon ran. Amon hid. Amon left."
    )
    got = _en(text)
    assert "Varga" in got and got["Varga"][0] == 4 and "speech" in got["Varga"][1]
    assert "Nothing" not in got and "Amon" not in got  # Amon only ever opens a sentence


def test_english_multi_word_names_drop_titles_and_articles():
    text = "Captain Idris Varga came. We met Captain Idris Varga. Ask Idris Varga. The Halcyon Reach left; the Halcyon Reach was old; on the Halcyon Reach."
    got = _en(text)
    assert (
        "Idris Varga" in got
        and "Halcyon Reach" in got
        and not any(t.startswith(("Captain", "The")) for t in got)
    )


def test_english_multi_word_phrase_written_in_lower_case_as_often_is_no_name():
    # "Payment Industry" is capitalised only in headings and written "payment industry" in the prose: an
    # ordinary phrase. "Black Smoke" is capitalised more often than not (Wells writes both): a name.
    text = "## The Payment Industry\n\nRisks in the payment industry grow. The payment industry changes.\n"
    text += "## Banks and the Payment Industry\n\nFor the payment industry and the banks, 2024 was a test.\n"
    text += "## Payment Industry\n\nFees in the payment industry fell.\n"
    text += "The Black Smoke came. We fled the Black Smoke. Then the black smoke lay on Sheen. The Black Smoke rose."
    got = _en(text)
    assert "Payment Industry" not in got and "Black Smoke" in got
    # a run on a heading line is no evidence of a name, however often the headings repeat it
    headings = "## Pure Plant Masks\n\nMasks help.\n\n### Pure Plant Masks for Dry Skin\n\nUse one.\n" * 3
    assert "Pure Plant Masks" not in _en(headings + "Pure Plant Masks are sold.")


def test_english_run_in_headings_are_no_name_evidence_but_a_wrapped_line_start_is():
    # "1. Monthly Card Discount: ..." (a list of offers in a WritingBench query): the heading capitalises it
    offers = "".join(
        f"{i}. {p} Card Discount: the price is lower.\n"
        for i, p in enumerate(("Monthly", "Annual", "Quarterly"), 1)
    )
    assert not any(
        "Card Discount" in t for t in _en("Offers for members.\n\n" + offers + "Ask about card discounts.")
    )
    # hard-wrapped prose starts a line mid-sentence: "Captain Nemo:" there is the name, not a heading
    wrapped = (
        "I looked for\nCaptain Nemo: he was in the cage. Captain Nemo came back, and Captain Nemo smiled.\n"
    )
    assert "Nemo" in " ".join(_en(wrapped * 2))


def test_english_coined_compounds_and_phrases():
    text = (
        "The heat-ray fired. A Heat-Ray again. Two heat-rays now. It was air-tight, air-tight, air-tight. "
        "The lattice anchor held. A lattice anchor hums. The lattice anchor broke. "
        "The old man came. The old man went. The old man sat. A ruined castle, a ruined castle, a ruined castle."
    )
    got = {t.lower(): v for t, v in _en(text).items()}
    assert "heat-ray" in got and got["heat-ray"][0] == 3
    assert "lattice anchor" in got
    assert "air-tight" not in got and "old man" not in got and "ruined castle" not in got


def test_plurals_and_possessives_fold_into_the_name():
    text = "A Martian fell. Two Martians came. The Martian's arm. We saw a Martian. Martians everywhere."
    got = _en(text)
    assert got["Martian"][0] == 5 and "Martians" not in got and "Martian's" not in got


def test_gutenberg_italics_do_not_hide_names():
    text = "The _Thunder Child_ fired. The _Thunder Child_ sank. Cheers for the _Thunder Child_."
    assert "Thunder Child" in _en(text)


def test_aliases_link_short_and_full_forms():
    text = "Time Traveller spoke. The Time Traveller went. Our Time Traveller. The Traveller laughed. Ask the Traveller. I met the Traveller."
    entries = {e.term: e for e in extract_glossary(text, "en")}
    assert "Traveller" in entries["Time Traveller"].aliases
    zh = {
        e.term: e
        for e in extract_glossary("孙悟空来了。看孙悟空。孙悟空笑。悟空走了。叫悟空。悟空睡。" * 2, "zh")
    }
    assert "悟空" in zh["孙悟空"].aliases


# --- labelled stories (targets: recall >= 90%, precision >= 85%) ---------------------------------


@pytest.mark.parametrize("name", sorted(yaml.safe_load((DATA / "gold.yaml").read_text("utf-8"))))
def test_labelled_story_precision_and_recall(name):
    lab = yaml.safe_load((DATA / "gold.yaml").read_text("utf-8"))[name]
    got = extract_terms((DATA / name).read_text("utf-8"), name[:2])
    ok = set(lab["gold"]) | set(lab.get("ok") or [])
    assert sum(g in got for g in lab["gold"]) / len(lab["gold"]) >= 0.9, got
    assert sum(t in ok for t in got) / len(got) >= 0.85, got


def test_english_extraction_on_real_books(shared_corpus):
    got = extract_terms((shared_corpus / "en/wells_the_war_of_the_worlds.txt").read_text("utf-8"), "en")
    assert {"Martian", "Heat-Ray", "fighting-machine", "Thunder Child", "Ogilvy"} <= set(got[:60])


# --- cache, user glossary, CLI --------------------------------------------------------------------


def test_glossary_cache_keeps_reasons(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIFI_CACHE_DIR", str(tmp_path))
    text = (DATA / "zh_qiming.txt").read_text("utf-8")
    first = cached_extract_glossary(text, "zh")
    assert cached_extract_glossary(text, "zh") == first and first[0].reason


def test_user_glossary_file_reads_lines_and_cli_output(tmp_path):
    plain = tmp_path / "g.txt"
    plain.write_text("# my list\n曲率引擎\n\n程远舟\n曲率引擎\n", encoding="utf-8")
    assert load_glossary(plain) == ["曲率引擎", "程远舟"]
    tsv = tmp_path / "g.tsv"
    tsv.write_text("# glossary\nterm\tcount\treason\taliases\n启明号\t6\tnew word\t\n", encoding="utf-8")
    assert load_glossary(tsv) == ["启明号"]
    empty = tmp_path / "e.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(GlossaryFileError, match="no term"):
        load_glossary(empty)
    with pytest.raises(GlossaryFileError, match="cannot be read"):
        load_glossary(tmp_path / "missing.txt")


def test_user_glossary_replaces_the_extracted_one_in_samples(tmp_path, monkeypatch):
    from swift_scifi.datasets.build import build_rows

    book = tmp_path / "book.txt"
    book.write_text((DATA / "zh_qiming.txt").read_text("utf-8"), encoding="utf-8")
    gl = tmp_path / "g.txt"
    gl.write_text("程远舟\n望舒城\n", encoding="utf-8")
    monkeypatch.setenv("SCIFI_GLOSSARY", str(gl))
    rows = build_rows("scifi-chapter-gen", BuildConfig.from_env(corpus=book, max_tokens=1024))
    terms = {t for r in rows for t in r["terms"]}
    assert terms and terms <= {"程远舟", "望舒城"}
    assert any("程远舟" in r["messages"][1]["content"] for r in rows)


def test_glossary_command_prints_counts_and_reasons(tmp_path):
    out = tmp_path / "g.tsv"
    cmd = [sys.executable, "-m", "swift_scifi.cli", "glossary", str(DATA / "en_halcyon.txt"), "-o", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    header, *rows = [line.split("\t") for line in res.stdout.splitlines() if not line.startswith("#")]
    assert header[4:] == ["book_forms", "slips_in_book", "near_misses"]
    assert {"Varga", "lattice anchor", "fold-drive"} <= {r[0] for r in rows}
    assert all(r[1].isdigit() and r[2] for r in rows)
    assert load_glossary(out)[0] == rows[0][0]
    js = subprocess.run(cmd[:-2] + ["--json"], capture_output=True, text=True, timeout=120)
    first = json.loads(js.stdout.splitlines()[0])
    assert first["reason"] and "book_forms" in first and first["near_misses"]
    bad = subprocess.run(cmd[:4] + [str(tmp_path / "none.txt")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "cannot read" in bad.stderr


def test_attested_forms_are_the_near_forms_a_book_uses_twice_or_more():
    from swift_scifi.datasets.terms import attested_forms

    book = "金箍棒在手。紧箍儿咒念了又念，紧箍勒得头疼。金箍闪光。章北海来了，张北海是一次笔误。章北海走了。"
    forms = attested_forms(book, ["金箍", "章北海"])
    assert forms == {"金箍": ["紧箍"]}  # 张北海 is used once: a slip, not the book's own form
    # a case form is the book's own too, of a multi-word name as of a one-word one
    book = "The Black Smoke came. Black Smoke again. The black smoke spread; the black smoke fell. Send was lost."
    assert attested_forms(book, ["Black Smoke", "Send"]) == {"Black Smoke": ["black smoke"]}


def test_grpo_rows_carry_the_books_near_forms_of_their_terms(tmp_path, monkeypatch):
    from swift_scifi.datasets.build import build_rows

    book = tmp_path / "book.txt"
    base = (DATA / "zh_qiming.txt").read_text("utf-8")
    book.write_text(base.replace("望舒城", "望抒城", 3), encoding="utf-8")  # the author's own variant, 3 uses
    gl = tmp_path / "g.txt"
    gl.write_text("程远舟\n望舒城\n", encoding="utf-8")
    monkeypatch.setenv("SCIFI_GLOSSARY", str(gl))
    rows = build_rows("scifi-grpo-prompts", BuildConfig.from_env(corpus=book, max_tokens=1024))
    with_city = [r for r in rows if "望舒城" in r["terms"]]
    assert with_city and all(r["term_forms"] == ["望抒城"] for r in with_city)
    assert all(r["term_forms"] == [] for r in rows if "望舒城" not in r["terms"])
