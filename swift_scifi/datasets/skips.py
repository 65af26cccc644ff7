"""Count skipped inputs by reason and log one summary, instead of one line per bad row."""

from __future__ import annotations

import logging
from collections import Counter

logger = logging.getLogger("swift_scifi.datasets")


class SkipLog:
    """Tally of skipped items, e.g. ``skips.add("not UTF-8")``; ``report()`` logs a single warning."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def add(self, reason: str, example: str = "") -> None:
        self.counts[reason] += 1
        if example and reason not in self.examples:
            self.examples[reason] = example

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = [
            f"{n} {reason}" + (f" (e.g. {self.examples[reason]})" if reason in self.examples else "")
            for reason, n in self.counts.most_common()
        ]
        return f"skipped {self.total} {self.what}: " + "; ".join(parts)

    def report(self) -> None:
        if self.total:
            logger.warning(self.summary())
