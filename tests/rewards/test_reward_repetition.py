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
    paras = [
        "第一段，飞船在冰原上醒来了，舱壁还在滴水。",
        "第二段，信号来自木卫二的裂谷深处，一明一灭。",
        "第三段，她转身离开舷窗，把手套重新戴好。",
    ]
    assert duplicate_share(paras) == 0.0
    assert duplicate_share(paras + [paras[1]]) == len(paras[1]) / sum(map(len, paras + [paras[1]]))


def test_english_word_ngrams_and_clean_text():
    clean = TextView(
        "The ship woke. The crew slept on in the cold hold while the signal came and went.", "en"
    )
    loop = TextView("the ship woke and " * 20, "en")
    assert repetition_report(clean)["score"] == 1.0
    assert repetition_report(loop)["score"] < 0.2


def test_repeat_only_counts_within_the_window():
    para = "她数着心跳，等那道光再亮一次，窗外的冰原一片寂静。"
    filler = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))  # no 4-gram repeats
    near = TextView(para + "\n\n" + para + "\n\n" + filler, "zh")
    far = TextView(para + "\n\n" + filler + "\n\n" + para, "zh")
    assert repetition_report(near)["dup_share"] > 0 and repetition_report(near)["score"] < 1.0
    assert repetition_report(far)["dup_share"] == 0.0 and repetition_report(far)["ngram_rate"] == 0.0
    assert char_ngram_rate(far.codepoints, 4, window=0) > 0  # anywhere-earlier still sees it


def test_short_refrain_is_not_a_duplicated_paragraph():
    refrain = "“那自然！”三个人异口同音地说。"  # Lu Xun's refrain, 16 characters
    assert duplicate_share([ZH, refrain, ZH[::-1], refrain]) == 0.0


def test_no_length_bias_on_clean_chinese(shared_corpus):
    """Share of clean zh windows penalised at 12,000 characters <= 2x that at 1,000 (was 7/40 -> 31/40)."""
    from tests.rewards.windows import random_windows

    share = {}
    for size in (1000, 12000):
        windows = random_windows(shared_corpus, "zh", n=60, size=size, seed=size)
        share[size] = sum(repetition_report(TextView(w, "zh"))["score"] < 1.0 for _, w in windows) / 60
    print(f"\nzh windows penalised by repetition: 1k {share[1000]:.0%}, 12k {share[12000]:.0%}")
    assert share[12000] <= 2 * max(share[1000], 1 / 60)


def test_neutral_padding_never_raises_repetition(shared_corpus):
    """No dilution: a looped passage keeps its penalty however much clean prose is added before or after."""
    from tests.rewards.windows import random_windows

    for lang, loop in (
        ("zh", "她数着心跳，等那道光再亮一次。" * 40),
        ("en", "She counted her heartbeats. " * 60),
    ):
        clean = [w for _, w in random_windows(shared_corpus, lang, n=6, size=3000, seed=3)]
        for k, pad in enumerate(clean):
            looped = clean[(k + 1) % len(clean)][:1500] + "\n\n" + loop
            base = repetition_report(TextView(looped, lang))["score"]
            assert base < 0.8
            for padded in (
                looped + "\n\n" + pad,
                pad + "\n\n" + looped,
                pad + "\n\n" + looped + "\n\n" + pad,
            ):
                assert repetition_report(TextView(padded, lang))["score"] <= base + 1e-12
