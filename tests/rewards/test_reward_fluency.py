"""Fluency gate: text that is not language scores near 0 on every quality reward; clean prose is untouched."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from swift_scifi.rewards import score_text
from swift_scifi.rewards.fluency import fluency_report
from swift_scifi.rewards.registry import SOFT
from swift_scifi.rewards.view import TextView
from tests.rewards.windows import random_windows

LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
    "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip "
    "ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore. "
)
ZH = "林雪把手按在舷窗上。窗外是木卫二的冰原，远处的裂谷里升起一道白色的水汽。她数着心跳，等那道光再亮一次。"
EN = (
    "The ship woke before the crew did. Mara listened to the hull tick as it cooled, counting the seconds "
    "between each sound the way her father had taught her to count thunder."
)


def _gibberish() -> dict[str, str]:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "random_tokens": " ".join(
            "".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(300)
        ),
        "lorem": LOREM * 4,
        "random_cjk": "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(600)),
        "mixed_script_soup": "".join(
            rng.choice(["飞船", "ship", "зима", "ness", "の", "ing", "冰原", "ΩΔ", "tion", "她", "ré"])
            for _ in range(400)
        ),
        "replacement_chars": ZH.replace("的", "\ufffd") + "\ufffd\ufffd" * 40,
        "punctuation": "！？……——，。" * 100 + ZH[:10],
        "endless_dots": "." * 2000,
    }


@pytest.mark.parametrize("name", sorted(_gibberish()))
def test_gibberish_scores_near_zero_on_every_quality_reward(name):
    text = _gibberish()[name]
    scores = score_text(text, target_length=200)
    assert scores["fluency"] <= 0.05, (name, fluency_report(TextView(text)))
    for key in (*SOFT, "writing"):
        if scores[key] is not None:
            assert scores[key] <= 0.05, (name, key, scores)


def test_tiny_random_model_output_is_not_language(tiny_model):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    import torch

    for seed, prompt in enumerate(["写一篇科幻小说", "Write a science fiction story."]):
        torch.manual_seed(seed)
        ids = tok(prompt, return_tensors="pt").input_ids
        out = model.generate(ids, max_new_tokens=200, do_sample=True, temperature=1.0)
        text = tok.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
        scores = score_text(text)
        assert scores["fluency"] <= 0.05 and scores["writing"] <= 0.05, (text[:200], scores)


@pytest.mark.parametrize(
    "text", [ZH, EN, ZH + "他打开AI控制台，读出DNA序列。", EN + " The ΔV budget was 3.2 km/s."]
)
def test_clean_short_texts_are_fluent(text):
    assert fluency_report(TextView(text))["score"] == 1.0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [1000, 3000])
def test_clean_human_prose_is_not_penalised(shared_corpus, lang, size):
    """At most 1% of random windows of clean human prose lose anything to the fluency gate."""
    windows = random_windows(shared_corpus, lang, n=300, size=size, seed=size)
    low = [(novel, fluency_report(TextView(w, lang))) for novel, w in windows]
    low = [(n, r["factors"]) for n, r in low if r["score"] < 1.0]
    print(f"\nfluency on clean {lang} {size}-char windows: {len(low)}/{len(windows)} penalised", low[:3])
    assert len(low) <= 0.01 * len(windows), low[:5]


def test_answer_in_the_wrong_language_for_its_row_is_not_fluent():
    """A zh row answered in fluent-looking English (what a GRPO policy learned in docs/results.md) and an en
    row answered in Chinese fail the gate; with no declared language nothing changes."""
    salad = "the of and to in a was he that it with from her said at they not his but " * 12
    assert fluency_report(TextView(salad))["factors"]["words"] == 1.0  # frequent words: known to the lexicon
    assert score_text(salad)["fluency"] == 0.0  # but in no order a language uses (test_fluency_order.py)
    assert score_text(salad, lang="zh")["fluency"] == 0.0
    assert score_text(salad, lang="zh")["writing"] == 0.0
    assert score_text(ZH * 3, lang="en")["fluency"] == 0.0
    assert score_text(ZH * 3, lang="zh")["fluency"] == 1.0
    assert score_text(EN * 3, lang="en")["fluency"] == 1.0
    # a few Latin acronyms in Chinese prose, or a Chinese name in English, stay fluent
    assert score_text(ZH * 3 + "她打开了AI和DNA的日志。", lang="zh")["fluency"] == 1.0
    assert score_text(EN * 3 + " They called the ship 长风.", lang="en")["fluency"] == 1.0
    assert fluency_report(TextView(salad, "zh"))["factors"]["script"] == 1.0  # a bare view declares nothing


def test_declared_language_gate_spares_clean_human_windows(shared_corpus):
    """Clean corpus windows with their own language declared: the script factor never fires."""
    for lang in ("zh", "en"):
        windows = random_windows(shared_corpus, lang, n=100, size=3000, seed=1)
        low = [w[:60] for _, w in windows if score_text(w, lang=lang)["fluency"] < 1.0]
        assert len(low) <= 1, low


def test_llm_prose_of_every_kind_stays_fluent(shared_corpus):
    """A gate, not a ranker: fluent LLM prose (slop-score's outputs of 22 models: stories, essays, refusals)
    loses nothing to fluency in at least 99.5% of texts; 40 texts per model."""
    from swift_scifi.validation import data as vdata

    texts = [x for x in vdata.llm_outputs(shared_corpus.parent, 40, 0) if x.text.strip()]
    low = [(x.model, fluency_report(TextView(x.text, "en"))["factors"]) for x in texts]
    low = [(m, {k: round(v, 2) for k, v in f.items() if v < 1}) for m, f in low if min(f.values()) < 1]
    print(f"\nfluency on {len(texts)} LLM texts: {len(low)} penalised", low[:3])
    assert len(texts) >= 800
    assert len(low) <= 0.005 * len(texts), low[:5]


MODERN_ZH = (Path(__file__).parent / "data" / "modern_zh_prose.txt").read_text(encoding="utf-8").split("\n\n")


def test_word_flags_mark_digits_capitals_and_ideograph_sides():
    from swift_scifi.text import profile as p

    view = TextView("上海EDG.M虞姬 3-5分钟，ship飞船 iPhone。")
    latin, upper, digit, before, after = (
        p.WORD_LATIN,
        p.WORD_UPPER,
        p.WORD_DIGIT,
        p.WORD_CJK_BEFORE,
        p.WORD_CJK_AFTER,
    )
    assert view.word_flags.tolist() == [
        latin | upper | before,  # EDG: an ideograph before, a Latin letter (M) after
        latin | upper | after,
        digit | before,  # 3-5: no Latin letter, so no switch either side
        latin | before | after,  # ship
        latin | upper | before,  # iPhone
    ]


@pytest.mark.parametrize("lang", ["zh", None])
def test_modern_chinese_with_numbers_units_and_names_stays_fluent(lang):
    """Modern Chinese as LLMs write it (figures, ranges, units, brands, acronyms, a URL, code): fluent. The
    paragraph of Python identifiers glued to ideographs is the one that may lose a little (switches at
    lower-case words count in full: that is what catches token soup)."""
    got = {p[:12]: fluency_report(TextView(p, lang))["score"] for p in MODERN_ZH}
    assert len(got) == 10 and min(got.values()) >= 0.95, got
    assert sum(s == 1.0 for s in got.values()) >= 9, got
    assert fluency_report(TextView("\n\n".join(MODERN_ZH), lang))["score"] == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_latin_soup_inside_chinese_is_still_caught(seed):
    """Ideographs with fragments, English words, acronyms and numbers glued in random order are not language,
    though a word with a capital or a digit passes as a name inside Chinese."""
    rng = random.Random(seed)
    for toks in (
        ["飞船", "Ship", "AB", "ness", "X3", "ing", "冰原", "The", "tion", "她", "run"],
        ["冰原", "CPU", "ness", "的", "GPU", "ing", "了", "3-5", "tion", "是", "walked", "Th", "ré", "我们"],
    ):
        text = "".join(rng.choice(toks) for _ in range(400))
        scores = score_text(text, lang="zh")
        assert scores["fluency"] <= 0.05 and scores["writing"] <= 0.05, (text[:80], scores)


def test_modern_chinese_requests_are_not_penalised(shared_corpus):
    """WritingBench's Chinese queries (modern Chinese full of figures, product names and pasted material),
    both halves: at most 1% lose any fluency (before the Latin-in-Chinese rule: 13.0% and 9.4%)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from scripts.build_fluency_ngram import modern_zh

    for half in ("train", "test"):
        texts = modern_zh(shared_corpus.parent, half)
        low = [t[:40] for t in texts if fluency_report(TextView(t, "zh"))["score"] < 1.0]
        assert len(texts) > 100 and len(low) <= 0.01 * len(texts), (half, low)
