"""Repetition: Chinese character n-grams, English word n-grams, duplicated paragraphs."""

from __future__ import annotations

from swift_scifi.rewards import TextView, repetition_report
from swift_scifi.rewards.repetition import char_ngram_rate, duplicate_share

ZH = "林雪把手按在舷窗上。窗外是木卫二的冰原，远处的裂谷里升起一道白色的水汽。她数着心跳，等那道光再亮一次。"


def test_chinese_text_gets_a_real_rate_where_ms_swift_scores_zero():
    looped = ZH + "她数着心跳，等那道光再亮一次。" * 6
    assert char_ngram_rate(ZH, 4) < 0.05
    assert char_ngram_rate(looped, 4) > 0.4
    # ms-swift's `repetition` splits on spaces: a Chinese text is one "word", so it scores 0
    assert len(looped.split()) < 3
    assert repetition_report(TextView(looped, "zh"))["score"] < 0.5


def test_duplicated_paragraph_is_caught_exactly():
    paras = ["第一段，飞船醒来了。", "第二段，信号来自木卫二。", "第三段，她转身离开。"]
    assert duplicate_share(paras) == 0.0
    assert duplicate_share(paras + [paras[1]]) == len(paras[1]) / sum(map(len, paras + [paras[1]]))


def test_english_word_ngrams_and_clean_text():
    clean = TextView(
        "The ship woke. The crew slept on in the cold hold while the signal came and went.", "en"
    )
    loop = TextView("the ship woke and " * 20, "en")
    assert repetition_report(clean)["score"] == 1.0
    assert repetition_report(loop)["score"] < 0.2
