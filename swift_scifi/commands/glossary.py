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
        forms: bool = typer.Option(
            False,
            "--forms",
            help="Also list every near-miss form the term reward counts as a slip, per term.",
        ),
    ) -> None:
        """Extract the glossary (names and coined terms) of BOOK: term, uses, reason kept, aliases, and
        what the term reward makes of each term's near misses in this book.

        book_forms: near-forms the book itself uses 2+ times (紧箍 beside 金箍): never slips, they go into
        the `term_forms` column of GRPO rows. slips_in_book: near-miss forms the book writes once, as the
        reward would flag them. near_misses: how many forms of each kind the reward looks for (--forms
        lists them). Edit the list (delete lines, add terms) and pass it back with `swift-scifi
        build-dataset --glossary FILE` or `SCIFI_GLOSSARY=FILE` for ms-swift runs; the first column is the
        term.
        """
        from dataclasses import asdict

        from swift_scifi.datasets.terms import cached_extract_glossary, near_forms
        from swift_scifi.rewards.term_consistency import near_miss_forms
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
        near = near_forms(text, [e.term for e in entries])
        if as_json:
            rows = []
            for e in entries:
                nf = near[e.term]
                row = {**asdict(e), "book_forms": list(nf.own), "slips_in_book": dict(nf.slips)}
                row["near_misses"] = near_miss_forms(e.term) if forms else nf.kinds
                rows.append(json.dumps(row, ensure_ascii=False))
            body = "\n".join(rows)
        else:
            lines = [
                f"# glossary of {book.name} ({lang}): {len(entries)} terms",
                "term\tcount\treason\taliases\tbook_forms\tslips_in_book\tnear_misses",
            ]
            for e in entries:
                nf = near[e.term]
                slips = ", ".join(f"{f} ×{n}" for f, n in nf.slips)
                kinds = ", ".join(f"{k} {n}" if n else k for k, n in nf.kinds.items())
                lines.append(
                    f"{e.term}\t{e.count}\t{e.reason}\t{', '.join(e.aliases)}\t{', '.join(nf.own)}\t{slips}\t{kinds}"
                )
            if forms:
                lines.append("# near-miss forms the term reward counts as slips (book_forms excepted):")
                for e in entries:
                    for kind, fs in near_miss_forms(e.term).items():
                        lines.append(f"# {e.term}\t{kind}\t{' '.join(fs)}")
            body = "\n".join(lines)
        typer.echo(body)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body + "\n", encoding="utf-8")
