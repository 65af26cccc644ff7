"""The fluency gate's word-order check: frequent words in no grammatical order are not language."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from swift_scifi.rewards import score_text
from swift_scifi.rewards.fluency import fluency_report
from swift_scifi.rewards.view import TextView
from swift_scifi.text.ngram import load_model
from swift_scifi.validation.planted import frequent_word_salad, sentences_shuffled, shuffled_words

SAMPLE = Path(__file__).resolve().parents[2] / "swift_scifi" / "data" / "corpus"


def _window(lang: str, size: int, seed: int = 0) -> str:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((SAMPLE / lang).glob("*.txt")))
    start = random.Random(seed).randrange(len(text) - size)
    return text[start : start + size]


@pytest.mark.parametrize("size", [300, 4000])
def test_english_word_salad_scores_near_zero(size):
    """Frequent-word salad (wordfreq top 200 / 2,000), a window's own words shuffled: fluency <= 0.1,
    while the window itself stays at 1.0."""
    rng = random.Random(size)
    clean = _window("en", size)
    assert score_text(clean, lang="en")["fluency"] == 1.0
    for name, salad in {
        "top-200": frequent_word_salad(clean, "en", rng, top=200),
        "top-2000": frequent_word_salad(clean, "en", rng, top=2000),
        "own words shuffled": shuffled_words(clean, "en", rng),
    }.items():
        scores = score_text(salad, lang="en")
        assert scores["fluency"] <= 0.1 and scores["writing"] <= 0.1, (name, fluency_report(TextView(salad)))


def test_chinese_frequent_word_salad_scores_near_zero():
    """4,000 characters of wordfreq's 200 most frequent Chinese words: fluency <= 0.1; the clean window 1.0."""
    clean = _window("zh", 4000)
    assert score_text(clean, lang="zh")["fluency"] == 1.0
    salad = frequent_word_salad(clean, "zh", random.Random(1), top=200)
    assert score_text(salad, lang="zh")["fluency"] <= 0.1, fluency_report(TextView(salad, "zh"))


# modern Chinese science fiction, written for this test (LLM completions in Chinese are modern prose)
MODERN_ZH = (
    "凌晨三点，空间站的警报突然响了起来。林舟从睡袋里钻出来，顺着狭窄的通道飘向控制舱。屏幕上，一条红色的"
    "曲线正在快速上升，那是反应堆的温度。她深吸一口气，按下了通话键：“地面指挥中心，这里是天宫七号，"
    "我们遇到了冷却系统故障，请求支援。”耳机里只有沙沙的电流声。她这才想起来，半小时前，飞船已经进入了"
    "月球背面，通信会中断整整四十分钟。也就是说，接下来的一切，只能靠她自己。她打开维修手册，一页一页地"
    "翻过去，手指因为紧张而微微发抖。窗外，地球正慢慢沉入黑暗，只剩下一道蓝色的弧线。她忽然想起女儿临行前"
    "说的话：“妈妈，你一定要把星星带回来。”她咬了咬牙，戴上手套，推开了通往设备舱的舱门。"
)


@pytest.mark.parametrize("size", [300, 1000])
def test_chinese_salad_and_shuffled_words_score_near_zero(size):
    """Frequent-word salad (wordfreq top 2,000) and a window's own words shuffled: fluency <= 0.1 from 300
    characters, while the window itself stays at 1.0 (held-out rates in docs/rewards.md)."""
    rng = random.Random(size)
    clean = _window("zh", size, seed=size)
    assert score_text(clean, lang="zh")["fluency"] == 1.0
    for name, salad in {
        "top-2000": frequent_word_salad(clean, "zh", rng, top=2000),
        "own words shuffled": shuffled_words(clean, "zh", rng),
    }.items():
        scores = score_text(salad, lang="zh")
        assert scores["fluency"] <= 0.1 and scores["writing"] <= 0.1, (
            name,
            fluency_report(TextView(salad, "zh")),
        )


def test_modern_chinese_prose_passes_and_its_shuffle_does_not():
    """Modern prose (the books the model counts are classical or 1920s): fluent at 1.0, word order well above
    the ramp; the same words shuffled score <= 0.1."""
    report = fluency_report(TextView(MODERN_ZH, "zh"))
    c = report["counts"]
    assert report["score"] == 1.0, report
    assert c["zh_order_millinats"] / c["zh_order_pairs"] > 0, c  # mean pmi > 0 nats; the ramp ends at -0.4
    salad = shuffled_words(MODERN_ZH, "zh", random.Random(7))
    assert score_text(salad, lang="zh")["fluency"] <= 0.1, fluency_report(TextView(salad, "zh"))


def test_english_order_is_not_judged_on_scattered_latin_words_in_chinese():
    """In Chinese text the English words are far apart (their hashes are adjacent only in the word array), so
    they give no English order evidence: a modern brief with numbered items and acronyms stays fluent."""
    text = (
        "1. 背景：2024年，我们在3个城市试点了AI辅助教学。2. 目标：用PPT向家长说明the plan的进展。"
        "3. 要求：第1部分写现状，第2部分写问题，第3部分写对策，每部分不少于500字。"
    ) * 3 + MODERN_ZH
    report = fluency_report(TextView(text, "zh"))
    assert report["counts"]["en_order_pairs"] == 0 and report["factors"]["order_en"] == 1.0, report
    assert report["score"] == 1.0, report


