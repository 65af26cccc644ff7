"""Score every (query, criterion) pair with the judge: bounded concurrency, streamed, resumable.

A fixed pool of ``concurrency`` workers pulls pairs from a generator and appends each result to the
journal as soon as it arrives, so memory does not grow with the number of records. Pairs already in the
journal are skipped (resume); failures after all retries are recorded with ``score: null`` and ``error``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from ..judge.client import ChatClient
from ..judge.prompts import load_prompt
from ..text import detect_lang
from .journal import Journal
from .pool import drain
from .protocol import Protocol, load_protocol
from .records import Query, ResponseIndex

logger = logging.getLogger("swift_scifi.eval")


def score_key(rec: dict[str, Any]) -> tuple[str, str]:
    return (str(rec["index"]), str(rec["criterion"]))


def skipped_queries(queries: list[Query], responses: ResponseIndex) -> dict[str, list[str]]:
    """Indexes of queries that cannot be scored: ``no_response`` and ``no_criteria`` (generation failed)."""
    return {
        "no_response": [q.index for q in queries if q.index not in responses],
        "no_criteria": [q.index for q in queries if q.index in responses and not q.criteria],
    }


def iter_pairs(queries: list[Query], responses: ResponseIndex, done: set) -> Iterator[tuple[Query, dict]]:
    """(query, criterion) pairs still to score; queries without a response or criteria are skipped (logged once)."""
    skipped = skipped_queries(queries, responses)
    no_response, no_criteria = skipped["no_response"], skipped["no_criteria"]
    if no_response:
        logger.warning(
            "%d queries have no response and are skipped (first: %s)", len(no_response), no_response[:5]
        )
    if no_criteria:
        logger.warning(
            "%d queries have no criteria and are skipped (first: %s)", len(no_criteria), no_criteria[:5]
        )
    for q in queries:
        if q.index not in responses:
            continue
        for c in q.criteria:
            if (q.index, c["name"]) not in done:
                yield q, c


def sampling_body(protocol: Protocol, judge_max_tokens: int | None = None) -> dict[str, Any]:
    """Request fields for one judge call under ``protocol``; ``judge_max_tokens`` overrides its budget."""
    body = dict(protocol.sampling)
    if judge_max_tokens is not None:
        body["max_tokens"] = judge_max_tokens
    return body


async def score_pair(
    client: ChatClient,
    query: Query,
    response: str,
    criterion: dict,
    protocol: Protocol | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One scores.jsonl record: index, criterion, score (1..10 or None), reason, groups, attempts, error.

    ``protocol`` (default: the project's) picks the prompt, criterion text and score rule; ``body`` the
    sampling fields sent with the request (default: the protocol's).
    """
    protocol = protocol or load_protocol("project")
    prompt = load_prompt(protocol.prompt)
    messages = prompt.messages(
        detect_lang(query.query),
        query=query.query,
        response=response,
        criterion=protocol.format_criterion(criterion),
    )
    outcome = await client.call(messages, protocol.parse_reply, **(body or sampling_body(protocol)))
    rec = _pair_record(query, criterion, outcome.error)
    rec.update(
        score=outcome.value["score"] if outcome.ok else None,
        reason=outcome.value["reason"] if outcome.ok else None,
        attempts=outcome.attempts,
        seconds=round(outcome.seconds, 3),
    )
    return rec


def failed_pair(pair: tuple[Query, dict], error: str) -> dict[str, Any]:
    """The scores.jsonl record of a pair whose judging raised ``error`` (score None; retried on resume)."""
    query, criterion = pair
    return {**_pair_record(query, criterion, error), "score": None, "reason": None}


def _pair_record(query: Query, criterion: dict, error: str | None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "index": query.index,
        "criterion": criterion["name"],
        "domain1": query.domain1,
        "domain2": query.domain2,
        "requirement": query.requirement,
    }
    if error is not None:
        rec["error"] = error
    return rec


async def run_scoring(
    client: ChatClient,
    queries: list[Query],
    responses: ResponseIndex,
    journal: Journal,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    protocol: Protocol | None = None,
    body: dict[str, Any] | None = None,
) -> int:
    """Score all pairs not yet in ``journal`` under ``protocol``; returns how many records were written."""

    async def work(pair: tuple[Query, dict]) -> dict[str, Any]:
        query, criterion = pair
        return await score_pair(client, query, responses.get(query.index) or "", criterion, protocol, body)

    pairs = iter_pairs(queries, responses, set(journal.done))
    return await drain(pairs, work, journal, client.settings.concurrency, on_record, failed_pair)


def count_pairs(queries: list[Query], responses: ResponseIndex, done: set) -> int:
    """How many pairs :func:`run_scoring` would score (for the progress bar total)."""
    return sum(
        1 for q in queries if q.index in responses for c in q.criteria if (q.index, c["name"]) not in done
    )
