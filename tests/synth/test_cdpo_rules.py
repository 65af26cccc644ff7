"""scifi-cdpo-rules: each corruption (zh and en) plants its defect and is kept by the verifier; the verifier
drops pairs that break its rules; the dataset builds in ms-swift's DPO row format."""

import random

import pytest

from swift_scifi.rewards import explain
from swift_scifi.synth.cdpo_rules import Pair, Report, build_pairs, corrupt, verify
from swift_scifi.synth.corruptions import CORRUPTIONS, kinds

ZH = (
    "林舟把舱门推开一条缝，冷风灌了进来。他没有说话，只是把手套又拉紧了一些。\n\n"
    "走廊尽头的灯一闪一闪，像是随时会熄灭。他沿着墙往前走，脚步声在金属地板上回响。"
    "他数着门牌，一直数到第七扇门才停下。\n\n"
    "门里是一间空荡荡的实验室。桌上放着半杯凉掉的茶，杯沿上还有一圈淡淡的口红印。"
    "他盯着那只杯子看了很久，手指微微发抖。\n\n"
    "“有人吗？”他低声问。没有人回答。他走到窗边，看见远处的天鹰站正缓缓转动，"
    "天鹰站的灯光一盏一盏亮了起来。他低下头，把那只杯子放回原处，转身离开了。"
)
EN = (
    "Mara pushed the hatch open a crack, and the cold air rushed in. She said nothing. She pulled her "
    "gloves tighter and stepped into the corridor.\n\n"
    "The lights at the far end flickered as if they were about to die. She walked along the wall, and her "
    "boots rang on the metal floor. She counted the doors until she reached the seventh one.\n\n"
    "Behind it was an empty laboratory. A half cup of cold tea stood on the bench. She stared at the cup "
    "for a long time, and her fingers trembled. She looked at the screens and saw that they were dark.\n\n"
    '"Hello?" she whispered. Nobody answered. She went to the window and saw Tiangong Station turning '
    "slowly in the distance. The lights of Tiangong Station came on one by one. She lowered her head, put "
    "the cup back where it had been, and turned away."
)
TEXTS = {"zh": (ZH, ["天鹰站"]), "en": (EN, ["Tiangong Station"])}
CASES = [(k, lang) for k in CORRUPTIONS for lang in ("zh", "en") if not (k == "tense_shift" and lang == "zh")]


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_each_corruption_plants_its_defect_and_passes_the_verifier(kind, lang):
    text, terms = TEXTS[lang]
    pair = next(
        p for seed in range(20) if (p := corrupt(text, lang, kind, random.Random(seed), terms)) is not None
    )
    assert pair.rejected != text and pair.chosen == text
    assert verify(pair) is None, f"{kind}/{lang} dropped: {verify(pair)}"
    assert 0 < pair.edit <= 0.25
    k = kinds()[kind]
    good, bad = explain(text, terms=terms, lang=lang), explain(pair.rejected, terms=terms, lang=lang)
    if k.principles:
        assert pair.broken and all(bad["principles"][p] < good["principles"][p] for p in pair.broken)
    else:
        assert bad["scores"][k.reward] < good["scores"][k.reward]


def test_tense_shift_leaves_chinese_and_dialogue_alone():
    assert CORRUPTIONS["tense_shift"](ZH, "zh", random.Random(0), []) is None
    out = CORRUPTIONS["tense_shift"](EN, "en", random.Random(0), [])
    assert "She goes to the window and sees" in out and '"Hello?" she whispered' in out
    assert out.startswith(EN[:200])  # the first half keeps its tense


def test_person_shift_needs_third_person_narration():
    first = EN + "\n\nI never saw her again."
    assert CORRUPTIONS["person_shift"](first, "en", random.Random(0), []) is None
    assert "我" in CORRUPTIONS["person_shift"](ZH, "zh", random.Random(0), [])


def test_term_variant_needs_a_term_used_twice():
    assert CORRUPTIONS["term_variant"](EN, "en", random.Random(0), ["Mara"]) is None
    out = CORRUPTIONS["term_variant"](ZH, "zh", random.Random(0), ["天鹰站"])
    assert out.count("天鹰站") == 1 and "天鷹站" in out


def test_verifier_drops_large_edits_and_unverified_pairs():
    k = kinds()
    big = Pair(EN, EN + "\n\n" + EN, k["duplicate_paragraph"], "en")
    assert verify(big) == "edit too large"
    same_reward = Pair(EN, EN.replace("cold air", "chill air"), k["slop"], "en")
    assert verify(same_reward) == "slop not lower"
    unbroken = Pair(EN, EN.replace("cold air", "chill air"), k["moralising"], "en")
    assert verify(unbroken) == "principle not violated"
    # slop planted but filed as a repetition defect: repetition does not drop, so the pair is refused
    slop = Pair(EN, EN + " It was a testament to the tapestry of fate.", k["duplicate_paragraph"], "en")
    assert verify(slop) == "repetition not lower"


def test_build_pairs_counts_every_attempt():
    report = Report()
    pairs = build_pairs([ZH, "短。"], "zh", [["天鹰站"], []], report=report)
    d = report.as_dict()
    assert d["passages"] == 2 and d["kept"] == len(pairs) == 1
    assert d["dropped"] == sum(d["dropped_by_reason"].values()) >= len(CORRUPTIONS)  # the short one: all fail
    assert pairs[0].index == 0 and d["kept_by_lang"] == {"zh": 1}


def test_dataset_rows_are_ms_swift_dpo_rows():
    from swift_scifi.datasets.build import build_rows

    rows = build_rows("scifi-cdpo-rules")
    assert {r["lang"] for r in rows} == {"zh", "en"} and len({r["kind"] for r in rows}) >= 5
    for r in rows:
        assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
        assert r["rejected_response"] != r["messages"][-1]["content"]
        assert 0 < r["edit"] <= 0.25 and r["principle"]


def test_verifier_scores_are_explains_and_the_chosen_side_is_scored_once():
    """The verifier computes only what its checks need, but the values are explain()'s."""
    from swift_scifi.rewards import REWARD_NAMES
    from swift_scifi.synth.cdpo_rules import Scores

    for text, terms, lang in ((ZH, ["天鹰站"], "zh"), (EN, ["Tiangong Station"], "en")):
        bad = CORRUPTIONS["emotion_label"](text, lang, random.Random(0), terms)
        for t in (text, bad):
            want = explain(t, terms=terms, lang=lang)
            got = Scores(t, terms, lang)
            assert got.score("slop") == want["scores"]["slop"]
            assert got.scores() == {k: want["scores"][k] for k in REWARD_NAMES}
            ids = [*want["principles"], "not-a-principle"]
            assert any(v < 1 for v in want["principles"].values()) or t == text
            assert got.principles(ids) == {
                **{p: want["principles"][p] for p in ids[:-1]},
                "not-a-principle": 1.0,
            }
    chosen = Scores(EN, ["Tiangong Station"], "en")
    calls = []
    compute = chosen._compute
    chosen._compute = lambda keys: calls.append(tuple(keys)) or compute(keys)
    for kind in ("slop", "moralising", "emotion_label"):
        pair = corrupt(EN, "en", kind, random.Random(1), ["Tiangong Station"])
        assert verify(pair, chosen) == verify(Pair(pair.chosen, pair.rejected, pair.kind, "en", pair.terms))
    assert sum(len(c) for c in calls) == len(set(k for c in calls for k in c))  # no reward scored twice
