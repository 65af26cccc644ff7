"""The public contract other modules code against: score_text / score_batch keys, ranges and None rules."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from swift_scifi.rewards import ALL_KEYS, explain, score_batch, score_text
from tests.conftest import subprocess_env

ZH = "林雪启动了曲率引擎。\n\n飞船驶向木卫二，冰层下传来低沉的声音。她没有回头。"
EN = "Elara started the warp drive.\n\nThe ship turned toward Europa, and the ice sang below. She did not look back."


def test_score_text_returns_every_key_in_range():
    s = score_text(ZH, terms=["曲率引擎", "林雪"], target_length=30, lang="zh")
    assert tuple(s) == ALL_KEYS
    assert all(0.0 <= v <= 1.0 for v in s.values())


def test_inapplicable_rewards_are_none():
    s = score_text(EN)
    assert s["term_consistency"] is None and s["length"] is None
    assert s["writing"] is not None


def test_length_target_parsed_from_prompt_and_terms_from_quotes():
    s = score_text(ZH, prompt="写一篇约40字的小说，主角「林雪」。")
    assert s["length"] is not None and s["length"] > 0.5
    assert s["term_consistency"] is not None


def test_think_block_is_stripped_before_scoring():
    with_think = "<think>\n- plan\n- more plan\n</think>\n" + EN
    assert score_text(with_think) == score_text(EN)


def test_score_batch_matches_score_text():
    texts = [ZH, EN, ""]
    terms = [["曲率引擎"], ["Elara"], ["x"]]
    got = score_batch(texts, terms=terms, target_length=[30, 20, 10])
    want = [
        score_text(t, terms=tm, target_length=n) for t, tm, n in zip(texts, terms, [30, 20, 10], strict=True)
    ]
    assert got == want


def test_score_batch_shares_a_flat_term_list():
    got = score_batch([EN, EN.replace("Elara", "Elera")], terms=["Elara"])
    assert got[0]["term_consistency"] > got[1]["term_consistency"]


def test_explain_gives_breakdowns():
    e = explain(EN.replace("Elara", "Elera", 1) + " Elara waited.", terms=["Elara"], target_length=25)
    assert e["terms"][0]["variants"] == 1 and e["terms"][0]["correct"] == 1
    assert e["length"]["target"] == [25, 25]
    assert "no-markdown-list" in e["principles"]
    assert e["principle_violations"] == []  # clean prose: nothing to point at
    e = explain("Firstly, the hull held. Secondly, the air ran out!!")
    spans = [(v["principle"], v["text"], v["weight"]) for v in e["principle_violations"]]
    assert ("no-stacked-punctuation", "!!", 1.0) in spans
    assert set(e["repetition"]) >= {"ngram_rate", "dup_share", "score"}


def test_rewards_import_without_torch_or_ms_swift():
    code = "import sys, swift_scifi.rewards as r; r.score_text('x'); print('torch' in sys.modules, 'swift' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=400),
    st.one_of(st.none(), st.lists(st.text(max_size=8), max_size=4)),
    st.one_of(st.none(), st.integers(-5, 5000)),
)
def test_any_input_gives_scores_in_range(text, terms, target):
    s = score_text(text, terms=terms, target_length=target)
    assert set(s) == set(ALL_KEYS)
    assert all(v is None or 0.0 <= v <= 1.0 for v in s.values())
