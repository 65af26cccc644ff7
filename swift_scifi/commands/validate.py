"""``swift-scifi validate-rewards``: every reward and principle measured against real human and LLM prose."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("validate-rewards")
    def validate_cmd(
        data: Path = typer.Option(
            None,
            "--data",
            help="The shared data folder (default: $SCIFI_VALIDATION_DATA, else ../shared/data of the checkout).",
        ),
        out: Path = typer.Option(Path("validity.json"), "--out", help="Where to write the JSON result."),
        markdown: Path = typer.Option(None, "--markdown", help="Also write the tables as markdown here."),
        quick: bool = typer.Option(
            False, "--quick", help="A smaller sample: 100 windows, 40 texts per model."
        ),
        windows: int = typer.Option(None, "--windows", help="Human windows per language (default 300)."),
        window_chars: int = typer.Option(3000, "--window-chars", help="Characters per human window."),
        per_model: int = typer.Option(None, "--per-model", help="LLM texts per model (default: all)."),
        seed: int = typer.Option(0, "--seed", help="Sampling seed."),
    ) -> None:
        """False positives on clean human prose, separation from LLM prose, agreement with slop-score,
        planted defects and the length parser, for every reward key and rule principle."""
        import json

        from swift_scifi.validation import data as vdata
        from swift_scifi.validation.harness import run
        from swift_scifi.validation.report import markdown as to_markdown
        from swift_scifi.validation.report import print_rich

        n_windows = windows or (100 if quick else 300)
        n_model = per_model or (40 if quick else None)
        try:
            res = run(
                data or vdata.default_data_dir(),
                n_windows=n_windows,
                window_chars=window_chars,
                llm_per_model=n_model,
                seed=seed,
                log=lambda s: typer.echo(s, err=True),
            )
        except vdata.ValidationDataError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        print_rich(res)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
        if markdown:
            markdown.write_text(to_markdown(res), encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
