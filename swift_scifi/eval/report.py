"""``report.html``: status and failures, summary tables, plots, a sortable per-query table and the manifest.

Self-contained (plots are PNG data URIs, the table sorts with a few lines of inline JavaScript). Chart labels
use a CJK-capable font when the system has one (:mod:`swift_scifi.eval.plot_fonts`); matplotlib's warnings
never reach the terminal.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..atomic_write import write_text
from .plot_fonts import plot_context

_CSS = (
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;"
    "vertical-align:top}th{background:#f3f3f3}"
    "table.sortable th{cursor:pointer}table.sortable th:after{content:' \\2195';color:#999}"
    ".banner{padding:.8em 1em;margin:1em 0;font-weight:bold;border-radius:4px}"
    ".fail{background:#fde2e1;border:2px solid #c0392b;color:#7b1d12}"
    ".scripted{background:#fff3c4;border:2px solid #b8860b;color:#5c4400}"
    ".crit{margin:.2em 0}.crit b{display:inline-block;min-width:2em}.reason{color:#333}"
    ".failed{color:#c0392b;font-weight:bold}dl.manifest dt{font-weight:bold;margin-top:.4em}"
    "dl.manifest dd{margin-left:1.5em;font-family:monospace;white-space:pre-wrap}"
)

_SORT_JS = """<script>
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort || a.cells[col].textContent;
        var y = b.cells[col].dataset.sort || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
</script>"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _bars(groups: dict[str, dict[str, Any]], title: str) -> str:
    import matplotlib.pyplot as plt

    names = list(groups)
    means = [groups[n]["mean"] for n in names]
    err = [
        [m - groups[n]["ci95"][0] for n, m in zip(names, means, strict=True)],
        [groups[n]["ci95"][1] - m for n, m in zip(names, means, strict=True)],
    ]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.2))
    ax.barh(names, means, xerr=err, color="#4c72b0", capsize=3)
    ax.set_xlim(0, 10)
    ax.set_xlabel("mean score (1-10), 95% bootstrap CI")
    ax.set_title(title)
    ax.invert_yaxis()
    return _png(fig)


def _histogram(scores: list[float]) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(scores, bins=[x + 0.5 for x in range(0, 11)], color="#55a868", edgecolor="white")
    ax.set_xlabel("criterion score")
    ax.set_ylabel("count")
    ax.set_title("Score distribution" if scores else "Score distribution (nothing scored)")
    return _png(fig)


def _scatter(points: list[tuple[float, float]]) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    if points:
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=12, alpha=0.6, color="#c44e52")
    ax.set_xlabel("response length (CJK chars + English words)")
    ax.set_ylabel("query score")
    ax.set_ylim(0, 10.5)
    ax.set_title("Score against length")
    return _png(fig)


def _num(x: float, fmt: str = ".2f") -> str:
    return "—" if x is None or x != x else format(x, fmt)


def _table(groups: dict[str, dict[str, Any]], label: str, unit: str = "queries") -> str:
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{_num(g['mean'])}</td><td>{_num(g['ci95'][0])} – "
        f"{_num(g['ci95'][1])}</td><td>{g['n']}</td></tr>"
        for n, g in groups.items()
    )
    return f"<table><tr><th>{label}</th><th>mean</th><th>95% CI</th><th>{unit}</th></tr>{rows}</table>"


def _status_html(summary: dict[str, Any]) -> str:
    from ..judge.scripted import SCRIPTED_BANNER

    parts = []
    status = summary.get("status") or {}
    if status and not status.get("ok"):
        parts.append(f"<div class='banner fail' id='status'>EVALUATION FAILED: {html.escape(status['reason'])}"
                     "</div>")  # fmt: skip
    if summary.get("scripted_judge"):
        parts.append(f"<div class='banner scripted' id='scripted'>{html.escape(SCRIPTED_BANNER)}</div>")
    failures = summary.get("failures") or {}
    if failures:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{f['count']}</td><td>{html.escape(f['example'])}</td>"
            f"<td>{html.escape(f.get('hint', ''))}</td></tr>"
            for k, f in failures.items()
        )
        parts.append(
            "<h2 id='failures'>Failed judgements by kind</h2><table><tr><th>kind</th><th>count</th>"
            f"<th>example error</th><th>what to do</th></tr>{rows}</table>"
        )
    return "\n".join(parts)


def _overall_html(summary: dict[str, Any]) -> str:
    how = {
        "criterion_weighted": "criterion-weighted mean (WritingBench)",
        "query_mean": "mean of query means",
    }
    rows = {f"overall: {how.get(summary.get('aggregation', 'query_mean'), '')}": summary["overall"]}
    other = "overall_query_mean" if summary.get("aggregation") == "criterion_weighted" else (
        "overall_criterion_weighted")  # fmt: skip
    if other in summary:
        rows[
            f"for comparison: {how['query_mean' if other.endswith('query_mean') else 'criterion_weighted']}"
        ] = summary[other]
    return (
        f"<p>protocol <b>{html.escape(str(summary.get('protocol', 'project')))}</b>, judge model "
        f"<b>{html.escape(str(summary.get('judge_model', '?')))}</b>; criteria scored "
        f"{summary['criteria_scored']}, failed {summary['criteria_failed']}</p>" + _table(rows, "scope")
    )


