"""verl's documented call shape: ``compute_score(data_source, solution_str, ground_truth, extra_info)``,
positionally and by keyword (as its reward managers pass it, with ``reward_kwargs``), loaded by file path the
way verl's ``custom_reward_function.path`` does; verl itself is never imported."""

from __future__ import annotations

import importlib.util
import math
import sys

import pytest

import swift_scifi.integrations.verl as verl_adapter
from swift_scifi.rewards import score_text
from swift_scifi.rewards.registry import ALL_KEYS

TEXT = "林雪启动了曲率引擎。飞船驶向木卫二。“出发吧。”她说。"
INFO = {"terms": ["曲率引擎"], "target_length": 30, "lang": "zh", "prompt": "写一段约 30 字的场景。"}


def _load_by_path():
    """What verl's get_custom_reward_fn does: import the file under another module name."""
    spec = importlib.util.spec_from_file_location("custom_module", verl_adapter.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compute_score


def test_loaded_by_path_without_verl_and_called_like_the_reward_manager():
    compute_score = _load_by_path()
    assert "verl" not in sys.modules  # optional: nothing imports verl
    out = compute_score(data_source="scifi", solution_str=TEXT, ground_truth="", extra_info=INFO)
    want = score_text(TEXT, **{k: INFO[k] for k in ("terms", "target_length", "lang", "prompt")})
    assert set(out) == {"score", *ALL_KEYS}
    assert out["score"] == pytest.approx(want["writing"])
    assert all(out[k] == pytest.approx(want[k]) for k in ALL_KEYS)
    assert all(isinstance(v, float) for v in out.values())


def test_positional_call_reward_kwargs_and_ground_truth_dict():
    out = verl_adapter.compute_score("scifi", TEXT, {"terms": ["曲率引擎"]}, None, reward="term_consistency")
    assert (
        out["score"]
        == out["term_consistency"]
        == pytest.approx(score_text(TEXT, terms=["曲率引擎"])["term_consistency"])
    )
    assert math.isnan(out["length"])  # no target anywhere: not applicable, NaN in the breakdown


def test_messages_prompt_and_think_block_follow_the_one_rule():
    msgs = [{"role": "system", "content": "名词：《木卫二》"}, {"role": "user", "content": "写约 30 字。"}]
    out = verl_adapter.compute_score("scifi", f"<think>plan</think>{TEXT}", None, {"messages": msgs})
    want = score_text(TEXT, prompt="名词：《木卫二》\n写约 30 字。")
    assert out["term_consistency"] == pytest.approx(
        want["term_consistency"]
    )  # 《木卫二》 from the system turn
    assert out["length"] == pytest.approx(want["length"])  # target parsed from the user turn


@pytest.mark.parametrize("bad", [None, 42, "", b"x", ["not", "messages"]])
def test_bad_solutions_score_a_number_never_raise(bad):
    out = verl_adapter.compute_score("scifi", bad, None, "not a dict")
    assert out["score"] == 0.0 and set(out) == {"score", *ALL_KEYS}
