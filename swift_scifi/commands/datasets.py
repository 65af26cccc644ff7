"""``swift-scifi build-dataset``: write a scifi-* dataset to .jsonl from any corpus."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

LANGS = ("zh", "en")  # the languages the text splitters and length counters handle


def register(app: typer.Typer) -> None:
    @app.command("build-dataset")
    def build_dataset(
        name: str = typer.Argument(
            ...,
            help="scifi-chapter-gen | scifi-grpo-prompts | scifi-writing-tasks | scifi-calib | scifi-cdpo-rules | "
            "scifi-rag",
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output .jsonl (written atomically)."),
        corpus: Path = typer.Option(
            None,
            help="A .txt, a folder of .txt/.jsonl, or a .jsonl of books. "
            "Default: $SCIFI_CORPUS, else the sample shipped in the package.",
        ),
        max_tokens: int = typer.Option(
            None, help="Token budget of one sample. Default: $SCIFI_MAX_TOKENS or 2048."
        ),
        tokenizer: Path = typer.Option(None, help="Model folder or tokenizer.json for exact token counts."),
        lang: list[str] = typer.Option(
            ["zh", "en"], help="Languages to keep: zh and/or en (repeat the flag: --lang zh --lang en)."
        ),
        glossary: Path = typer.Option(
            None,
            help="Glossary file to use instead of each book's extracted one: one term per line, or the "
            "output of `swift-scifi glossary`. Default: $SCIFI_GLOSSARY.",
        ),
    ) -> None:
        """Build a dataset from a corpus and write it as .jsonl, ready for `--dataset OUT.jsonl`.

        scifi-cdpo-rules also writes OUT.report.json: pairs kept and dropped by reason, the kind and language
        mix and the edit-distance distribution. scifi-rag writes one too: samples kept by kind, language and
        template, attempts dropped by reason and the distribution of how much of each target the
        references account for."""
        from rich.logging import RichHandler

        from swift_scifi.datasets.build import BUILDERS, build_rows
        from swift_scifi.datasets.config import BuildConfig

        logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[RichHandler(show_path=False)])
        if name not in BUILDERS:
            raise typer.BadParameter(f"unknown dataset {name!r}; choose one of {', '.join(BUILDERS)}")
        unknown = [x for x in lang if x not in LANGS]
        if unknown:
            raise typer.BadParameter(
                f"unsupported language {', '.join(map(repr, unknown))}: the builders know {' and '.join(LANGS)} "
                "(Chinese and English text only)",
                param_hint="--lang",
            )
        overrides = {
            k: v
            for k, v in (
                ("corpus", corpus),
                ("max_tokens", max_tokens),
                ("tokenizer", tokenizer),
                ("glossary", glossary),
            )
            if v
        }
        try:
            config = BuildConfig.from_env(**overrides)
            rows = build_rows(name, config, lang, progress=True)
        except (FileNotFoundError, ValueError) as err:
            typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from err
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(out)
        typer.echo(f"wrote {len(rows)} rows of {name} to {out}")
        reports = {"scifi-cdpo-rules": "cdpo_rules", "scifi-rag": "rag"}
        if name in reports:
            import importlib

            last = importlib.import_module(f"swift_scifi.datasets.{reports[name]}").LAST_REPORT
            report = out.with_suffix(".report.json")
            report.write_text(json.dumps(last.as_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")
            from swift_scifi.synth.quality import write_summary_html

            page = write_summary_html(report, last.as_dict(), name)
            typer.echo(f"wrote the quality report to {report} and {page}")
