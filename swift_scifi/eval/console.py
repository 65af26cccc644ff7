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
    return f"{g['mean']:.2f}", f"{g['ci95'][0]:.2f} – {g['ci95'][1]:.2f}", str(g["n"])


def summary_table(summary: dict[str, Any], title: str = "swift-scifi eval") -> Table:
    """Overall, per-domain1 and per-requirement rows with 95% CIs; measured metrics below."""
    table = Table(title=title)
    for col in ("scope", "mean (1-10)", "95% CI", "n"):
        table.add_column(col)
    table.add_row("overall", *_fmt(summary["overall"]), style="bold")
    for group in ("domain1", "requirement"):
        for name, g in (summary.get(f"per_{group}") or {}).items():
            table.add_row(f"{group}: {name}", *_fmt(g))
    for name, g in (summary.get("metrics") or {}).items():
        table.add_row(f"metric: {name}", *_fmt(g), style="dim")
    table.caption = f"criteria scored {summary['criteria_scored']}, failed {summary['criteria_failed']}"
    return table


def print_summary(summary: dict[str, Any], title: str = "swift-scifi eval") -> None:
    console.print(summary_table(summary, title))
