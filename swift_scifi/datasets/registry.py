"""ms-swift adapter: register the scifi-* datasets so `--dataset scifi-chapter-gen[:zh|:en][#N]` works.

Rows are built in-process from ``SCIFI_CORPUS`` (default: the sample shipped in the package) by
:func:`swift_scifi.datasets.build.build_rows`; nothing is downloaded. Subsets: ``default`` (all books),
``zh`` and ``en``.

``scifi-backtrans`` and ``scifi-cdpo`` (teacher-made, :mod:`swift_scifi.synth`) read the file that
``swift-scifi synth`` wrote: ``$SCIFI_BACKTRANS`` / ``$SCIFI_CDPO``, default ``scifi-backtrans.jsonl`` /
``scifi-cdpo.jsonl`` in the working folder; subsets ``zh`` and ``en`` filter on the ``lang`` column.

``scifi-editor-prefs:dpo|kto|sft`` reads the editor studio's database (``SCIFI_STUDIO_DB``, default
``sqlite:///studio.db`` in the working folder) through :func:`swift_scifi.studio.export.export_rows`.
"""

from __future__ import annotations

import os
from pathlib import Path

from datasets import Dataset as HfDataset
from swift.dataset import DatasetMeta, SubsetDataset, register_dataset
from swift.dataset.loader import DatasetLoader
from swift.dataset.preprocessor import RowPreprocessor

from .build import BUILDERS, build_rows
from .config import BuildConfig

_HELP = {
    "scifi-chapter-gen": "Chapter continuation from raw novels: notes + glossary + previous tail -> next chapter window.",
    "scifi-grpo-prompts": "GRPO prompts with columns terms (list[str]), target_length (int) and lang ('zh'|'en').",
    "scifi-writing-tasks": "Writing-task SFT (continue, title, outline, opening) in messages format.",
    "scifi-calib": "Prose windows for AWQ/GPTQ calibration in `swift export`.",
    "scifi-cdpo-rules": "Teacher-free Constitutional DPO: human passage (chosen) vs a verified one-principle "
    "rule-made corruption (rejected_response); columns kind, principle, edit.",
    "scifi-rag": "RAG-aware continuation: world-bible entries or BM25 passages of the same book in the prompt, "
    "kept only where the real next passage uses them; columns ref_kind, terms, support, template.",
}
_LANG_SUBSETS = {"default": ("zh", "en"), "zh": ("zh",), "en": ("en",)}


def _preprocess(loader: DatasetLoader, dataset: HfDataset, dataset_meta) -> HfDataset:
    """ms-swift's row preprocessing of a built dataset, with the loader's settings."""
    dataset = dataset_meta.preprocess_func(
        dataset,
        num_proc=loader.num_proc,
        load_from_cache_file=False,
        strict=loader.strict,
        enable_auto_mapping=not loader.disable_auto_column_mapping,
    )
    if loader.remove_unused_columns:
        dataset = RowPreprocessor.remove_useless_columns(dataset)
    return dataset


class ScifiCorpusLoader(DatasetLoader):
    """Builds rows from the corpus instead of reading a hub repo or file; used only by scifi-* datasets."""

    def load(self, dataset_syntax=None, dataset_meta=None, *, use_hf=None) -> HfDataset:
        subsets = self._select_subsets(dataset_syntax.subsets, dataset_meta)
        langs = sorted({lang for s in subsets for lang in _LANG_SUBSETS[s.name]}, reverse=True)
        rows = build_rows(dataset_meta.dataset_name, BuildConfig.from_env(), langs)
        if not rows:
            raise ValueError(f"{dataset_meta.dataset_name}: the corpus gave no samples for languages {langs}")
        return _preprocess(self, HfDataset.from_list(rows), dataset_meta)


TEACHER_DATASETS = {  # name -> (environment variable, default file, columns ms-swift trains on, help)
    "scifi-backtrans": (
        "SCIFI_BACKTRANS",
        "scifi-backtrans.jsonl",
        ("messages",),
        "Teacher-made SFT (Weaver's instruction backtranslation, 10 task types, self-curated); reads "
        "$SCIFI_BACKTRANS (default ./scifi-backtrans.jsonl) written by `swift-scifi synth scifi-backtrans`.",
    ),
    "scifi-cdpo": (
        "SCIFI_CDPO",
        "scifi-cdpo.jsonl",
        ("messages", "rejected_response"),
        "Teacher-made Constitutional DPO (minimal rewrites breaking one principle, verified); reads "
        "$SCIFI_CDPO (default ./scifi-cdpo.jsonl) written by `swift-scifi synth scifi-cdpo`.",
    ),
}


