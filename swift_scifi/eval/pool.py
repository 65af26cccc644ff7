"""A fixed pool of async workers that drains an iterable into a journal, one record per item.

One item's failure never stops the others: an exception from ``work`` becomes that item's failure record
(``failure(item, error)``, written to the journal like any other record), and the workers go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from .journal import Journal

T = TypeVar("T")
logger = logging.getLogger("swift_scifi.eval")

Failure = Callable[[T, str], dict[str, Any]]


async def drain(
    items: Iterable[T],
    work: Callable[[T], Awaitable[dict[str, Any]]],
    journal: Journal,
    concurrency: int,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    failure: Failure | None = None,
) -> int:
    """Run ``work`` on every item with ``concurrency`` workers; append each record as it arrives.

    All workers pull from one iterator, so each item is worked on exactly once and nothing is buffered:
    memory does not grow with the number of items. If ``work`` raises, ``failure(item, "Type: message")``
    gives the record to write instead (without ``failure`` the item is logged and skipped). Cancellation
    (Ctrl-C) still stops the pool. Returns how many records were written.
    """
    it = iter(items)
    written = 0

    async def worker() -> None:
        nonlocal written
        for item in it:
            try:
                rec = await work(item)
            except Exception as exc:  # one item's failure is that item's record, not the run's end
                error = f"{type(exc).__name__}: {exc}"
                logger.warning("work on one item failed: %s", error)
                if failure is None:
                    continue
                rec = failure(item, error)
            journal.append(rec)
            written += 1
            if on_record:
                on_record(rec)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return written
