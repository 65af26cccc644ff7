"""``swift-scifi experiment run CONFIG``: the proof-of-effect protocol (pretrain, SFT, GRPO/DPO/control arms,
held-out evaluation with paired bootstrap CIs, results page). ``experiment report`` rewrites the page only."""

from __future__ import annotations

import logging

import typer


def register(app: typer.Typer) -> None:
    exp_app = typer.Typer(help="Proof of effect: train a micro writer and compare GRPO / DPO with a control.")
    app.add_typer(exp_app, name="experiment")

    @exp_app.command("run")
    def run(
        config: str = typer.Argument(..., help="smoke, cpu, gpu (bundled) or a YAML path."),
        work_dir: str = typer.Option(
            None, "--work-dir", help="Stage folder (default output/experiment-NAME)."
        ),
        results: str = typer.Option(None, "--results", help="Results page (default WORK_DIR/results.md)."),
        until: str = typer.Option(None, "--until", help="Stop after this stage (split, base, ..., report)."),
        arms: str = typer.Option(
            None,
            "--arms",
            help="Comma-separated arms to run, e.g. control,dpo (default: the config's order).",
        ),
    ) -> None:
        """Run every stage not done yet; a stage with done.json in its folder is skipped."""
        from swift_scifi.experiment.pipeline import run_experiment
        from swift_scifi.experiment.swift_runs import SwiftRunError

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        try:
            exp = run_experiment(config, work_dir, results, until, arms.split(",") if arms else None)
        except (SwiftRunError, ValueError, FileNotFoundError) as e:
            typer.echo(f"experiment failed: {e}", err=True)
            raise typer.Exit(1) from e
        typer.echo(f"results: {exp.results}")

    @exp_app.command("report")
    def report(
        config: str = typer.Argument(..., help="smoke, cpu, gpu (bundled) or a YAML path."),
        work_dir: str = typer.Option(None, "--work-dir"),
        results: str = typer.Option(None, "--results"),
    ) -> None:
        """Rewrite the results page from whatever stages are done (unfinished ones are marked)."""
        from swift_scifi.experiment.pipeline import Experiment
        from swift_scifi.experiment.results_doc import write_results

        exp = Experiment(config, work_dir, results)
        folder = exp.work / "report"
        folder.mkdir(parents=True, exist_ok=True)
        write_results(exp, folder)
        typer.echo(f"results: {exp.results}")
