"""Build any scifi-* dataset from a corpus: the one entry point the ms-swift loader and the CLI share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .book import PreparedBook
from .budget import resolve_counter
from .calib import build_calib
from .cdpo_rules import build_cdpo_rules
from .chapter_gen import build_chapter_gen
from .config import BuildConfig
from .corpus import read_corpus, sample_corpus_path
from .grpo_prompts import build_grpo_prompts
from .rag import build_rag
from .skips import SkipLog
from .writing_tasks import build_writing_tasks

Builder = Callable[[Iterable[PreparedBook], SkipLog], Iterator[dict]]

BUILDERS: dict[str, Builder] = {
    "scifi-chapter-gen": build_chapter_gen,
    "scifi-grpo-prompts": build_grpo_prompts,
    "scifi-writing-tasks": build_writing_tasks,
    "scifi-calib": build_calib,
    "scifi-cdpo-rules": build_cdpo_rules,
    "scifi-rag": build_rag,
}


def build_rows(
    name: str, config: BuildConfig | None = None, langs: Iterable[str] = ("zh", "en"), progress: bool = False
) -> list[dict]:
    """All rows of dataset ``name`` from ``config.corpus`` (default: the package sample), for books in ``langs``.

    ``progress`` shows a bar over books. Skipped inputs and samples are counted and logged once. Raises KeyError for an unknown name and
    FileNotFoundError for a corpus path that does not exist.
    """
    if name not in BUILDERS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(BUILDERS)}")
    config = config or BuildConfig.from_env()
    skips = SkipLog(f"items while building {name}")
    books = read_corpus(config.corpus or sample_corpus_path(), skips)
    count = resolve_counter(config.tokenizer)
    prepared = [PreparedBook(b, config, count) for b in books if b.lang in set(langs)]
    if progress:
        from rich.progress import track

        prepared = track(prepared, description=f"building {name}", total=len(prepared), transient=True)
    rows = list(BUILDERS[name](prepared, skips))
    skips.report()
    return rows
