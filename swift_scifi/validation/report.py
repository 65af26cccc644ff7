"""The harness result as tables: rich on the terminal, markdown for docs/rewards.md."""

from __future__ import annotations

from typing import Any

from .planted import DEFECTS


def _f(x: Any, pct: bool = False) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    return f"{100 * x:.1f}%" if pct else f"{x:+.2f}" if x < 0 else f"{x:.2f}"


def tables(res: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table."""
    rw = res["rewards"]
    rewards = [
        [
            k,
            _f(v["fpr"]["en"], True),
            _f(v["fpr"]["zh"], True),
            _f(v["auc_en"]),
            _f(v["rho_model"]["leaderboard"]),
            _f(v["rho_model"]["held_out_prompts"]),
            _f(v["rho_model"]["held_out_both"]),
            _f(v["rho_item"]["composite"]),
            _f(v["rho_item"]["composite_held_out_prompts"]),
            _f(v["padding_raises"], True),
        ]
        for k, v in rw.items()
    ]
    keys = list(rw)
    planted = [
        [d, ", ".join(DEFECTS[d][1])] + [_f(rw[k]["planted"].get(d), True) for k in keys]
        for d in DEFECTS
        if any(rw[k]["planted"].get(d) is not None for k in keys)
    ]
    prins = [
        [
            pid,
            ",".join(v["langs"]),
            f"{v['weight']:g}",
            _f(v["fpr"]["en"], True),
            _f(v["fpr"]["zh"], True),
            _f(v["fires_llm_en"], True),
            _f(v["auc_en"]),
            _f(v["rho_model"]["leaderboard"]),
            _f(v["rho_item"]["composite"]),
            _f(v["example_ordered"]),
        ]
        for pid, v in sorted(res["principles"].items())
    ]
    sl = rw.get("slop", {})
    slop_rows = []
    if "rho_model_pooled_density" in sl:
        fh, pd = sl["fpr_held_out_novels"], sl["rho_model_pooled_density"]
        slop_rows = [
            [
                str(sl.get("data_version")),
                _f(fh.get("en"), True),
                _f(pd.get("leaderboard")),
                _f(pd.get("held_out_prompts")),
                _f(pd.get("held_out_both")),
            ]
        ]
    lp = res["length_parser"]
    length = [[name, str(v["n"]), str(v["recovered"]), _f(v["rate"], True)] for name, v in lp.items()]
    return [
        (
            "Rewards",
            [
                "reward",
                "FPR en",
                "FPR zh",
                "AUC en",
                "ρ model",
                "ρ model (held-out prompts)",
                "ρ model (held-out prompts+models)",
                "ρ item",
                "ρ item (held-out prompts)",
                "padding raises",
            ],
            rewards,
        ),
        ("Planted defects (share scored lower than clean)", ["defect", "meant for", *keys], planted),
        (
            "Principles",
            [
                "principle",
                "langs",
                "w",
                "FPR en",
                "FPR zh",
                "fires LLM",
                "AUC en",
                "ρ model",
                "ρ item",
                "example",
            ],
            prins,
        ),
        ("Length parser (LongBench-Write)", ["file", "queries", "recovered", "rate"], length),
    ] + (
        [
            (
                "Slop: held-out novels and pooled per-model density",
                [
                    "slop data",
                    "FPR en (novels not fitted on)",
                    "ρ model pooled",
                    "ρ model pooled (held-out prompts)",
                    "ρ model pooled (held-out prompts+models)",
                ],
                slop_rows,
            )
        ]
        if slop_rows
        else []
    )


def markdown(res: dict[str, Any]) -> str:
    m = res["meta"]
    lines = [
        f"Data: {m['human_windows']['en']} en + {m['human_windows']['zh']} zh human windows of "
        f"{m['window_chars']} characters (seed {m['seed']}), {m['llm_texts']} LLM texts ({m.get('llm_texts_empty_skipped', 0)} empty ones skipped) from "
        f"{m['llm_models']} models; {m['zh_llm_prose']}. Took {m['seconds']} s.",
        "",
    ]
    for title, header, rows in tables(res):
        lines += [f"#### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)


def print_rich(res: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for title, header, rows in tables(res):
        t = Table(title=title)
        for h in header:
            t.add_column(h)
        for r in rows:
            t.add_row(*r)
        console.print(t)
