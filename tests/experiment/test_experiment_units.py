"""Pure parts of the proof-of-effect pipeline: text statistics, paired deltas, swift flags, configs."""

import pytest

from swift_scifi.experiment.config import load_config
from swift_scifi.experiment.evaluate import chat_prompt, paired_delta
from swift_scifi.experiment.swift_runs import flag_args
from swift_scifi.experiment.text_metrics import distinct_n, is_loop, length_adherence, self_bleu, units


def test_units_split_cjk_characters_and_latin_words():
    assert units("他说: Hello, world's end 42") == ["他", "说", "hello", "world's", "end", "42"]


def test_distinct_and_self_bleu_separate_copies_from_varied_samples():
    same = ["the ship sailed into the dark sea at dawn"] * 2
    varied = ["the ship sailed into the dark sea at dawn", "a quiet robot counted stars above old towers"]
    assert distinct_n(same, 2) == pytest.approx(0.5)
    assert distinct_n(varied, 2) == 1.0
    assert self_bleu(same) == pytest.approx(1.0)
    assert self_bleu(varied) < 0.2
    assert self_bleu(["only one"]) is None and distinct_n([""], 2) is None


def test_loops_are_caught_and_prose_is_not():
    assert is_loop("我们走吧。" * 20)
    assert is_loop("and then the door and then the door " * 6)
    assert not is_loop(
        "The Time Traveller smiled round at us. Then, still smiling faintly, he walked to the lab."
    )
    assert not is_loop("a a a")  # too short to judge


def test_length_adherence_is_one_at_target_and_falls_linearly():
    assert length_adherence(100, 100) == 1.0
    assert length_adherence(50, 100) == 0.5 and length_adherence(150, 100) == 0.5
    assert length_adherence(300, 100) == 0.0 and length_adherence(10, 0) == 0.0


def test_paired_delta_marks_significance_by_the_ci():
    up = paired_delta([1.0 + 0.01 * i for i in range(50)], [0.0] * 50)
    assert up["delta"] > 1 and up["significant"] and up["ci95"][0] > 0
    noise = paired_delta([(-1) ** i * 0.1 for i in range(50)], [0.0] * 50)
    assert not noise["significant"] and noise["ci95"][0] < 0 < noise["ci95"][1]
    none = paired_delta([None, 1.0], [0.5, None])
    assert none["delta"] is None and none["n"] == 0 and not none["significant"]


def test_flag_args_render_lists_bools_and_skip_none():
    args = flag_args({"max_steps": 5, "reward_funcs": ["a", "b"], "use_vllm": False, "beta": None})
    assert args == ["--max_steps", "5", "--reward_funcs", "a", "b", "--use_vllm", "false"]


def test_chat_prompt_is_chatml_without_the_answer():
    msgs = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": "A"},
    ]
    assert (
        chat_prompt(msgs)
        == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize("name", ["smoke", "cpu", "gpu"])
def test_bundled_configs_load_and_give_every_arm_equal_steps(name):
    cfg = load_config(name)
    assert cfg["arms"]["order"] == ["control", "dpo", "grpo"]
    assert all("max_steps" not in cfg["arms"][a]["flags"] for a in cfg["arms"]["order"])
    grpo = cfg["arms"]["grpo"]["flags"]
    assert grpo["scale_rewards"] == "gdpo" and len(grpo["reward_funcs"]) == len(grpo["reward_weights"])
    assert {"scifi_repetition", "scifi_length", "scifi_term_consistency"} <= set(grpo["reward_funcs"])
    if name == "gpu":
        assert grpo["use_vllm"] is True and grpo["vllm_mode"] == "colocate"
