"""``swift-scifi export-prefs --db URL --format dpo|kto|sft --out F.jsonl``: the editor studio's
judgements as ms-swift training rows (see :mod:`swift_scifi.studio.export`)."""

from __future__ import annotations

import os

import typer


def register(app: typer.Typer) -> None:
    @app.command("export-prefs")
    def export_prefs_cmd(
        db: str = typer.Option(
            None,
            "--db",
            help="Studio database URL (sqlite:///studio.db, postgresql://user@host/db) or a SQLite file. "
            "Default: $SCIFI_STUDIO_DB, else sqlite:///studio.db in the working folder.",
        ),
        fmt: str = typer.Option(..., "--format", help="dpo | kto | sft"),
        out: str = typer.Option(..., "--out", "-o", help="Output .jsonl file (its folder must exist)."),
    ) -> None:
        """Export votes, edits and rankings as DPO pairs, ratings as KTO rows, or edits as SFT rows.

        Train on the file with `swift rlhf --rlhf_type dpo|kto --dataset F.jsonl` or `swift sft`, or read the
        database directly with `--dataset scifi-editor-prefs:dpo|kto|sft` (SCIFI_STUDIO_DB=URL).
        """
        from collections import Counter

        from swift_scifi.studio.export import FORMATS, check_output_path, export_rows, write_jsonl
        from swift_scifi.studio.store import Store, studio_url

        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        try:
            path = check_output_path(out)
            url = studio_url(db or os.environ.get("SCIFI_STUDIO_DB"), must_exist=True)
        except ValueError as err:
            typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from err
        skipped: Counter = Counter()
        with Store(url) as store:
            rows = export_rows(store, fmt, skipped)
        for reason, n in sorted(skipped.items()):
            typer.echo(f"skipped {n}: {reason}")
        if not rows:
            typer.secho(f"error: no {fmt} rows to export from {store.url}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        write_jsonl(rows, path)
        editors = Counter(r["editor"] for r in rows)
        sources = Counter(r["source"] for r in rows)
        typer.echo(
            f"wrote {len(rows)} {fmt} rows to {path} (by source: {dict(sources)}; editors: {len(editors)})"
        )
