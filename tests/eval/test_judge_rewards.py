"""The GRPO judge reward ``scifi_judge`` (ms-swift AsyncORM) against the scripted judge."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from swift_scifi.judge.scripted import ScriptedJudge


@pytest.fixture
def reward_env(monkeypatch):
    def use(server: ScriptedJudge, **env: str):
        base = {
            "SCIFI_JUDGE_BASE_URL": server.base_url,
            "SCIFI_JUDGE_MODEL": "scripted",
            "SCIFI_JUDGE_TIMEOUT": "2",
            "SCIFI_JUDGE_RETRIES": "1",
            "SCIFI_JUDGE_CONCURRENCY": "8",
            "SCIFI_JUDGE_FALLBACK": "0.25",
        }
        for k, v in {**base, **env}.items():
            monkeypatch.setenv(k, v)

    return use


def _rows(texts: list[str], prompt: str = "Write a story about a generation ship.") -> dict:
    return {
        "messages": [
            [{"role": "user", "content": prompt}, {"role": "assistant", "content": t}] for t in texts
        ]
    }


def test_scifi_judge_is_an_async_orm_registered_with_ms_swift():
    from swift.rewards import AsyncORM, orms

    from swift_scifi.judge.rewards import ScifiJudge, register_judge_rewards

    register_judge_rewards()
    assert orms["scifi_judge"] is ScifiJudge and issubclass(ScifiJudge, AsyncORM)
    assert "scifi_principles_judge" in orms


def test_scores_map_to_unit_interval_on_the_sci_fi_rubric(reward_env):
    from swift_scifi.judge.rewards import ScifiJudge

    with ScriptedJudge() as server:
        reward_env(server)
        texts = [
            "The ship turned. [[score=10]]",
            "<think>plan</think>Dust. [[score=1]]",
            "星舰在黑暗中航行。[[score=4]]",
        ]
        rewards = asyncio.run(ScifiJudge()(texts, **_rows(texts)))
    assert rewards == pytest.approx([1.0, 0.0, 3 / 9])
    assert server.requests == 3


def test_rubric_column_is_used(reward_env):
    from swift_scifi.judge.rewards import ScifiJudge

    rubric = json.dumps(
        [
            {"name": "Tension", "criteria_description": "suspense"},
            {"name": "Imagery", "criteria_description": "concrete images"},
        ]
    )
    with ScriptedJudge() as server:
        reward_env(server)
        texts = ["Stars. [[score=7]]"]
        rewards = asyncio.run(ScifiJudge()(texts, rubric=[rubric], **_rows(texts)))
    assert rewards == pytest.approx([6 / 9])


def test_slow_or_failing_judge_gives_fallback_without_stalling(reward_env):
    from swift_scifi.judge.rewards import ScifiJudge

    with ScriptedJudge(script=["hang", "hang", "500", "500"], hang_s=5) as server:
        reward_env(server, SCIFI_JUDGE_TIMEOUT="0.3", SCIFI_JUDGE_RETRIES="0")
        texts = ["a [[score=10]]", "b [[score=10]]", "c [[score=10]]", "d [[score=10]]", "e [[score=10]]"]
        start = time.perf_counter()
        rewards = asyncio.run(ScifiJudge()(texts, **_rows(texts)))
        elapsed = time.perf_counter() - start
    assert sorted(rewards) == pytest.approx([0.25] * 4 + [1.0])
    assert elapsed < 2.0


def test_batch_deadline_caps_total_time(reward_env):
    from swift_scifi.judge.rewards import ScifiJudge

    with ScriptedJudge(latency_s=3.0) as server:
        reward_env(server, SCIFI_JUDGE_TIMEOUT="10", SCIFI_JUDGE_BATCH_TIMEOUT="0.5")
        start = time.perf_counter()
        rewards = asyncio.run(ScifiJudge()(["x", "y"], **_rows(["x", "y"])))
        assert time.perf_counter() - start < 1.5
    assert rewards == [0.25, 0.25]


def test_concurrency_is_shared_across_the_batch(reward_env):
    from swift_scifi.judge.rewards import ScifiJudge

    with ScriptedJudge(latency_s=0.2) as server:
        reward_env(server, SCIFI_JUDGE_CONCURRENCY="4")
        texts = [f"t{i} [[score=5]]" for i in range(12)]
        start = time.perf_counter()
        rewards = asyncio.run(ScifiJudge()(texts, **_rows(texts)))
        elapsed = time.perf_counter() - start
    assert rewards == pytest.approx([4 / 9] * 12)
    assert server.max_inflight == 4 and elapsed < 12 * 0.2 / 2


def test_principles_judge_asks_one_question_per_judge_principle(reward_env):
    from swift_scifi.judge.principles import judge_principles
    from swift_scifi.judge.rewards import ScifiPrinciplesJudge

    ids = [p.id for p in judge_principles()]
    assert {"scientific-plausibility", "world-rule-consistency"} <= set(ids)
    with ScriptedJudge() as server:
        reward_env(server)
        texts = ["The jump cost a year. [[score=7]]", "跃迁要付出一年寿命。[[score=10]]"]
        rewards = asyncio.run(ScifiPrinciplesJudge()(texts, **_rows(texts)))
        assert rewards == pytest.approx([6 / 9, 1.0])
        assert server.requests == 2 * len(ids)
        server.requests = 0
        rewards = asyncio.run(ScifiPrinciplesJudge()(texts, principles=[[ids[0]], [ids[0]]], **_rows(texts)))
        assert server.requests == 2 and rewards == pytest.approx([6 / 9, 1.0])


def test_bad_input_never_throws(reward_env, caplog):
    from swift_scifi.judge.rewards import ScifiJudge

    with ScriptedJudge() as server:
        reward_env(server)
        texts = [None, 42, "", "ok [[score=10]]"]
        rewards = asyncio.run(
            ScifiJudge()(
                texts,
                messages=[None, "not a list", [], [{"role": "user"}]],
                rubric=["[not json", 7, None, ""],
            )
        )
    assert len(rewards) == 4 and rewards[3] == 1.0 and all(0.0 <= r <= 1.0 for r in rewards)
    with ScriptedJudge() as server:
        reward_env(server, SCIFI_JUDGE_BASE_URL="http://127.0.0.1:9/v1", SCIFI_JUDGE_RETRIES="0")
        assert asyncio.run(ScifiJudge()(["a", "b"])) == [0.25, 0.25]  # nothing listening: fallback
    assert sum("fallback" in r.message for r in caplog.records) == 1  # one line per batch, not per row
