"""The quality report of a synth run: ``OUT.report.json`` and a self-contained ``OUT.report.html``.

Counts every job once: kept, dropped (by reason), failed (the teacher never answered; retried on the next
run) or pending (offline: waiting for a reply). Plus the task-type, language and principle mix of kept
rows, the rating and C-DPO edit-distance distributions, replies repaired, token usage and cost, and examples.
Plots reuse the evaluation report's helpers (:mod:`swift_scifi.eval.report`).
"""

from __future__ import annotations

import html
import json
import logging
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..atomic_write import strict, write_text
from .runner import Drop, Failed, Job, Keep, Outcome, Pending
from .teacher import TeacherSettings, Usage

EXAMPLES = 3


def _quantiles(xs: list[float]) -> dict[str, float | None]:
    xs = sorted(xs)

    def q(p: float) -> float | None:
        return round(xs[min(int(p * len(xs)), len(xs) - 1)], 4) if xs else None

    return {
        "n": len(xs),
        "mean": round(sum(xs) / len(xs), 4) if xs else None,
        "p10": q(0.1),
        "p50": q(0.5),
        "p90": q(0.9),
        "max": round(xs[-1], 4) if xs else None,
    }


def _clip(text: Any, n: int = 300) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n] + "…"


def build_report(
    method: str,
    jobs: Sequence[Job],
    outcomes: dict[str, Outcome],
    usage: Usage,
    settings: TeacherSettings | None = None,
    session: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict (see the module docstring)."""
    c: dict[str, Counter] = {k: Counter() for k in ("status", "dropped", "failed", "pending", "task", "lang",
                                                    "principle", "score", "jobs_by_task")}  # fmt: skip
    edits: list[float] = []
    repaired = 0
    kept_examples: list[dict[str, Any]] = []
    drop_examples: dict[str, dict[str, Any]] = {}
    for job in jobs:
        o = outcomes.get(job.key) or Pending("?")
        if job.task:
            c["jobs_by_task"][job.task] += 1
        c["status"][type(o).__name__.lower()] += 1
        if isinstance(o, (Keep, Drop)):
            repaired += bool(o.info.get("repaired"))
            if o.info.get("score") is not None:
                c["score"][int(o.info["score"])] += 1
        if isinstance(o, Keep):
            if job.task:
                c["task"][job.task] += 1
            c["lang"][job.lang] += 1
            if o.info.get("principle"):
                c["principle"][o.info["principle"]] += 1
            if o.info.get("edit") is not None:
                edits.append(float(o.info["edit"]))
            if len(kept_examples) < EXAMPLES:
                kept_examples.append(
                    {
                        "job": job.key,
                        **{k: _clip(v) if isinstance(v, str) else v for k, v in _example(o.row).items()},
                    }
                )
        elif isinstance(o, Drop):
            c["dropped"][o.reason] += 1
            drop_examples.setdefault(o.reason, {"job": job.key, "passage": _clip(job.passage, 160),
                                                **{k: _clip(v) for k, v in o.info.items()}})  # fmt: skip
        elif isinstance(o, Failed):
            c["failed"][o.reason] += 1
        elif isinstance(o, Pending):
            c["pending"][o.stage] += 1
    out: dict[str, Any] = {
        "method": method,
        "jobs": len(jobs),
        "kept": c["status"]["keep"],
        "dropped": c["status"]["drop"],
        "failed": c["status"]["failed"],
        "pending": c["status"]["pending"],
        "keep_rate": round(c["status"]["keep"] / len(jobs), 4) if jobs else None,
        "dropped_by_reason": dict(c["dropped"].most_common()),
        "failed_by_reason": dict(c["failed"].most_common()),
        "pending_by_stage": dict(c["pending"].most_common()),
        "jobs_by_task": dict(c["jobs_by_task"].most_common()),
        "kept_by_task": dict(c["task"].most_common()),
        "kept_by_lang": dict(c["lang"].most_common()),
        "replies_repaired": repaired,
        "ratings": {str(k): c["score"][k] for k in sorted(c["score"])},
        "usage_all_runs": {
            "attempts": usage.requests,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
        },  # fmt: skip
        "examples_kept": kept_examples,
        "examples_dropped": drop_examples,
    }
    if c["principle"]:
        out["kept_by_principle"] = dict(c["principle"].most_common())
    if edits:
        out["edit_distance"] = {**_quantiles(edits), "values": [round(e, 4) for e in edits]}
    if settings is not None and (settings.price_prompt_per_1k or settings.price_completion_per_1k):
        out["usage_all_runs"]["cost"] = round(usage.cost(settings), 6)
        out["prices_per_1k"] = {"prompt": settings.price_prompt_per_1k,
                                "completion": settings.price_completion_per_1k}  # fmt: skip
    if session is not None:
        out["this_run"] = session
    out.update(extra or {})
    return out


def _example(row: dict[str, Any]) -> dict[str, Any]:
    msgs = row.get("messages") or []
    ex = {m["role"]: m["content"] for m in msgs}
    if "rejected_response" in row:
        ex["rejected"] = row["rejected_response"]
    return {k: v for k, v in {**ex, "task": row.get("task"), "principle": row.get("principle"),
                                "score": row.get("score")}.items() if v is not None}  # fmt: skip


def _barh(counts: dict[str, int], title: str, color: str = "#4c72b0") -> str:
    import matplotlib.pyplot as plt

    from ..eval.report import _png

    names = list(counts) or ["(none)"]
    values = [counts.get(n, 0) for n in names]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
    ax.barh(names, values, color=color)
    ax.set_xlabel("jobs")
    ax.set_title(title)
    ax.invert_yaxis()
    return _png(fig)


def _hist(values: list[float], bins, title: str, xlabel: str) -> str:
    import matplotlib.pyplot as plt

    from ..eval.report import _png

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(values, bins=bins, color="#55a868", edgecolor="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(title)
    return _png(fig)


def _kv_table(d: dict[str, Any], head: tuple[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in d.items()
    )
    return f"<table><tr><th>{head[0]}</th><th>{head[1]}</th></tr>{rows}</table>"


def _plots(r: dict[str, Any]) -> list[str]:
    outcome = {"kept": r["kept"], **{f"dropped: {k}": v for k, v in r["dropped_by_reason"].items()},
               **{f"failed: {k}": v for k, v in r["failed_by_reason"].items()},
               **{f"pending: {k}": v for k, v in r["pending_by_stage"].items()}}  # fmt: skip
    parts = [f"<img alt='outcomes' src='{_barh(outcome, 'Outcome of every job')}'>"]
    if r["kept_by_task"]:
        parts.append(f"<img alt='tasks' src='{_barh(r['kept_by_task'], 'Kept rows by task type')}'>")
    if r.get("kept_by_principle"):
        parts.append(
            f"<img alt='principles' src='{_barh(r['kept_by_principle'], 'Kept pairs by principle')}'>"
        )
    if r["ratings"]:
        scores = [int(k) for k, v in r["ratings"].items() for _ in range(v)]
        parts.append(
            f"<img alt='ratings' src='{_hist(scores, [x + 0.5 for x in range(6)], 'Teacher ratings (1-5)', 'rating')}'>"
        )  # noqa: E501
    if r.get("edit_distance"):
        parts.append(
            f"<img alt='edits' src='{_hist(r['edit_distance']['values'], 20, 'C-DPO edit distance', 'normalised Indel distance (0-1)')}'>"
        )  # noqa: E501
    return parts


def write_report(out: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``OUT.report.json`` and ``OUT.report.html`` next to the dataset; returns both paths."""
    from ..eval.plot_fonts import plot_context
    from ..eval.report import _CSS

    stem = out.with_suffix("") if out.suffix == ".jsonl" else out
    jpath, hpath = Path(f"{stem}.report.json"), Path(f"{stem}.report.html")
    write_text(jpath, json.dumps(strict(report), ensure_ascii=False, indent=2) + "\n")
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        with plot_context(list(report["kept_by_task"]) + list(report["dropped_by_reason"])):
            plots = _plots(report)
    summary = {k: report[k] for k in ("jobs", "kept", "dropped", "failed", "pending", "keep_rate",
                                      "replies_repaired")}  # fmt: skip
    summary.update({f"tokens {k}": v for k, v in report["usage_all_runs"].items()})
    if report.get("edit_distance"):
        summary.update({f"edit {k}": v for k, v in report["edit_distance"].items() if k != "values"})
    examples = "".join(
        f"<h3>{html.escape(title)}</h3><pre>{html.escape(json.dumps(ex, ensure_ascii=False, indent=1))}</pre>"
        for title, ex in [*(("kept", e) for e in report["examples_kept"]),
                          *((f"dropped: {k}", e) for k, e in report["examples_dropped"].items())]
    )  # fmt: skip
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>swift-scifi synth {html.escape(report['method'])}</title><style>{_CSS}</style>",
        f"<h1>synth {html.escape(report['method'])}: quality report</h1>",
        _kv_table(summary, ("measure", "value")),
        "<h2>Dropped by reason</h2>", _kv_table(report["dropped_by_reason"], ("reason", "jobs")),
        "<h2>Language mix of kept rows</h2>", _kv_table(report["kept_by_lang"], ("lang", "rows")),
        "<h2>Plots</h2>", *plots,
        "<h2>Examples</h2>", examples,
        "<details><summary>report.json</summary><pre>"
        + html.escape(json.dumps({k: v for k, v in report.items() if k != "edit_distance"}, ensure_ascii=False,
                                 indent=2)) + "</pre></details>",
    ]  # fmt: skip
    write_text(hpath, "\n".join(parts))
    return jpath, hpath


