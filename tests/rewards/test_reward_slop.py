"""Slop: weighted entries with provenance, contrast frames and clichés, overlap counted once, an allowance
that human prose stays under, and no dilution incentive (padding never raises the score)."""

from __future__ import annotations

import json
import random

import pytest

from swift_scifi.rewards import TextView, slop_report
from swift_scifi.rewards.config import DEFAULTS, RewardConfig
from swift_scifi.rewards.slop import DATA_DIR, data_version, densest, slop_score
from swift_scifi.rewards.slop_lists import WEIGHTS_FILE, load_weights

SAMPLE = DATA_DIR / "corpus"


def _report(text: str, lang: str = "en") -> dict:
    return slop_report(TextView(text, lang))


def test_weights_file_is_versioned_with_provenance_and_licences():
    doc = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    prov = doc["provenance"]
    assert doc["version"] and data_version().startswith(doc["version"] + "+")
    assert "slop-score" in prov["llm_prose"]["source"] and prov["llm_prose"]["split"]
    assert prov["human_prose_en"]["files"] and prov["rule"]
    kinds = {(e["lang"], e["kind"]) for e in doc["entries"]}
    assert {
        ("en", "phrase"),
        ("en", "contrast"),
        ("en", "cliche"),
        ("zh", "phrase"),
        ("zh", "contrast"),
    } <= kinds
    assert all(0 < e["weight"] <= 1 for e in doc["entries"])
    for lic in ("LICENSE-antislop-sampler", "LICENSE-slop-score"):
        assert (DATA_DIR / "slop" / lic).is_file()
    readme = (DATA_DIR / "slop" / "README.md").read_text(encoding="utf-8")
    assert "weights.json" in readme and "MIT" in readme and "Apache-2.0" in readme


def test_ordinary_literary_words_are_not_slop():
    texts = {e.text for e in load_weights()["entries"]}
    assert not texts & {"amidst", "attentively", "gleamed", "intently", "chuckled", "moreover"}
    r = _report(
        "Amidst the ruins he listened attentively; the hull gleamed. He chuckled. Moreover, he stared intently."
    )
    assert r["hits"] == 0 and r["score"] == 1.0


@pytest.mark.parametrize(
    ("text", "lang", "entry"),
    [
        ("It wasn't a ship — it was a promise.", "en", "en-its-not-x-its-y"),
        ("It is not the destination, but the journey.", "en", "en-be-not-x-comma-but-y"),
        ("He did not run but waited.", "en", "en-not-x-but-y"),
        ("She wanted not just a voyage, but a reckoning.", "en", "en-not-just-x-but-y"),
        ("Little did she know what waited below.", "en", "en-little-did-know"),
        ("A shiver ran down her spine.", "en", "en-shiver-spine"),
        ("She let out a breath she didn’t know she was holding.", "en", "en-breath-didnt-know-holding"),
        ("这不是结束，而是开始。", "zh", "zh-zhebushi-ershi"),
        ("他要的不是答案，而是勇气。", "zh", "zh-bushi-ershi"),
    ],
)
def test_contrast_frames_and_cliches_are_found(text, lang, entry):
    r = _report(text, lang)
    assert entry in r["phrases"], r["phrases"]
    m = next(m for m in r["matches"] if m["entry"] == entry)
    assert m["text"] in text and 0 < m["weight"] <= 1 and m["kind"] in ("contrast", "cliche")


def test_overlapping_entries_count_once_and_words_need_boundaries():
    r = _report("Her voice was barely above a whisper.")
    assert r["hits"] == 1  # the phrase, the cliché regex and the word 'whisper' overlap
    # a phrase a principle lists ('the vast tapestry', no-abstract-grandeur) is the principle's, not slop's
    assert _report("It was the vast tapestry of stars.")["hits"] == 0
    assert _report("Undelved tapestryish words.")["hits"] == 0
    assert _report("A tapestry.")["phrases"] == {"tapestry": 1}