def test_held_out_modern_chinese_queries_keep_their_order_credit(shared_corpus):
    """The held-out half of WritingBench's Chinese queries (none in the model): the order factor stays at 1
    on >= 98% of those with 300+ CJK characters."""
    from scripts.build_fluency_ngram import modern_zh

    texts = [
        t for t in modern_zh(shared_corpus.parent, "test") if len(re.findall(r"[\u4e00-\u9fff]", t)) >= 300
    ]
    low = [t[:40] for t in texts if fluency_report(TextView(t, "zh"))["factors"]["order_zh"] < 1]
    assert len(texts) >= 80
    assert len(low) <= 0.02 * len(texts), low


STRUCTURED_ZH = (Path(__file__).parent / "data" / "modern_zh_structured.txt").read_text(encoding="utf-8")


def test_modern_chinese_with_lists_timestamps_and_key_value_lines_stays_fluent():
    """An LLM-style modern Chinese plan (written for this test: `key：value` lines, a bulleted cast, a timeline
    of timestamps, numbered chapters, a reference list, prose paragraphs): fluent as a whole, and each block
    of lines that are not prose keeps its order credit (their pairs weigh a third of a prose line's)."""
    assert fluency_report(TextView(STRUCTURED_ZH, "zh"))["score"] == 1.0
    blocks = {b.split("\n")[0][:8]: b for b in STRUCTURED_ZH.split("\n\n")}
    for head in ("书名：深空回声", "- 03:12 ", "[1] 木卫二冰"):
        assert fluency_report(TextView(blocks[head], "zh"))["factors"]["order_zh"] == 1.0, head


def test_line_weights_of_the_order_evidence():
    """A sentence counts PROSE_LINE_WEIGHT units per scored pair on a prose line, 1 as a list item (the same
    pairs, the same mean pmi) or on a line without a sentence mark."""
    from swift_scifi.rewards.fluency import PROSE_LINE_WEIGHT

    def counts(text):
        c = fluency_report(TextView(text, "zh"))["counts"]
        return c["zh_order_pairs"], c["zh_order_millinats"]

    line = "她打开维修手册，一页一页地翻过去，手指因为紧张而微微发抖。"
    n, s = counts(line)
    assert n > 0 and n % PROSE_LINE_WEIGHT == 0
    assert counts("前言\n" + line) == (n, s)  # a heading line without pairs changes nothing
    for item in ("- " + line, "  * " + line, "3. " + line, "12) " + line):  # list items weigh 1
        m, t = counts(item)
        assert PROSE_LINE_WEIGHT * m == n and abs(PROSE_LINE_WEIGHT * t - s) <= PROSE_LINE_WEIGHT, item
    m, _ = counts(line.replace("，", "").replace("。", ""))  # noqa: RUF001 (no sentence mark: weight 1)
    assert 0 < m < n / 2
    assert counts("2187年，" + line)[0] > n  # a line starting with a year is prose, not a list item


def test_salad_laid_out_in_lines_is_still_caught():
    """Frequent-word salad (wordfreq top 2,000) laid out as short lines without sentence marks (300 and 1,000
    characters), as a bulleted or a numbered list (1,000): its pairs weigh a third of a prose line's, yet
    fluency stays <= 0.1. (A 300-character bulleted salad keeps some fluency, docs/rewards.md; the format
    gate caps its writing at 0.4.)"""
    import wordfreq

    rng = random.Random(3)
    vocab = [w for w in wordfreq.top_n_list("zh", 2000) if w.isalpha()]
    lines: list[str] = []
    while sum(len(x) + 1 for x in lines) < 1000:
        line = ""
        while len(line) < rng.randint(6, 16):
            line += rng.choice(vocab)
        lines.append(line)
    for name, text in {
        "lines, 300": "\n".join(lines)[:300],
        "lines": "\n".join(lines)[:1000],
        "bullets": "\n".join(f"- {x}。" for x in lines)[:1000],
        "numbered": "\n".join(
            f"{i}. {x}：{rng.choice(vocab)}，{rng.choice(vocab)}。" for i, x in enumerate(lines)
        )[:1000],
    }.items():
        assert score_text(text, lang="zh")["fluency"] <= 0.1, (name, fluency_report(TextView(text, "zh")))


def test_a_few_shuffled_sentences_keep_most_credit():
    """A 3,000-character English text with one sentence in ten shuffled keeps fluency >= 0.9."""
    clean = _window("en", 3000, seed=5)
    mixed = sentences_shuffled(clean, "en", random.Random(5), share=0.1)
    assert mixed != clean
    assert score_text(mixed, lang="en")["fluency"] >= 0.9


@pytest.mark.parametrize(
    "text",
    ["", "\x00\x01\x02" * 50, "\ufffd" * 10, "的" * 5000, "the " * 20_000, "a", "我", "I am."],
)
def test_bad_or_degenerate_input_never_raises(text):
    scores = score_text(text)
    assert 0.0 <= scores["fluency"] <= 1.0


def test_model_is_small_and_versioned():
    """The shipped model stays small (<= 2 MB on disk) and its provenance file names the build script."""
    import json

    from swift_scifi.text.ngram import DATA

    assert DATA.stat().st_size <= 2_000_000
    meta = json.loads(DATA.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["built_by"] == "scripts/build_fluency_ngram.py"
    m = load_model()
    assert m.en_pmi.size == (int((m.en_cls > 0).sum()) + 1) ** 2
    assert m.zh_pmi.size == m.zh_chars.size**2 and int(m.zh_id.max()) == m.zh_chars.size
    assert meta["modern_zh"]["queries"] > 0 and "Apache-2.0" in meta["modern_zh"]["source"]
