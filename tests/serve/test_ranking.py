"""Ranking, request parsing and the Python API, with the real scifi rewards; properties via hypothesis."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import swift_scifi
from swift_scifi.serve.ranking import rank_texts, total_score
from swift_scifi.serve.request import backend_body, parse_options, read_json_body
from swift_scifi.serve.settings import ServeError, ServeSettings

PROSE = st.text(st.sampled_from(list("abc def. 星舰 火星，。\n")), max_size=300)
REWARD = st.one_of(st.none(), st.floats(0, 1))
SETTINGS = ServeSettings(backend_url="http://127.0.0.1:1/v1", n=3, max_n=5)


@settings(max_examples=30, deadline=None)
@given(st.lists(PROSE, min_size=1, max_size=6))
def test_rank_texts_is_a_best_first_permutation(texts):
    ranked = rank_texts(texts)
    assert sorted(c.index for c in ranked) == list(range(len(texts)))
    assert [c.rank for c in ranked] == list(range(len(texts)))
    assert all(texts[c.index] == c.text for c in ranked)
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


@given(
    st.dictionaries(st.sampled_from(["slop", "length", "writing", "repetition"]), REWARD),
    st.dictionaries(st.sampled_from(["slop", "length", "repetition"]), st.floats(0, 10)),
)
def test_total_score_stays_in_unit_range(rewards, weights):
    assert 0.0 <= total_score(rewards, weights) <= 1.0 + 1e-9


def test_total_score_uses_writing_then_weights():
    rewards = {"slop": 1.0, "length": None, "repetition": 0.0, "writing": 0.4}
    assert total_score(rewards) == 0.4
    assert total_score(rewards, {"slop": 3.0, "repetition": 1.0, "length": 5.0}) == 0.75
    assert total_score({"slop": 0.5, "length": None}) == 0.5


def test_rerank_api_prefers_varied_prose_and_passes_columns():
    good = (
        "The Martian dawn was thin and cold. Mira checked the seals on the rover and drove toward the ridge."
    )
    bad = "Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars Mars " * 3
    ranked = swift_scifi.rerank([bad, good], terms=["Mira"], target_length=20, lang="en")
    assert [c.index for c in ranked] == [1, 0]
    assert ranked[0].rewards["term_consistency"] is not None and ranked[0].rewards["length"] is not None


def test_parse_options_defaults_and_limits():
    body = {
        "model": "m",
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "Write."}],
    }
    opts = parse_options(body, SETTINGS)
    assert (opts.n, opts.stream, opts.return_all) == (3, False, True)
    assert opts.columns == {"prompt": "s\nWrite."}  # the one prompt rule: system turns + last user turn
    forward = backend_body({**body, "scifi": {}, "n": 3}, SETTINGS, opts)
    assert forward == {**body, "temperature": 1.0}
    one = parse_options({**body, "n": 1, "stream": True}, SETTINGS)
    assert backend_body({**body, "stream_options": {"include_usage": True}}, SETTINGS, one)["stream_options"]
    forms = parse_options({**body, "scifi": {"terms": ["金箍"], "term_forms": ["紧箍"]}}, SETTINGS)
    assert forms.columns["term_forms"] == ["紧箍"]  # the book's own near-forms reach the scorer
    for bad in (
        {"scifi": {"term_forms": "紧箍"}},
        {"n": 6},
        {"n": True},
        {"scifi": {"terms": "Mars"}},
        {"scifi": {"target_length": 0}},
        {"scifi": {"return": "top"}},
        {"messages": []},
    ):
        with pytest.raises(ServeError) as err:
            parse_options({**body, **bad}, SETTINGS)
        assert err.value.status == 400


async def _chunks(*parts: bytes):
    for part in parts:
        yield part


def test_read_json_body_limits():
    assert asyncio.run(read_json_body(_chunks(b'{"a":', b" 1}"), None, 100)) == {"a": 1}
    for chunks, length, status in [
        ((b"x" * 10,), "500", 413),
        ((b"x" * 60, b"x" * 60), None, 413),
        ((b"[1]",), None, 400),
        ((b"{",), None, 400),
    ]:
        with pytest.raises(ServeError) as err:
            asyncio.run(read_json_body(_chunks(*chunks), length, 100))
        assert err.value.status == status


def test_settings_reject_bad_values():
    with pytest.raises(ValueError):
        ServeSettings(backend_url="127.0.0.1:8000")
    with pytest.raises(ValueError):
        ServeSettings(backend_url="http://x/v1", n=9, max_n=8)


def test_import_stays_light():
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    code = (
        "import sys, swift_scifi, swift_scifi.serve, swift_scifi.commands.serve; "
        "print([m for m in ('httpx', 'fastapi', 'torch', 'swift', 'openai') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=subprocess_env()
    ).stdout
    assert out.strip() == "[]"


def test_backend_url_gets_v1_only_without_a_path():
    from swift_scifi.commands.serve import normalize_backend_url

    assert normalize_backend_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/v1"
    assert normalize_backend_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/v1"
    assert normalize_backend_url("https://gw.example/openai/v1/") == "https://gw.example/openai/v1"


def test_non_finite_reward_is_none_not_a_broken_reply():
    ranked = rank_texts(
        ["a", "b"], scorer=lambda text, **_: {"writing": float("nan") if text == "a" else 0.5}
    )
    assert [c.text for c in ranked] == ["b", "a"]
    assert ranked[1].rewards["writing"] is None and ranked[1].score == 0.0
