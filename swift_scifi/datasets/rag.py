"""scifi-rag: continuation prompts that carry reference material from the same book, in ms-swift's SFT format.

Each row: ``messages`` (system, user = a template from ``data/synth/rag.yaml`` filled with the references and
the end of the preceding text, assistant = the book's real next window), ``ref_kind`` ('bible' | 'passages'),
``terms`` (the entry terms, bible only), ``support`` (how much of the target the references account for,
see :mod:`swift_scifi.synth.rag`), ``template``, ``lang``, ``book``, ``chapter``. Each continuation point tries
one kind (alternating) and falls back to the other; attempts that fail the keep rules are counted.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

from swift_scifi.synth.rag import KINDS, BookReferences, References, Report, bible_support, passage_support
from swift_scifi.synth.rag import rules as rag_rules
from swift_scifi.synth.rag import templates as rag_templates
from swift_scifi.text.segment import split_paragraphs

from .book import PreparedBook, messages
from .budget import fit_tail
from .skips import SkipLog

LAST_REPORT = Report()  # the report of the latest build in this process (read by `swift-scifi build-dataset`)


def _render_references(refs: References) -> str:
    if refs.kind == "bible":
        return "\n".join(refs.items)
    return "\n\n".join(f"[{i + 1}] {p}" for i, p in enumerate(refs.items))


def build_rag(books: Iterable[PreparedBook], skips: SkipLog) -> Iterator[dict]:
    """SFT rows; dropped attempts are counted by reason in :data:`LAST_REPORT` and ``skips``."""
    report = LAST_REPORT
    report.__init__()
    share = rag_rules()["reference_budget_share"]
    for book in books:
        flat = [(s.title, w) for s in book.sections for w in book.windows(s)]
        # passages sized so that k of them fill the references' share of the prompt
        units = int(book.prompt_tokens * share / rag_rules()["passages_k"] / book.tokens_per_unit * 0.85)
        refs_of = BookReferences([w for _, w in flat], book.glossary, book.lang, max(units, 20))
        system = book.system()
        for i in range(1, len(flat)):
            report.points += 1
            chapter, target = flat[i]
            previous = flat[i - 1][1]
            rng = random.Random(f"{book.book.name}:{i}")
            first = KINDS[i % len(KINDS)]
            row = None
            for kind in (first, *(k for k in KINDS if k != first)):
                refs = refs_of.bible(i, rng) if kind == "bible" else refs_of.passages(i)
                if isinstance(refs, str):
                    report.dropped[f"{kind}: {refs}"] += 1
                    continue
                row = _render(book, refs, kind, chapter, target, previous, system, rng, share)
                if isinstance(row, str):
                    report.dropped[f"{kind}: {row}"] += 1
                    row = None
                    continue
                break
            if row is None:
                report.skipped_points["no reference material passed the keep rules"] += 1
                skips.add("rag continuation points without usable references", book.book.name)
                continue
            kind = row["ref_kind"]
            report.kept[kind] += 1
            report.langs[book.lang] += 1
            report.templates[f"{book.lang}/{row['template']}"] += 1
            report.support[kind].append(row["support"])
            report.shared[kind].append(row["shared"])
            yield row
        report.duplicates_skipped += refs_of.duplicates_skipped


def _render(
    book: PreparedBook,
    refs: References,
    kind: str,
    chapter: str,
    target: str,
    previous: str,
    system: str,
    rng: random.Random,
    share: float,
) -> dict | str:
    """The row for ``refs``, or the reason it cannot be made within the token budget."""
    template = rng.choice(rag_templates(book.lang, kind))
    fields = {"book": book.book.name, "chapter": chapter}
    budget = book.prompt_tokens - book.count(template["text"].format(references="", previous="", **fields))
    room = int(budget * share)
    items, used = [], 0
    for item in refs.items:
        n = book.count(item) + 2
        if used + n > room:
            break
        items.append(item)
        used += n
    if len(items) < len(refs.items):  # the keep rule is checked again on what fits
        r = rag_rules()
        if kind == "bible":
            terms = refs.terms[: len(items)]
            support = bible_support(target, terms, book.lang)
            if support.shared < r["bible_min_used"]:
                return "too few entries fit the token budget"
            refs = References(kind, items, terms, refs.sources[: len(items)], support)
        else:
            support = passage_support(target, items, previous, book.lang)
            if (
                not items
                or support.shared < r["passages_min_shared"]
                or support.share < r["passages_min_support"]
            ):
                return "too little support within the token budget"
            refs = References(kind, items, (), refs.sources[: len(items)], support)
    rest = budget - used - 16
    tail = fit_tail(split_paragraphs(previous), rest, book.count) if rest > 0 else ""
    if not tail:
        return "no room for the preceding text"
    user = template["text"].format(references=_render_references(refs), previous=tail, **fields)
    if not book.fits(system, user, target):
        return "over the token budget"
    return {
        "messages": messages(system, user, target),
        "ref_kind": kind,
        "terms": list(refs.terms),
        "support": round(refs.support.share, 4),
        "shared": refs.support.shared,
        "template": template["id"],
        "lang": book.lang,
        "book": book.book.name,
        "chapter": chapter,
    }
