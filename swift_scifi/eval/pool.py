"""A fixed pool of async workers that drains an iterable into a journal, one record per item."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from .journal import Journal

T = TypeVar("T")


async def drain(
    items: Iterable[T],
    work: Callable[[T], Awaitable[dict[str, Any]]],
    journal: Journal,
    concurrency: int,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Run ``work`` on every item with ``concurrency`` workers; append each record as it arrives.

    All workers pull from one iterator, so each item is worked on exactly once and nothing is buffered:
    memory does not grow with the number of items. Returns how many records were written.
    """
    it = iter(items)
    written = 0

    async def worker() -> None:
        nonlocal written
        for item in it:
            rec = await work(item)
            journal.append(rec)
            written += 1
            if on_record:
                on_record(rec)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return written
