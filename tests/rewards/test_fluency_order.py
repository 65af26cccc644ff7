"""The fluency gate's word-order check: frequent words in no grammatical order are not language."""

from __future__ import annotations

import random
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


def test_chinese_shuffled_words_lose_order_evidence():
    """A Chinese window's own words shuffled: weaker than English (docs/rewards.md), but the order evidence
    (mean pmi across word boundaries) drops well below the clean window's."""
    clean = _window("zh", 4000, seed=3)
    salad = shuffled_words(clean, "zh", random.Random(3))

    def mean_pmi(text: str) -> float:
        c = fluency_report(TextView(text, "zh"))["counts"]
        return c["zh_order_millinats"] / 1000 / c["zh_order_pairs"]

    assert mean_pmi(clean) - mean_pmi(salad) > 0.3


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
