"""Pairwise A/B comparison of two models' responses, judged in both orders (in the manner of EQ-Bench).

Each query is judged twice: model A's response shown first, then second. A judgement becomes a signed
margin from model A's side: +margin (1..5) when A wins, -margin when B wins, 0 for a tie. A query's
margin is the mean of its two orders; its outcome is win (>0), loss (<0) or tie. Summary: A's win rate
(ties count 1/2) and mean margin, each with a bootstrap 95% CI, and how often the two orders agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..judge.client import ChatClient
from ..judge.parsing import parse_pairwise_reply
from ..judge.prompts import load_prompt
from ..text import detect_lang
from .bootstrap import summarize
from .journal import Journal
from .pool import drain
from .records import Query, ResponseIndex

ORDERS = ("AB", "BA")


def pair_key(rec: dict[str, Any]) -> tuple[str, str]:
    return (str(rec["index"]), str(rec["order"]))


def signed_margin(winner: str, margin: float, order: str) -> float:
    """Margin from model A's side, given the judge's winner label ('A'/'B'/'tie') for slot order ``order``."""
    if winner == "tie":
        return 0.0
    first_slot_won = winner == "A"
    model_a_won = first_slot_won if order == "AB" else not first_slot_won
    return margin if model_a_won else -margin


async def judge_order(client: ChatClient, query: Query, a: str, b: str, order: str) -> dict[str, Any]:
    """One pairwise.jsonl record for ``order`` ('AB': model A shown first)."""
    first, second = (a, b) if order == "AB" else (b, a)
    criteria = (
        "\n".join(f"- {c['name']}: {c.get('criteria_description', '')}" for c in query.criteria)
        or "- overall quality"
    )
    messages = load_prompt("pairwise").messages(
        detect_lang(query.query), query=query.query, criteria=criteria, response_a=first, response_b=second
    )
    outcome = await client.call(messages, parse_pairwise_reply)
    rec: dict[str, Any] = {
        "index": query.index,
        "order": order,
        "domain1": query.domain1,
        "domain2": query.domain2,
        "attempts": outcome.attempts,
    }
    if outcome.ok:
        v = outcome.value
        rec.update(
            judge_winner=v["winner"],
            margin=signed_margin(v["winner"], v["margin"], order),
            reason=v["reason"],
        )
    else:
        rec.update(margin=None, error=outcome.error)
    return rec


async def run_pairwise(
    client: ChatClient,
    queries: list[Query],
    responses_a: ResponseIndex,
    responses_b: ResponseIndex,
    journal: Journal,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Judge every (query, order) not yet in ``journal`` for queries both models answered."""
    todo = [
        (q, o)
        for q in queries
        if q.index in responses_a and q.index in responses_b
        for o in ORDERS
        if (q.index, o) not in journal.done
    ]

    async def work(item: tuple[Query, str]) -> dict[str, Any]:
        q, order = item
        return await judge_order(
            client, q, responses_a.get(q.index) or "", responses_b.get(q.index) or "", order
        )

    def failed(item: tuple[Query, str], error: str) -> dict[str, Any]:
        return {"index": item[0].index, "order": item[1], "margin": None, "error": error}

    return await drain(todo, work, journal, client.settings.concurrency, on_record, failed)


def summarize_pairwise(
    records: Iterable[dict[str, Any]], *, resamples: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Win rate of model A (ties = 1/2), mean signed margin, order agreement, with bootstrap CIs over queries."""
    by_query: dict[str, dict[str, float]] = defaultdict(dict)
    failed = 0
    for rec in records:
        if rec.get("error") or rec.get("margin") is None:
            failed += 1
        else:
            by_query[str(rec["index"])][rec["order"]] = float(rec["margin"])
    margins, outcomes, agree = [], [], []
    for orders in by_query.values():
        m = sum(orders.values()) / len(orders)
        margins.append(m)
        outcomes.append(1.0 if m > 0 else 0.0 if m < 0 else 0.5)
        if len(orders) == 2:
            signs = {(v > 0) - (v < 0) for v in orders.values()}
            agree.append(1.0 if len(signs) == 1 else 0.0)
    return {
        "win_rate_a": summarize(outcomes, resamples=resamples, seed=seed),
        "margin_a": summarize(margins, resamples=resamples, seed=seed),
        "order_agreement": sum(agree) / len(agree) if agree else None,
        "wins_a": sum(o == 1.0 for o in outcomes),
        "wins_b": sum(o == 0.0 for o in outcomes),
        "ties": sum(o == 0.5 for o in outcomes),
        "judgements_failed": failed,
        "queries": len(margins),
    }
