"""``swift-scifi glossary BOOK.txt``: print a book's glossary with counts and reasons, ready to edit."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("glossary")
    def glossary_cmd(
        book: Path = typer.Argument(..., help="A book as a UTF-8 .txt file."),
        lang: str = typer.Option(None, help="zh | en. Default: detected from the text."),
        top_k: int = typer.Option(200, "--top-k", help="Most terms to list."),
        min_count: int = typer.Option(3, "--min-count", help="Fewest uses of a term in the book."),
        out: Path = typer.Option(None, "--out", "-o", help="Also write the list to this file."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON rows instead of TSV."),
    ) -> None:
        """Extract the glossary (names and coined terms) of BOOK: term, uses, reason kept, aliases.

        Edit the list (delete lines, add terms) and pass it back with `swift-scifi build-dataset --glossary
        FILE` or `SCIFI_GLOSSARY=FILE` for ms-swift runs; the first column is the term.
        """
        from dataclasses import asdict

        from swift_scifi.datasets.terms import cached_extract_glossary
        from swift_scifi.text.lang import detect_lang

        try:
            text = book.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            typer.secho(f"error: cannot read {book}: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from err
        if lang not in (None, "zh", "en"):
            raise typer.BadParameter(f"--lang must be zh or en, got {lang!r}")
        if top_k < 1 or min_count < 1:
            raise typer.BadParameter("--top-k and --min-count must be at least 1")
        lang = lang or detect_lang(text[:20000])
        entries = cached_extract_glossary(text, lang, top_k, min_count)
        if as_json:
            body = "\n".join(json.dumps(asdict(e), ensure_ascii=False) for e in entries)
        else:
            lines = [
                f"# glossary of {book.name} ({lang}): {len(entries)} terms",
                "term\tcount\treason\taliases",
            ]
            lines += [f"{e.term}\t{e.count}\t{e.reason}\t{', '.join(e.aliases)}" for e in entries]
            body = "\n".join(lines)
        typer.echo(body)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body + "\n", encoding="utf-8")
