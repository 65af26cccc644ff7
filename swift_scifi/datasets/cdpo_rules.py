"""scifi-cdpo-rules: teacher-free Constitutional DPO pairs in ms-swift's DPO row format.

Each row: ``messages`` (system, user = the continue prompt with the preceding text, assistant = the human
passage, i.e. chosen), ``rejected_response`` (the same passage with one rule-made defect), ``kind``
(corruption), ``principle`` (the principle ids verified as broken, or the reward's name), ``lang`` and
``edit`` (normalised edit distance, 0-1). Pairs and verification: :mod:`swift_scifi.synth.cdpo_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from swift_scifi.synth.cdpo_rules import Report, build_pairs

from .book import PreparedBook, messages
from .prompts import render
from .skips import SkipLog

LAST_REPORT = Report()  # the report of the latest build in this process (read by `swift-scifi build-dataset`)


def build_cdpo_rules(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """DPO rows; dropped pairs are counted by reason in ``skips`` and in :data:`LAST_REPORT`."""
    report = LAST_REPORT
    report.__init__()
    for book in books:
        half = book.prompt_tokens // 2
        for section in book.sections:
            windows = book.windows(section)
            prompts = [
                book.context(section.title, before, [], [], half).split("\n\n", 1)[-1]
                for before in windows[:-1]
            ]
            passages = windows[1:]
            terms = [book.sample_terms(p) for p in passages]
            before = sum(report.dropped.values())
            seed = f"{book.book.name}:{section.title}"
            for pair in build_pairs(passages, book.lang, terms, seed=seed, report=report):
                prompt = prompts[pair.index]
                user = f"{render(book.lang, 'continue')}\n\n{prompt}"
                if not book.fits(book.system(), user, pair.rejected):
                    skips.add("cdpo pairs over the token budget", book.book.name)
                    report.dropped["over the token budget"] += 1
                    continue
                yield {
                    "messages": messages(book.system(), user, pair.chosen),
                    "rejected_response": pair.rejected,
                    "kind": pair.kind.name,
                    "principle": pair.principle,
                    "lang": book.lang,
                    "edit": round(pair.edit, 4),
                }
            if sum(report.dropped.values()) > before:
                skips.add("cdpo corruption attempts dropped by the verifier", book.book.name)
