"""``swift-scifi rejection-pack``: turn ``swift sample`` candidates into SFT rows and DPO pairs by scifi_* reward."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)


def register(app: typer.Typer) -> None:
    @app.command("rejection-pack")
    def rejection_pack(
        samples: list[Path] = typer.Argument(
            ..., help="JSONL written by `swift sample` (one or more shards, e.g. from --data_range)."
        ),
        sft: Path = typer.Option(
            ..., "--sft", help="Output .jsonl of SFT rows: the best candidate per prompt."
        ),
        dpo: Path = typer.Option(None, "--dpo", help="Output .jsonl of DPO pairs: best vs worst candidate."),
        reward: str = typer.Option("writing", help="Reward key to rank by (writing = the composite)."),
        min_reward: float = typer.Option(
            0.5,
            help="Keep a prompt only if its best candidate scores at least this (0-1; human prose of the "
            "bundled sample scores 0.84+ on writing, gibberish 0).",
        ),
        min_margin: float = typer.Option(
            0.1, help="Keep a DPO pair only if best - worst is at least this (0-1)."
        ),
    ) -> None:
        """Score every candidate of every prompt with a scifi_* reward; write the best as SFT rows and best
        against worst as DPO pairs (``messages`` + ``rejected_response``), and SFT.report.json with the counts,
        drops by reason and the reward distributions. Generate the candidates with `swift sample` (no
        ``--orm_model`` needed: every candidate is written, see docs/data.md)."""
        from swift_scifi.synth.rejection import Report, pack, read_groups, scifi_scorer

        try:
            score = scifi_scorer(reward)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--reward") from err
        report = Report()
        lines: list[str] = []
        for path in samples:  # every shard first: a prompt's candidates may be spread over several files
            try:
                lines += path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as err:
                typer.secho(f"error: {path}: {err}", fg=typer.colors.RED, err=True)
                raise typer.Exit(2) from err
        groups = read_groups(lines, report)
        if not groups:
            typer.secho(
                f"error: no usable sample rows in {', '.join(map(str, samples))} ({report.as_dict()['skipped_rows']})",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(1)
        sft_rows, dpo_rows, report = pack(
            groups, score, min_reward=min_reward, min_margin=min_margin, report=report
        )
        _write_jsonl(sft, sft_rows)
        typer.echo(f"wrote {len(sft_rows)} SFT rows to {sft}")
        if dpo is not None:
            _write_jsonl(dpo, dpo_rows)
            typer.echo(f"wrote {len(dpo_rows)} DPO pairs to {dpo}")
        out = sft.with_suffix(".report.json")
        data = {"reward": reward, "min_reward": min_reward, "min_margin": min_margin, **report.as_dict()}
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        from swift_scifi.synth.quality import write_summary_html

        page = write_summary_html(out, data, "rejection-pack")
        typer.echo(f"wrote the report to {out} and {page}")
