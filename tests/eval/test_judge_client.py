"""The async judge client against a real scripted HTTP judge: retries, timeouts, failures, concurrency."""

from __future__ import annotations

import asyncio
import time

from swift_scifi.judge.client import ChatClient
from swift_scifi.judge.parsing import parse_score_reply
from swift_scifi.judge.prompts import load_prompt
from swift_scifi.judge.scripted import ScriptedJudge, scripted_score
from tests.eval.fixtures import judge, settings  # noqa: F401 (fixture)

MSGS = load_prompt("score_criterion").messages(
    query="Write a story.", response="A ship. [[score=7]]", criterion="Prose: quality of sentences"
)


async def _calls(s, n=1):
    async with ChatClient(s) as client:
        return await asyncio.gather(*(client.call(MSGS, parse_score_reply) for _ in range(n)))


def test_5xx_and_malformed_replies_are_retried_until_success(judge):  # noqa: F811
    judge.script = ["500", "503", "malformed", "ok"]
    [outcome] = asyncio.run(_calls(settings(judge)))
    assert outcome.ok and outcome.value["score"] == 7.0 and outcome.attempts == 4
    assert "says" in outcome.value["reason"]


def test_near_json_reply_is_repaired_without_retry(judge):  # noqa: F811
    judge.script = ["near_json"]
    [outcome] = asyncio.run(_calls(settings(judge)))
    assert outcome.ok and outcome.attempts == 1 and outcome.value["score"] == 7.0


def test_timeout_is_retried(judge):  # noqa: F811
    judge.script, judge.hang_s = ["hang"], 3.0
    start = time.perf_counter()
    [outcome] = asyncio.run(_calls(settings(judge, timeout_s=0.3)))
    assert outcome.ok and outcome.attempts == 2
    assert time.perf_counter() - start < 2.0


def test_failure_after_retries_is_recorded_not_raised(judge):  # noqa: F811
    judge.every = {"500": 1}
    [outcome] = asyncio.run(_calls(settings(judge, retries=2)))
    assert not outcome.ok and outcome.attempts == 3 and "HTTP 500" in outcome.error
    assert judge.requests == 3


def test_unreachable_judge_is_recorded_not_raised():
    with ScriptedJudge() as server:
        s = settings(server, retries=1)
    [outcome] = asyncio.run(_calls(s))  # the server is gone: connection refused
    assert not outcome.ok and outcome.attempts == 2


def test_concurrency_is_bounded_and_used():
    with ScriptedJudge(latency_s=0.1) as server:
        start = time.perf_counter()
        outcomes = asyncio.run(_calls(settings(server, concurrency=4), n=16))
        elapsed = time.perf_counter() - start
    assert all(o.ok for o in outcomes)
    assert server.max_inflight == 4
    assert elapsed < 16 * 0.1 / 2


def test_scripted_score_is_deterministic_and_in_range():
    assert scripted_score("x [[score=3]]", "any") == 3
    assert all(1 <= scripted_score(f"text {i}", "Prose") <= 10 for i in range(50))
    assert scripted_score("text", "Prose") == scripted_score("text", "Prose")


def test_invalid_utf8_reply_is_an_outcome_not_an_exception(judge):  # noqa: F811
    judge.script = ["bad_bytes"]
    [outcome] = asyncio.run(_calls(settings(judge)))
    assert outcome.ok and outcome.attempts == 1 and "\ufffd" in outcome.value["reason"]


def test_a_parser_that_raises_is_recorded_as_that_calls_failure(judge):  # noqa: F811
    def broken(text: str):
        raise ZeroDivisionError("parser bug")

    async def go():
        async with ChatClient(settings(judge)) as client:
            return await client.call(MSGS, broken)

    outcome = asyncio.run(go())
    assert not outcome.ok and "ZeroDivisionError: parser bug" in outcome.error