def _query_table(
    summary: dict[str, Any], records: list[dict[str, Any]], queries: dict[str, Any] | None
) -> str:
    """One row per query, worst first (failed queries before all): each criterion's score and reason."""
    by_query: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        by_query[str(rec["index"])].append(rec)
    per_query = summary.get("per_query") or {}

    def order(i: str) -> tuple[float, str]:
        score = per_query.get(i, {}).get("score")
        return (-1.0 if score is None else score, i)

    rows = []
    for i in sorted(by_query, key=order):
        q = queries.get(i) if queries else None
        text = q.query if q is not None else ""
        excerpt = text if len(text) <= 240 else text[:240] + "…"
        score = per_query.get(i, {}).get("score")
        crits = []
        worst_first = sorted(by_query[i], key=lambda r: -1.0 if r.get("score") is None else float(r["score"]))
        for rec in worst_first:
            value = rec.get("score")
            cell = _num(value, "g") if value is not None else "<span class='failed'>failed</span>"
            body = rec.get("reason") if value is not None else rec.get("error", "")
            crits.append(
                f"<div class='crit'><b>{cell}</b> {html.escape(str(rec['criterion']))}: "
                f"<span class='reason'>{html.escape(str(body or ''))}</span></div>"
            )
        domain = " / ".join(x for x in ((q.domain1, q.domain2) if q is not None else ()) if x)
        rows.append(
            f"<tr><td>{html.escape(i)}</td><td>{html.escape(domain)}</td>"
            f"<td data-sort='{-1 if score is None else score:.4f}'>{_num(score)}</td>"
            f"<td>{html.escape(excerpt)}</td><td>{''.join(crits)}</td></tr>"
        )
    return (
        "<h2 id='per-query'>Per query (worst first; click a header to sort)</h2>"
        "<table class='sortable' id='queries'><thead><tr><th>index</th><th>domain</th><th>score</th>"
        f"<th>query</th><th>criteria: score, name, judge's reason</th></tr></thead><tbody>{''.join(rows)}"
        "</tbody></table>"
    )


def _manifest_html(manifest: dict[str, Any]) -> str:
    """The manifest as a readable list, with the raw JSON folded below."""
    judge = manifest.get("judge") or {}
    protocol = manifest.get("protocol") or {}
    items: list[tuple[str, str]] = [
        ("created", str(manifest.get("created", ""))),
        ("swift-scifi", f"{manifest.get('swift_scifi', '')} (Python {manifest.get('python', '')}, "
                        f"{manifest.get('platform', '')})"),  # fmt: skip
        ("judge", f"{judge.get('model', '?')} at {judge.get('base_url', '?')}"),
        ("judge sampling", json.dumps(judge.get("sampling", {}), ensure_ascii=False)),
        ("protocol", f"{protocol.get('id', 'project')} v{protocol.get('version', '')} "
                     f"(aggregation {protocol.get('aggregation', '')}, sha256 {str(protocol.get('sha256', ''))[:12]})"),
    ]  # fmt: skip
    for pid, info in (manifest.get("prompts") or {}).items():
        items.append((f"prompt {pid}", f"v{info.get('version')} sha256 {str(info.get('sha256', ''))[:12]}"))
    for name, info in (manifest.get("data") or {}).items():
        items.append((f"data {name}", f"{info.get('path')} (sha256 {str(info.get('sha256', ''))[:12]})"))
    if manifest.get("rubric"):
        items.append(("rubric", str(manifest["rubric"].get("name"))))
    options = {k: v for k, v in (manifest.get("options") or {}).items() if v is not None}
    items.append(("options", ", ".join(f"{k}={v}" for k, v in options.items())))
    versions = manifest.get("versions") or {}
    items.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    body = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items)
    raw = html.escape(json.dumps(manifest, ensure_ascii=False, indent=2, default=str))
    return (
        f"<h2 id='manifest'>Manifest</h2><dl class='manifest'>{body}</dl>"
        f"<details><summary>manifest.json</summary><pre>{raw}</pre></details>"
    )


def _plots(summary: dict[str, Any], records: list[dict[str, Any]], lengths: dict[str, int]) -> list[str]:
    parts: list[str] = []
    for group in ("domain1", "domain2", "requirement"):
        groups = summary.get(f"per_{group}") or {}
        if groups:
            parts += [f"<h2>Per {group}</h2>", f"<img src='{_bars(groups, f'Per {group}')}'>",
                      _table(groups, group)]  # fmt: skip
    scores = [float(r["score"]) for r in records if r.get("score") is not None]
    parts += ["<h2>Distributions</h2>", f"<img src='{_histogram(scores)}'>"]
    points = [
        (lengths[i], q["score"])
        for i, q in (summary.get("per_query") or {}).items()
        if q["score"] is not None and i in lengths
    ]
    parts.append(f"<img src='{_scatter(points)}'>")
    return parts


def write_report(
    path: str | Path,
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    lengths: dict[str, int],
    manifest: dict[str, Any],
    queries: dict[str, Any] | None = None,
) -> None:
    """Write the HTML report. ``records``: final scores.jsonl records; ``queries``: index → Query."""
    # matplotlib's log lines (font cache building, missing glyphs) and warnings stay out of the terminal
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        labels = [
            str(k) for g in ("domain1", "domain2", "requirement") for k in (summary.get(f"per_{g}") or {})
        ]
        with plot_context(labels):
            plots = _plots(summary, records, lengths)
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>swift-scifi eval</title>",
        f"<style>{_CSS}</style>",
        "<h1>swift-scifi evaluation</h1>",
        _status_html(summary),
        _overall_html(summary),
        *plots,
    ]
    if summary.get("metrics"):
        parts += ["<h2>Measured metrics (0-1, higher is better; no judge)</h2>",
                  _table(summary["metrics"], "metric", "responses")]  # fmt: skip
    parts += [_query_table(summary, records, queries), _manifest_html(manifest), _SORT_JS]
    write_text(path, "\n".join(parts))