def write_summary_html(jpath: Path, report: dict[str, Any], title: str) -> Path:
    """A self-contained HTML page beside a build or pack report (``X.report.json`` -> ``X.report.html``):
    the scalar counts as a table, every ``{name: count}`` breakdown as a bar chart, other sections as
    tables. For the reports of ``build-dataset scifi-cdpo-rules|scifi-rag`` and ``rejection-pack``."""
    from ..eval.plot_fonts import plot_context
    from ..eval.report import _CSS

    scalars = {k: v for k, v in report.items() if not isinstance(v, (dict, list))}
    counts = {k: v for k, v in report.items()
              if isinstance(v, dict) and v and all(isinstance(x, int) for x in v.values())}  # fmt: skip
    nested = {k: v for k, v in report.items() if isinstance(v, dict) and k not in counts and v}
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        with plot_context([str(n) for c in counts.values() for n in c]):
            plots = [
                f"<img alt='{html.escape(k)}' src='{_barh(c, k.replace('_', ' '))}'>"
                for k, c in counts.items()
            ]
    sections = "".join(
        f"<h2>{html.escape(k.replace('_', ' '))}</h2>"
        + _kv_table(
            {
                n: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                for n, v in d.items()
            },
            ("", "value"),
        )  # fmt: skip
        for k, d in nested.items()
    )
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>",
        f"<h1>{html.escape(title)}: quality report</h1>",
        _kv_table(scalars, ("measure", "value")),
        "<h2>Plots</h2>", *plots, sections,
        "<details><summary>report.json</summary><pre>"
        + html.escape(json.dumps(report, ensure_ascii=False, indent=2)) + "</pre></details>",
    ]  # fmt: skip
    hpath = jpath.with_suffix(".html")
    write_text(hpath, "\n".join(parts))
    return hpath
