"""``swift-scifi synth``: teacher-made datasets (scifi-backtrans, scifi-cdpo) from any OpenAI-compatible teacher,
or through ``swift sample --sampler_type distill`` (``--export-prompts`` / ``--from-samples``)."""

from __future__ import annotations

from pathlib import Path

import typer

METHODS = ("scifi-backtrans", "scifi-cdpo")


def _method(name: str, tasks: list[str], min_score: int):
    if name == "scifi-backtrans":
        from swift_scifi.synth.backtrans import Backtrans

        return Backtrans(tasks or None, min_score)
    from swift_scifi.synth.cdpo_teacher import CdpoTeacher

    return CdpoTeacher()


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        method: str = typer.Argument(..., help="scifi-backtrans | scifi-cdpo"),
        out: Path = typer.Option(
            ..., "--out", "-o", help="Output .jsonl; the journal and reports go next to it."
        ),
        teacher_url: list[str] = typer.Option(
            [], "--teacher-url", help="OpenAI-compatible base URL (…/v1); repeat for several (load-balanced)."
        ),
        model: str = typer.Option(None, "--model", help="Teacher model name sent to the endpoints."),
        concurrency: int = typer.Option(16, help="Requests in flight, all endpoints together."),
        limit: int = typer.Option(None, help="Use only the first N jobs (books and languages take turns)."),
        corpus: Path = typer.Option(
            None, help="Corpus of human prose. Default: $SCIFI_CORPUS, else the sample."
        ),
        lang: list[str] = typer.Option(["zh", "en"], help="Languages to use (repeat the flag)."),
        passage_units: int = typer.Option(400, help="Passage size: at most this many 字 + English words."),
        task: list[str] = typer.Option([], help="scifi-backtrans: task ids to use (repeat); default all 10."),
        min_score: int = typer.Option(
            4, help="scifi-backtrans: drop pairs the teacher rates below (1-5; 0: no rating)."
        ),
        retries: int = typer.Option(
            4, help="Extra attempts per request (5xx, 429, timeouts, connection errors)."
        ),
        timeout: float = typer.Option(180.0, help="Seconds per attempt."),
        rate_limit: float = typer.Option(0.0, help="Requests per second per endpoint (0: unlimited)."),
        temperature: float = typer.Option(0.7, help="Teacher sampling temperature."),
        max_tokens: int = typer.Option(2048, help="Teacher reply budget in tokens."),
        price_prompt: float = typer.Option(0.0, help="Price per 1,000 prompt tokens (for the cost report)."),
        price_completion: float = typer.Option(0.0, help="Price per 1,000 completion tokens."),
        export_prompts: Path = typer.Option(
            None,
            help="Write the pending teacher requests as a dataset for `swift sample --sampler_type distill`.",
        ),
        from_samples: list[Path] = typer.Option(
            [], help="Ingest `swift sample` output .jsonl (repeat for shards) into the journal first."
        ),
        fresh: bool = typer.Option(False, help="Delete the journal and start over (default: resume)."),
        progress: bool = typer.Option(True, help="Show a progress bar with ETA."),
    ) -> None:
        """Build a teacher-made dataset. Every teacher reply is journaled in OUT.journal.jsonl: rerun the same
        command after an interruption to resume (no duplicated, no lost rows). Writes OUT, OUT.report.json and
        OUT.report.html. The API key comes from $SCIFI_TEACHER_API_KEY or $OPENAI_API_KEY.

        Exit status: 0 when every job ended (kept or dropped) or waits for offline samples; 3 when some teacher
        requests failed after every retry (rerun to retry them); 2 for bad arguments."""
        from swift_scifi.synth import runner
        from swift_scifi.synth.passages import load_passages
        from swift_scifi.synth.quality import build_report, write_report
        from swift_scifi.synth.teacher import TeacherSettings

        if method not in METHODS:
            raise typer.BadParameter(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if teacher_url and not model:
            raise typer.BadParameter("--model is required with --teacher-url", param_hint="--model")
        if not (teacher_url or export_prompts or from_samples) and not runner.journal_path(out).exists():
            raise typer.BadParameter(
                "give --teacher-url (online), or --export-prompts / --from-samples (swift sample)",
                param_hint="--teacher-url",
            )
        try:
            m = _method(method, task, min_score)
            passages = load_passages(corpus, tuple(lang), passage_units)
        except (FileNotFoundError, ValueError) as err:
            typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from err
        jobs = m.jobs(passages)[:limit] if limit else m.jobs(passages)
        if not jobs:
            typer.secho("error: the corpus gave no passages", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        journal = runner.journal_path(out)
        if fresh:
            journal.unlink(missing_ok=True)
        settings = None
        if teacher_url:
            settings = TeacherSettings(
                tuple(teacher_url), model, TeacherSettings.key_from_env(), concurrency, timeout, retries,
                rate_limit=rate_limit, temperature=temperature, max_tokens=max_tokens,
                price_prompt_per_1k=price_prompt, price_completion_per_1k=price_completion,
            )  # fmt: skip
        if from_samples:
            counts = runner.ingest_samples(jobs, m, journal, from_samples)
            typer.echo("ingested swift sample replies: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if export_prompts:
            n = runner.export_prompts(jobs, m, journal, export_prompts)
            typer.echo(f"wrote {n} pending teacher requests to {export_prompts}")
        session = None
        if settings is not None and not export_prompts:
            import asyncio

            outcomes, session = asyncio.run(runner.run_online(jobs, m, settings, journal, progress))
        else:
            outcomes = runner.run_offline(jobs, m, journal)
        rows = runner.ordered_rows(jobs, outcomes)
        runner.write_jsonl(out, rows)
        _, _, usage = runner.load_replies(journal)
        report = build_report(m.name, jobs, outcomes, usage, settings, session, {"version": m.version})
        jpath, hpath = write_report(out, report)
        typer.echo(
            f"{m.name}: {report['kept']} kept, {report['dropped']} dropped, {report['failed']} failed, "
            f"{report['pending']} pending of {report['jobs']} jobs; wrote {out}, {jpath.name}, {hpath.name}"
        )
        u = report["usage_all_runs"]
        cost = f", cost {u['cost']:.4f}" if "cost" in u else ""
        typer.echo(f"teacher: {u['attempts']} requests, {u['prompt_tokens']} prompt + "
                   f"{u['completion_tokens']} completion tokens{cost}")  # fmt: skip
        if report["failed"]:
            typer.secho(
                f"{report['failed']} jobs failed ({report['failed_by_reason']}); rerun the same command to retry",
                fg=typer.colors.YELLOW, err=True,
            )  # fmt: skip
            raise typer.Exit(3)
