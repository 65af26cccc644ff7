"""Stage h: the results page (``docs/results.md`` for the recorded run) with its plots, from the stages'
artefacts. Stages that did not finish are listed as not run; nothing is filled in for them."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .evaluate import HIGHER_IS_BETTER, read_jsonl
from .monitors import step_monitors
from .swift_runs import logged, run_dir

if TYPE_CHECKING:
    from .pipeline import Experiment

ARM_LABELS = {
    "sft": "SFT checkpoint (before arms)",
    "dpo": "DPO (scifi-cdpo-rules)",
    "grpo": "GRPO (scifi rewards)",
}
METRIC_LABELS = {
    "term_consistency": "reward: term consistency", "principles": "reward: principles", "length": "reward: length",
    "repetition": "reward: repetition", "slop": "reward: slop", "format": "reward: format (gate)",
    "fluency": "reward: fluency (gate)", "writing": "reward: writing (composite)", "distinct2": "distinct-2",
    "self_bleu": "self-BLEU", "length_adherence": "length adherence", "loop_rate": "degenerate-loop rate",
    "nll": "held-out human text NLL (nats/token)",
}  # fmt: skip


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:+.{digits}f}" if digits < 0 else f"{x:.{digits}f}"


def _delta_cell(d: dict, metric: str) -> str:
    if d["delta"] is None:
        return "n/a (undefined)"
    low, high = d["ci95"]
    text = f"{d['delta']:+.3f} [{low:+.3f}, {high:+.3f}]"
    if not d["significant"]:
        return text + " (n.s.)"
    better = HIGHER_IS_BETTER.get(metric)
    if better is None:
        return f"**{text}**"
    return f"**{text}** {'better' if (d['delta'] > 0) == better else 'worse'}"


def write_results(exp: Experiment, folder: Path) -> dict[str, Any]:
    """Write monitors (json), plots (png next to the results page) and the results page; return their paths."""
    from .pipeline import environment

    plots_dir = (
        exp.results.parent / "results_plots" if exp.results.parent.name == "docs" else exp.results.parent
    )
    plots_dir.mkdir(parents=True, exist_ok=True)
    grpo = exp.done("arms/grpo")
    monitors = []
    if grpo:
        comp = run_dir(grpo["checkpoint"]) / "completions.jsonl"
        monitors = step_monitors(comp) if comp.is_file() else []
    (folder / "monitors.json").write_text(json.dumps(monitors, indent=1), encoding="utf-8")
    plots = _plots(exp, monitors, plots_dir)
    text = _page(exp, monitors, plots, environment())
    exp.results.parent.mkdir(parents=True, exist_ok=True)
    exp.results.write_text(text, encoding="utf-8")
    return {"results": str(exp.results), "plots": [str(p) for p in plots], "monitor_steps": len(monitors)}


def _plots(exp: Experiment, monitors: list[dict], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    if monitors:
        steps = [m["step"] for m in monitors]
        keys = sorted({k for m in monitors for k in m if k.startswith("reward/")})
        fig, ax = plt.subplots(figsize=(6, 3.2), dpi=80)
        for k in keys:
            ax.plot(steps, [m.get(k) for m in monitors], label=k.split("/", 1)[1], lw=1)
        ax.set_xlabel("GRPO step")
        ax.set_ylabel("mean reward (0-1)")
        ax.legend(fontsize=6, ncol=2)
        ax.set_title("GRPO reward curves")
        fig.tight_layout()
        paths.append(out / "grpo_rewards.png")
        fig.savefig(paths[-1])
        plt.close(fig)
        fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), dpi=80)
        for ax, key, label in zip(
            axes,
            ("mean_length", "reward_length_corr", "fluency_gate_share"),
            ("mean length (zh chars + en words)", "corr(reward sum, length)", "fluency gate share"),
            strict=True,
        ):
            ax.plot(steps, [m.get(key) for m in monitors], lw=1)
            ax.set_title(label, fontsize=8)
            ax.set_xlabel("step", fontsize=8)
        fig.tight_layout()
        paths.append(out / "grpo_monitors.png")
        fig.savefig(paths[-1])
        plt.close(fig)
    losses = {}
    for stage in ("pretrain", "sft", "arms/control", "arms/dpo"):
        done = exp.done(stage)
        if done:
            losses[stage] = [
                (r["global_step/max_steps"], r["loss"]) for r in logged(done["checkpoint"]) if "loss" in r
            ]
    if losses:
        fig, axes = plt.subplots(1, len(losses), figsize=(3 * len(losses), 2.6), dpi=80)
        axes = axes if len(losses) > 1 else [axes]
        for ax, (stage, pts) in zip(axes, losses.items(), strict=True):
            ax.plot([int(s.split("/")[0]) for s, _ in pts], [v for _, v in pts], lw=1)
            ax.set_title(f"{stage} loss", fontsize=8)
            ax.set_xlabel("step", fontsize=8)
        fig.tight_layout()
        paths.append(out / "training_loss.png")
        fig.savefig(paths[-1])
        plt.close(fig)
    return paths


def _page(exp: Experiment, monitors: list[dict], plots: list[Path], env: dict) -> str:
    cfg = exp.cfg
    lines = [f"# Proof of effect: micro writer, config `{cfg['name']}`", ""]
    lines += [
        "Written by `swift-scifi experiment run` (swift_scifi/experiment); every figure below comes from the run",
        "recorded here. Rerun:",
        "",
        "```bash",
        f"swift-scifi experiment run {Path(cfg['config_path']).stem} --results {shlex.quote(_rel(exp.results))}",
        "# or: bash examples/proof_of_effect.sh",
        "```",
        "",
        f"- Date (page written): {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- Machine: {env['machine']}; CPU: {env['cpu']}",
        f"- Versions: swift-scifi {env['swift_scifi']}, ms-swift {env['ms_swift']}, torch {env['torch']}, "
        f"transformers {env['transformers']}, Python {env['python']}",
        f"- Config: `{Path(cfg['config_path']).name}`; command line: `swift-scifi {shlex.join(sys.argv[1:])}`",
        "",
        "## Stages and wall times",
        "",
        "| stage | status | wall time | artefact |",
        "|---|---|---:|---|",
    ]
    stages = [
        "split",
        "base",
        "data",
        "pretrain",
        "sft",
        *[f"arms/{a}" for a in cfg["arms"]["order"]],
        "eval",
    ]
    for stage in stages:
        done = exp.done(stage)
        if done is None:
            lines.append(f"| {stage} | **not run / not finished** | - | - |")
            continue
        art = done.get("checkpoint") or done.get("table") or ""
        art = Path(art).name if art else ", ".join(f"{k}={v}" for k, v in done.get("rows", {}).items())
        if done.get("stopped_by_time_limit"):
            art += f" (**stopped by the time limit** at step {done['steps']} of {_max_steps(cfg, stage)})"
        lines.append(f"| {stage} | done {done['finished']} | {done['wall_seconds'] / 60:.1f} min | {art} |")
    base, pt = exp.done("base"), exp.done("pretrain")
    split = exp.done("split")
    lines += ["", "## Data and model", ""]
    if split:
        tr = ", ".join(f"{b['name']} ({b['lang']})" for b in split["train"])
        ho = ", ".join(f"{b['name']} ({b['lang']})" for b in split["heldout"])
        lines += [f"- Corpus `{split['corpus']}` split by book. Training books: {tr}. Held-out books: {ho}."]
    if base:
        lines += [
            f"- Micro Qwen3: {base['params'] / 1e6:.2f} M parameters, vocabulary {base['vocab']} (byte-level BPE "
            f"trained on the training books), config `{json.dumps(cfg['model'])}`.",
            f"- Pretraining rows: {base['pretrain_rows']['rows']} windows, {base['pretrain_rows']['tokens']:,} tokens "
            f"(one epoch); held-out human text: {base['heldout_text']['rows']} windows of "
            f"≤ {cfg['eval']['ppl_length']} tokens from held-out books.",
        ]
    data = exp.done("data")
    if data:
        lines += [
            f"- Datasets (training books only): {json.dumps(data['rows'])}; target length of GRPO and eval "
            f"prompts set to {data['target_length']} (字 for zh, words for en) to suit the micro scale; it is the "
            "target the length reward and length adherence measure against (the instruction text keeps the "
            "length the builder wrote from the author's passage)."
        ]
    if pt:
        verdict = "below" if pt["below_unigram"] else "**not below**"
        lines += [
            f"- Held-out perplexity after `swift pt`: **{pt['heldout_ppl']:.1f}** vs unigram baseline "
            f"{pt['unigram_ppl']:.1f} on the same tokens ({pt['windows']} windows): {verdict} the baseline."
        ]
    lines += _table_section(exp)
    lines += _output_checks(exp)
    lines += _monitor_section(monitors, plots, exp)
    lines += _examples_section(exp)
    lines += ["", "## What micro scale can and cannot show", "", cfg.get("honest_note", "").strip(), ""]
    return "\n".join(lines)


def _rel(path: Path) -> str:
    """``path`` relative to the working directory when inside it (a page shows no checkout's location)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _max_steps(cfg: dict, stage: str) -> int:
    return cfg.get(stage, {}).get("flags", {}).get("max_steps", 0)


def _table_section(exp: Experiment) -> list[str]:
    ev = exp.done("eval")
    lines = ["", "## Held-out evaluation: each arm minus the control", ""]
    if ev is None:
        return lines + ["**Not run / not finished**: no held-out figures for this run."]
    table = json.loads(Path(ev["table"]).read_text(encoding="utf-8"))
    arms = [a for a in ("grpo", "dpo", "sft") if a in table["deltas"]]
    missing = [a for a in ("grpo", "dpo") if a not in table["deltas"]]
    lines += [
        f"{table['prompts']} prompts from held-out books, {table['samples']} samples each; per-prompt means, "
        "paired bootstrap (2,000 resamples) 95% CI of arm − control over prompts (NLL: over held-out text "
        "windows). **bold** = CI excludes 0 (with better/worse); (n.s.) = no significant effect.",
        "",
        "| metric | control mean | " + " | ".join(f"{ARM_LABELS[a]} − control" for a in arms) + " |",
        "|---|---:|" + "---:|" * len(arms),
    ]
    for metric, label in METRIC_LABELS.items():
        cm = table["means"]["control"].get(metric)
        cells = [_delta_cell(table["deltas"][a][metric], metric) for a in arms]
        lines.append(f"| {label} | {_fmt(cm)} | " + " | ".join(cells) + " |")
    for a in missing:
        lines.append(f"\n**{ARM_LABELS[a]}: not run / not finished**; no row for it.")
    lines += ["", "Means per model:", "", "| model | " + " | ".join(METRIC_LABELS) + " |",
              "|---|" + "---:|" * len(METRIC_LABELS)]  # fmt: skip
    for name, means in table["means"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(means.get(m)) for m in METRIC_LABELS) + " |")
    return lines