def test_allowance_then_saturating_penalty():
    weights = [1.0, 1.0, 1.0]
    assert densest([(0, 0, 5), (1, 10, 20), (2, 30, 40)], weights, window=100) == 3.0
    assert densest([(0, 0, 5), (1, 200, 210), (2, 400, 410)], weights, window=100) == 1.0
    two = "It was a tapestry. It was a testament to them."
    assert slop_score(TextView(two, "en")) == 1.0  # two hits: within the allowance
    many = (
        "A tapestry, a testament to fate; she delved into the kaleidoscope, a symphony of bustling shadows."
    )
    r = _report(many)
    assert r["score"] < 1.0 and r["excess"] == pytest.approx(r["dense"] - DEFAULTS.slop_allowance, abs=1e-3)
    assert r["score"] == pytest.approx(DEFAULTS.slop_scale / (DEFAULTS.slop_scale + r["excess"]), rel=1e-3)
    strict = RewardConfig(slop_allowance=0.0)
    assert slop_score(TextView(two, "en"), strict) < 1.0


def _sample(lang: str) -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((SAMPLE / lang).glob("*.txt")))
    return [p for p in text.split("\n\n") if len(p) > 80]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_padding_never_raises_the_score(lang):
    """Neutral prose added before, after or around a sloppy passage never raises slop."""
    rng = random.Random(3)
    paras = _sample(lang)
    slop = {
        "en": "It wasn't a ship — it was a promise, a testament to the tapestry of fate. Little did she know. "
        "A shiver ran down her spine; her voice was barely above a whisper.",
        "zh": "他深吸一口气，嘴角勾起一抹微笑，眼中闪烁着坚定的光芒。这不是结束，而是一个新的开始。众人倒吸一口凉气。",
    }[lang]
    sep = "\n\n"
    for _ in range(40):
        base = sep.join(rng.sample(paras, 2) + [slop] + rng.sample(paras, 1))
        before = slop_score(TextView(base, lang))
        assert before < 1.0
        for k in (1, 3, 10, 40):
            pad = sep.join(rng.choice(paras) for _ in range(k))
            for padded in (pad + sep + base, base + sep + pad, pad + sep + base + sep + pad):
                assert slop_score(TextView(padded, lang)) <= before + 1e-12


def test_clean_sample_prose_stays_at_one():
    for lang in ("en", "zh"):
        paras = _sample(lang)
        windows = ["\n\n".join(paras[i : i + 6]) for i in range(0, min(len(paras), 120), 6)]
        assert sum(slop_score(TextView(w, lang)) < 1.0 for w in windows) <= max(1, len(windows) // 20)


def test_hyperscan_prefilter_and_re_engine_find_the_same_hits():
    pytest.importorskip("hyperscan", reason="the Hyperscan engine is only installed on Linux x86_64")
    from swift_scifi.rewards.scan import scan
    from swift_scifi.rewards.slop_lists import SlopIndex, slop_index

    fast = slop_index()
    slow = SlopIndex(fast.entries, engine="re")
    assert fast.engine == "hyperscan" and slow.engine == "re"
    rng = random.Random(5)
    planted = [
        "It wasn't a ship — it was a promise, not a tool, but a friend.",
        "She was not just tired, but hollow; not because of the war but because of the quiet.",
        "这不是结束，而是开始。他要的不仅仅是答案，更是勇气。",
        # matches beside the barriers that bound re's runs (a newline inside one's \\s*, sentence ends)
        "It was not the cold,\n\nbut the silence. It wasn't fear, but hunger! Not just rain but hail?",
        "这不是风，\n而是雨；那不是梦，而是真的！",
    ]
    hits = 0
    for lang in ("en", "zh"):
        paras = _sample(lang)
        for _ in range(60):
            text = "\n\n".join(rng.sample(paras, 4) + [rng.choice(planted)])
            a = fast.find(text)
            assert a == slow.find(text)
            shared = scan(TextView(text, lang)).slop  # the shared pass: same hits less principle claims
            assert set(shared) <= set(a)
            hits += len(a)
    assert hits > 120


def test_slop_regex_barriers_are_characters_no_match_can_hold():
    import re

    from swift_scifi.rewards.slop_lists import barriers

    flags = re.ASCII | re.MULTILINE | re.IGNORECASE
    assert barriers(re.compile(r"\bnot\b[^,.!?;:\n]+?\bbut\b", flags)) == "\n.!?;:"  # [^...] holds 。
    assert "\n" not in barriers(re.compile(r"\bnot\b[^.!?\n]+?,\s*but\b", flags))  # \s holds a newline
    assert barriers(re.compile(r"a.b", flags)) == "\n"  # . holds all but the newline
    assert barriers(re.compile(r"^not", flags)) == ""  # an assertion besides \b: no bound
    assert barriers(re.compile(r"(?s)not", flags)) == ""
