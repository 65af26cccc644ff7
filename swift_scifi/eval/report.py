"""``report.html``: summary tables and matplotlib plots (per-domain bars, score histogram, score vs length)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from ..atomic_write import write_text


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

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
    ax.set_title("Score distribution")
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


def _table(groups: dict[str, dict[str, Any]], label: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{g['mean']:.2f}</td><td>{g['ci95'][0]:.2f} – {g['ci95'][1]:.2f}"
        f"</td><td>{g['n']}</td></tr>"
        for n, g in groups.items()
    )
    return f"<table><tr><th>{label}</th><th>mean</th><th>95% CI</th><th>queries</th></tr>{rows}</table>"


def write_report(
    path: str | Path,
    summary: dict[str, Any],
    scores: list[float],
    lengths: dict[str, int],
    manifest: dict[str, Any],
) -> None:
    """Write a self-contained HTML report (plots embedded as PNG data URIs)."""
    import matplotlib

    matplotlib.use("Agg")
    parts = [
        "<!doctype html><meta charset='utf-8'><title>swift-scifi eval</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em}</style>",
        "<h1>swift-scifi evaluation</h1>",
        _table({"overall": summary["overall"]}, "scope"),
        f"<p>criteria scored: {summary['criteria_scored']}, failed: {summary['criteria_failed']}</p>",
    ]
    for group in ("domain1", "domain2", "requirement"):
        groups = summary.get(f"per_{group}") or {}
        if groups:
            parts += [
                f"<h2>Per {group}</h2>",
                f"<img src='{_bars(groups, f'Per {group}')}'>",
                _table(groups, group),
            ]
    parts += ["<h2>Distributions</h2>", f"<img src='{_histogram(scores)}'>"]
    points = [
        (lengths[i], q["score"])
        for i, q in summary["per_query"].items()
        if q["score"] is not None and i in lengths
    ]
    parts.append(f"<img src='{_scatter(points)}'>")
    if summary.get("metrics"):
        parts += [
            "<h2>Measured metrics</h2>",
            _table(summary["metrics"], "metric").replace("queries", "responses"),
        ]
    parts += [
        "<h2>Manifest</h2>",
        f"<pre>{html.escape(json.dumps(manifest, ensure_ascii=False, indent=2))}</pre>",
    ]
    write_text(path, "\n".join(parts))