def _output_checks(exp: Experiment) -> list[str]:
    """Empty completions and completions in the other language than the prompt's, per model, from the stored
    samples (scored 0 / judged by the rewards as any text; a gain can come from fixing these alone)."""
    from swift_scifi.text.lang import detect_lang

    from .evaluate import mean_of, paired_delta

    folder = exp.work / "eval"
    if not (folder / "control.jsonl").is_file():
        return []
    prompts = read_jsonl(exp.work / "data" / "eval_prompts.jsonl")
    per: dict[str, dict[str, list]] = {}
    for m in ("sft", "control", "dpo", "grpo"):
        if not (folder / f"{m}.jsonl").is_file():
            continue
        empty, wrong = [], []
        for row, p in zip(read_jsonl(folder / f"{m}.jsonl"), prompts, strict=True):
            comps = row["completions"]
            empty.append(sum(not c.strip() for c in comps) / len(comps))
            said = [c for c in comps if c.strip()]
            wrong.append(sum(detect_lang(c) != p["lang"] for c in said) / len(said) if said else None)
        per[m] = {"empty": empty, "wrong_lang": wrong}
        for lang in ("zh", "en"):
            per[m][lang] = mean_of([w for w, p in zip(wrong, prompts, strict=True) if p["lang"] == lang])
    lines = ["", "Output checks (share of samples; computed from the stored samples, same pairing):", "",
             "| model | empty completion | other language than the prompt (non-empty) | of zh prompts | of en prompts "
             "| Δ empty vs control | Δ other language vs control |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for m, d in per.items():
        de = paired_delta(d["empty"], per["control"]["empty"])
        dw = paired_delta(d["wrong_lang"], per["control"]["wrong_lang"])
        cells = ["-", "-"] if m == "control" else [_delta_cell(de, "loop_rate"), _delta_cell(dw, "loop_rate")]
        shares = [mean_of(d["empty"]), mean_of(d["wrong_lang"]), d["zh"], d["en"]]
        lines.append(f"| {m} | " + " | ".join(_fmt(x) for x in shares) + " | " + " | ".join(cells) + " |")
    return lines


def _monitor_section(monitors: list[dict], plots: list[Path], exp: Experiment) -> list[str]:
    lines = ["", "## Training curves and reward-hacking monitors", ""]
    rel = exp.results.parent
    for p in plots:
        try:
            lines.append(f"![{p.stem}]({p.relative_to(rel)})")
        except ValueError:
            lines.append(f"![{p.stem}]({p})")
    if not monitors:
        return lines + ["", "No GRPO steps logged (the GRPO arm did not run or finish)."]
    first, last = monitors[0], monitors[-1]
    lines += [
        "",
        "| GRPO step | mean length | corr(reward, length) | fluency gate share |",
        "|---:|---:|---:|---:|",
    ]
    for m in (first, *monitors[1 : -1 : max(1, len(monitors) // 6)], last):
        lines.append(
            f"| {m['step']} | {_fmt(m['mean_length'], 1)} | {_fmt(m['reward_length_corr'])} | "
            f"{_fmt(m['fluency_gate_share'])} |"
        )
    return lines


def _examples_section(exp: Experiment) -> list[str]:
    lines = ["", "## Examples: three held-out prompts, before (SFT) and after each arm (first sample)", ""]
    folder = exp.work / "eval"
    if not (folder / "sft.jsonl").is_file():
        return lines + ["Not run."]
    prompts = read_jsonl(exp.work / "data" / "eval_prompts.jsonl")
    models = {m: read_jsonl(folder / f"{m}.jsonl") for m in ("sft", "control", "dpo", "grpo")
              if (folder / f"{m}.jsonl").is_file()}  # fmt: skip
    picks = [0, len(prompts) // 2, len(prompts) - 1][: exp.cfg["eval"].get("examples", 3)]
    for i in picks:
        user = prompts[i]["messages"][-1]["content"]
        lines += [f"**Prompt {i}** ({prompts[i]['lang']}, last 200 characters of the user turn):", "",
                  "> " + user[-200:].replace("\n", " "), ""]  # fmt: skip
        for m, rows in models.items():
            out = rows[i]["completions"][0].replace("\n", " ").replace("|", "\\|")[:300]
            lines.append(f"- *{m}*: {out}")
        lines.append("")
    return lines
