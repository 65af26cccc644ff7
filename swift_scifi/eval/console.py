"""Terminal output: a rich progress bar while scoring and a summary table at the end."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

console = Console(stderr=True)


@contextmanager
def progress_bar(total: int, label: str = "judging"):
    """Yields ``advance(record)``: moves the bar one step and counts failures in its label."""
    failed = 0
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed: {task.fields[failed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total, failed=0)

        def advance(rec: dict[str, Any]) -> None:
            nonlocal failed
            failed += bool(rec.get("error"))
            progress.update(task, advance=1, failed=failed)

        try:
            yield advance
        except BaseException:  # Ctrl-C: leave the bar labelled, not frozen mid-run
            progress.update(task, description=f"{label} (interrupted)")
            raise


def _fmt(g: dict[str, Any]) -> tuple[str, str, str]:
    if g["n"] == 0 or g["mean"] != g["mean"]:
        return "—", "—", str(g["n"])
    return f"{g['mean']:.2f}", f"{g['ci95'][0]:.2f} – {g['ci95'][1]:.2f}", str(g["n"])


def summary_table(summary: dict[str, Any], title: str = "swift-scifi eval") -> Table:
    """Judge scores (1-10): overall, per domain1 and per requirement, with 95% CIs and query counts."""
    protocol = summary.get("protocol", "project")
    table = Table(
        title=f"{title} — judge scores (protocol {protocol}, judge {summary.get('judge_model', '?')})"
    )
    for col in ("scope", "mean (1-10)", "95% CI", "queries"):
        table.add_column(col)
    how = "criterion-weighted" if summary.get("aggregation") == "criterion_weighted" else "mean of queries"
    table.add_row(f"overall ({how})", *_fmt(summary["overall"]), style="bold")
    for group in ("domain1", "requirement"):
        for name, g in (summary.get(f"per_{group}") or {}).items():
            table.add_row(f"{group}: {name}", *_fmt(g))
    table.caption = f"criteria scored {summary['criteria_scored']}, failed {summary['criteria_failed']}"
    return table


def metrics_table(summary: dict[str, Any]) -> Table | None:
    """Measured metrics (0-1, higher is better) over responses; None when there are none."""
    metrics = summary.get("metrics") or {}
    if not metrics:
        return None
    table = Table(title="measured metrics (no judge)")
    for col in ("metric", "mean (0-1)", "95% CI", "responses"):
        table.add_column(col)
    for name, g in metrics.items():
        table.add_row(name, *_fmt(g))
    return table


def failures_table(summary: dict[str, Any]) -> Table | None:
    """Failed judgements by kind, with an example error and a hint; None when nothing failed."""
    failures = summary.get("failures") or {}
    if not failures:
        return None
    table = Table(title="failed judgements by kind", title_style="bold red")
    for col in ("kind", "count", "example", "what to do"):
        table.add_column(col, overflow="fold")
    for kind, f in failures.items():
        table.add_row(kind, str(f["count"]), Text(f["example"][:160]), Text(f.get("hint", "")))
    return table


def print_summary(summary: dict[str, Any], title: str = "swift-scifi eval") -> None:
    """Summary, metrics, failures, the scripted-judge warning and the run's status, on stderr."""
    from ..judge.scripted import SCRIPTED_BANNER

    console.print(summary_table(summary, title))
    for table in (metrics_table(summary), failures_table(summary)):
        if table is not None:
            console.print(table)
    status = summary.get("status") or {}
    if status and not status.get("ok"):
        console.print(f"EVALUATION FAILED: {status['reason']}", style="bold red", markup=False)
    if summary.get("scripted_judge"):
        console.print(SCRIPTED_BANNER, style="bold reverse yellow", markup=False)