def teacher_file(name: str) -> Path:
    """The pre-built file of teacher dataset ``name``; FileNotFoundError saying how to build it."""
    env, default, _, _ = TEACHER_DATASETS[name]
    path = Path(os.environ.get(env) or default).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"{name}: no file at {path.resolve()}. It is teacher-made, so it is built beforehand: run "
            f"`swift-scifi synth {name} --teacher-url URL --model NAME --out {default}` (see docs/data.md), "
            f"then set {env}=PATH or run from the folder that holds {default}."
        )
    return path


class TeacherFileLoader(DatasetLoader):
    """Rows of a teacher-made dataset from the file ``swift-scifi synth`` wrote (subsets filter by language)."""

    def load(self, dataset_syntax=None, dataset_meta=None, *, use_hf=None) -> HfDataset:
        import json

        name = dataset_meta.dataset_name
        subsets = self._select_subsets(dataset_syntax.subsets, dataset_meta)
        langs = {lang for s in subsets for lang in _LANG_SUBSETS[s.name]}
        path = teacher_file(name)
        keys = TEACHER_DATASETS[name][2]
        with path.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        rows = [{k: r[k] for k in keys} for r in rows if r.get("lang") in langs]
        if not rows:
            raise ValueError(f"{name}: {path} has no rows for languages {sorted(langs)}")
        return _preprocess(self, HfDataset.from_list(rows), dataset_meta)


EDITOR_PREFS = "scifi-editor-prefs"
_EDITOR_PREFS_KEYS = {"dpo": ("rejected_response",), "kto": ("label",), "sft": ()}


class EditorPrefsLoader(DatasetLoader):
    """Rows of one export format (the subset: dpo, kto or sft) read straight from the studio database."""

    def load(self, dataset_syntax=None, dataset_meta=None, *, use_hf=None) -> HfDataset:
        from swift_scifi.studio.export import export_rows
        from swift_scifi.studio.store import Store, studio_url

        subsets = [s.name for s in self._select_subsets(dataset_syntax.subsets, dataset_meta)]
        if len(subsets) != 1 or subsets[0] not in _EDITOR_PREFS_KEYS:
            raise ValueError(f"{EDITOR_PREFS}: name one format, e.g. {EDITOR_PREFS}:dpo (dpo, kto or sft)")
        fmt = subsets[0]
        with Store(studio_url(os.environ.get("SCIFI_STUDIO_DB"), must_exist=True)) as store:
            rows = export_rows(store, fmt)
            where = store.url
        if not rows:
            raise ValueError(f"{EDITOR_PREFS}:{fmt}: the studio database {where} has no {fmt} rows yet")
        keys = ("messages", *_EDITOR_PREFS_KEYS[fmt], "editor", "source", "source_id")
        return _preprocess(self, HfDataset.from_list([{k: r[k] for k in keys} for r in rows]), dataset_meta)


def register_datasets() -> None:
    """Add every scifi-* dataset to ms-swift's DATASET_MAPPING (replacing an earlier registration)."""
    for name in BUILDERS:
        meta = DatasetMeta(
            ms_dataset_id=name,  # the routing tag ms-swift attaches; never looked up on a hub
            dataset_name=name,
            subsets=[SubsetDataset(s) for s in _LANG_SUBSETS],
            loader=ScifiCorpusLoader,
            tags=["scifi", "writing"],
            help=_HELP[name],
        )
        register_dataset(meta, exist_ok=True)
    for name, (_, _, _, help_text) in TEACHER_DATASETS.items():
        meta = DatasetMeta(
            ms_dataset_id=name,
            dataset_name=name,
            subsets=[SubsetDataset(s) for s in _LANG_SUBSETS],
            loader=TeacherFileLoader,
            tags=["scifi", "writing", "synth"],
            help=help_text,
        )
        register_dataset(meta, exist_ok=True)
    register_dataset(
        DatasetMeta(
            ms_dataset_id=EDITOR_PREFS,
            dataset_name=EDITOR_PREFS,
            subsets=[SubsetDataset(s) for s in _EDITOR_PREFS_KEYS],
            loader=EditorPrefsLoader,
            tags=["scifi", "writing", "rlhf"],
            help="Editor studio judgements (SCIFI_STUDIO_DB): :dpo votes/edits/rankings as pairs, "
            ":kto ratings with labels, :sft edited texts.",
        ),
        exist_ok=True,
    )
