"""Format and meta failures (scifi_format) are hard: one costs more than any amount of slop."""

from __future__ import annotations

import pytest

from swift_scifi.rewards import score_text
from swift_scifi.rewards.config import DEFAULTS
from swift_scifi.rewards.format import format_report, load_rules
from swift_scifi.rewards.registry import SOFT
from swift_scifi.rewards.view import TextView
from tests.rewards.windows import random_windows

PROSE = (
    "The ship woke before the crew did. Mara listened to the hull tick as it cooled, counting the seconds "
    "between each sound the way her father had taught her to count thunder.\n\n"
    "Outside the port, Europa's ice stretched white to a horizon that was too close. Somewhere under it, the "
    "signal pulsed again, patient as a heartbeat.\n\n"
    "She pressed her palm to the glass and waited for the light to come back."
)
ZH = "林雪把手按在舷窗上。窗外是木卫二的冰原，远处的裂谷里升起一道白色的水汽。\n\n她数着心跳，等那道光再亮一次。"


def wrap(prose: str) -> str:
    return (
        "Sure! Here's a short science fiction story for you:\n\n## The Signal\n\n"
        + prose
        + "\n\n**Moral:** Patience reveals what haste hides.\n\nLet me know if you'd like any changes!"
    )


def test_wrapped_answer_scores_clearly_below_one_slop_word():
    """The issue's regression: the wrapper scored writing 0.945, the slop variant 0.810."""
    wrapped = score_text(wrap(PROSE))
    slopped = score_text(PROSE.replace("Outside the port,", "Amidst the silence, outside the port,"))
    assert slopped["format"] == 1.0 and wrapped["format"] < 0.05
    assert wrapped["writing"] < 0.5 * slopped["writing"]


@pytest.mark.parametrize(
    ("category", "text", "lang"),
    [
        ("preamble", "Certainly! Here is a story about the signal.\n\n" + PROSE, "en"),
        ("preamble", "Here's a short sci-fi story about Europa:\n\n" + PROSE, "en"),
        ("preamble", "好的，以下是为你创作的科幻小说：\n\n" + ZH, "zh"),
        ("closing", PROSE + "\n\nI hope you enjoyed this little story!", "en"),
        ("closing", ZH + "\n\n希望你喜欢这个故事！如果需要修改，请告诉我。", "zh"),
        ("ai_identity", "As an AI language model, I cannot feel the cold. " + PROSE, "en"),
        ("ai_identity", ZH + "作为一个AI助手，我尽力写了这个故事。", "zh"),
        ("heading", "# The Signal\n\n" + PROSE, "en"),
        ("heading", "## 第一章 冰原\n\n" + ZH, "zh"),
        ("list", PROSE + "\n\n- the ice\n- the signal\n- the light", "en"),
        ("list", ZH + "\n\n1. 冰原\n2. 信号", "zh"),
        ("bold", PROSE.replace("Europa's ice", "**Europa's ice**"), "en"),
        ("label", PROSE + "\n\nMoral: patience pays.", "en"),
        ("label", ZH + "\n\n总结：耐心会带来回报。", "zh"),
        ("label", PROSE + "\n\n(Word count: 84)", "en"),
    ],
)
def test_each_category_is_caught(category, text, lang):
    report = format_report(TextView(text, lang))
    assert category in report["hits"], report
    assert report["score"] == pytest.approx(1 - DEFAULTS.format_penalty) or report["failures"] > 1


@pytest.mark.parametrize("text", [PROSE, ZH, "“Sure,” she said. “Here is the key.”\n\n" + PROSE])
def test_clean_prose_has_no_failure(text):
    assert format_report(TextView(text))["failures"] == 0


def test_one_failure_costs_more_than_any_amount_of_slop():
    """writing with one format failure (and no slop) < writing with slop saturated (slop = 0)."""
    one = score_text("# The Signal\n\n" + PROSE)["writing"]
    soft_parts = ("principles", "repetition", "slop")  # the parts that apply without terms or a target
    assert set(soft_parts) <= set(SOFT)
    worst_slop = 1 - DEFAULTS.weight_of("slop") / sum(DEFAULTS.weight_of(k) for k in soft_parts)
    assert one < worst_slop
    very_sloppy = (
        "The bustling port was a tapestry of light, a testament to the camaraderie of the crew. Her voice "
        "was barely above a whisper as bioluminescent kelp twinkled, nestled in the labyrinthine ice, a "
        "kaleidoscope and a symphony at once; the tension was palpable.\n\n" + PROSE
    )
    sloppy = score_text(very_sloppy)  # 12 distinct slop phrases in 115 words
    # slop is a saturating density with an allowance (slop.py), so a real text never reaches 0: the bound
    # above (slop = 0, every other soft part perfect) is the "any amount"; here a real sloppy text.
    assert sloppy["slop"] < 0.9 and sloppy["format"] == 1.0
    assert one < sloppy["writing"]


def test_padding_does_not_dilute_a_failure():
    padded = wrap(PROSE.replace("\n\n", "\n\n" + PROSE + "\n\n" + PROSE + "\n\n"))
    assert score_text(padded)["format"] == score_text(wrap(PROSE))["format"]


def test_scope_start_and_end_only():
    mid = PROSE + "\n\n" + "Let me know if the ice holds, she wrote. " + "\n\n" + PROSE * 3
    assert "closing" not in format_report(TextView(mid, "en"))["hits"]
    late = PROSE * 3 + "\n\nSure! Here is the log you asked for.\n\n" + PROSE
    assert "preamble" not in format_report(TextView(late, "en"))["hits"]


def test_bad_rules_file_names_the_category(tmp_path):
    bad = tmp_path / "format.yaml"
    bad.write_text("version: 1\ncategories:\n  heading:\n    patterns: ['(?<=x)#']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="heading.*lookaround"):
        load_rules(str(bad))
    assert load_rules().version >= 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_clean_human_prose_is_not_penalised(shared_corpus, lang):
    """A hard gate must not fire on clean prose: at most 1% of random 3,000-character windows."""
    windows = random_windows(shared_corpus, lang, n=400, size=3000, seed=3)
    fired = [(novel, format_report(TextView(w, lang))["hits"]) for novel, w in windows]
    fired = [f for f in fired if f[1]]
    print(f"\nformat gate on clean {lang} windows: {len(fired)}/{len(windows)} penalised", fired[:5])
    assert len(fired) <= 0.01 * len(windows), fired[:5]
