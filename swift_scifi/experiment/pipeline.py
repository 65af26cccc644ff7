"""The proof-of-effect protocol as resumable stages; each writes ``<work>/<stage>/done.json`` when complete
and is skipped when that file exists (delete it, or the folder, to redo a stage).

split -> base -> data -> pretrain -> sft -> arms (control, dpo, grpo; equal steps from the same SFT
checkpoint) -> eval (held-out prompts, paired bootstrap vs control) -> report (monitors, plots, results.md).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import load_config, resolve_corpus
from .corpus_split import write_json

logger = logging.getLogger("swift_scifi.experiment")
STAGES = ("split", "base", "data", "pretrain", "sft", "arms", "eval", "report")
MODELS = ("sft", "control", "dpo", "grpo")  # evaluated; the arms are compared with the control


class Experiment:
    """One experiment: its config, work folder and the stages' artefacts."""

    def __init__(
        self,
        config: str,
        work_dir: str | Path | None = None,
        results: str | Path | None = None,
        arms: list[str] | None = None,
    ):
        self.cfg = load_config(config)
        if arms is not None:  # run (and evaluate) only these arms; the page marks the others as not run
            unknown = [a for a in arms if a not in self.cfg["arms"]["order"]]
            if unknown or "control" not in arms:
                raise ValueError(f"--arms must name the control and known arms, got {arms}")
            self.cfg["arms"]["run"] = arms
        self.work = Path(work_dir or f"output/experiment-{self.cfg['name']}").resolve()
        self.results = Path(results or self.work / "results.md").resolve()
        self.work.mkdir(parents=True, exist_ok=True)

    # -- bookkeeping -------------------------------------------------------------------------------------
    def done(self, stage: str) -> dict | None:
        path = self.work / stage / "done.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def _stage(self, stage: str, fn: Callable[[Path], dict]) -> dict:
        prior = self.done(stage)
        if prior is not None:
            logger.info("stage %s: done before, skipped", stage)
            return prior
        folder = self.work / stage
        folder.mkdir(parents=True, exist_ok=True)
        logger.info("stage %s: starting", stage)
        start = time.monotonic()
        result = fn(folder)
        result["wall_seconds"] = round(time.monotonic() - start, 1)
        result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        write_json(folder / "done.json", result)
        logger.info("stage %s: done in %.0f s", stage, result["wall_seconds"])
        return result

    def env(self) -> dict[str, str]:
        """What every swift run gets: the dataset budget and tokenizer, offline hub, no telemetry opt-out."""
        return {
            "SCIFI_MAX_TOKENS": str(self.cfg["data"]["max_tokens"]),
            "SCIFI_TOKENIZER": str(self.work / "base" / "model"),
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            **{k: str(v) for k, v in self.cfg.get("env", {}).items()},
        }

    def run(self, until: str | None = None) -> None:
        """Run every stage in order (up to and including ``until``), skipping those already done."""
        for stage in STAGES:
            getattr(self, f"stage_{stage}")()
            if stage == until:
                return

    # -- stages ------------------------------------------------------------------------------------------
    def stage_split(self) -> dict:
        from .corpus_split import split_corpus

        def fn(folder: Path) -> dict:
            corpus = resolve_corpus(self.cfg["corpus"])
            return split_corpus(corpus, self.cfg["heldout_books"], folder, self.cfg["data"]["book_chars"])

        return self._stage("split", fn)

    def stage_base(self) -> dict:
        from .base_model import build_base_model, write_windows

        def fn(folder: Path) -> dict:
            split = self.work / "split"
            info = build_base_model(
                split / "train", folder / "model", self.cfg["model"], self.cfg["tokenizer"]["chars_per_book"]
            )
            pt = self.cfg["pretrain"]["flags"]
            rows = (
                pt["max_steps"] * pt["per_device_train_batch_size"] * pt.get("gradient_accumulation_steps", 1)
            )
            info["pretrain_rows"] = write_windows(
                split / "train", folder / "model", folder / "pretrain.jsonl", pt["max_length"], rows
            )
            ev = self.cfg["eval"]
            info["heldout_text"] = write_windows(
                split / "heldout",
                folder / "model",
                folder / "heldout_text.jsonl",
                ev["ppl_length"],
                ev["ppl_windows"],
            )
            if info["pretrain_rows"]["rows"] == 0 or info["heldout_text"]["rows"] == 0:
                raise ValueError(f"no token windows: {info}")
            return info

        return self._stage("base", fn)

    def stage_data(self) -> dict:
        def fn(folder: Path) -> dict:
            return build_data(self.cfg, self.work, folder)

        return self._stage("data", fn)

    def _swift(
        self,
        folder: Path,
        command: list[str],
        flags: dict,
        model: str,
        dataset: str,
        limit_min: float | None = None,
    ) -> dict:
        from .swift_runs import run_swift

        flags = {**self.cfg["common"], **flags, "model": model, "dataset": dataset}
        flags.setdefault("save_steps", flags["max_steps"])
        limit = None if limit_min is None else 60 * limit_min
        return run_swift(
            command,
            flags,
            output_dir=folder / "out",
            log_path=folder / "swift.log",
            env=self.env(),
            time_limit_s=limit,
        )

    def stage_pretrain(self) -> dict:
        from .perplexity import model_nll, ppl, read_windows, unigram_nll

        def fn(folder: Path) -> dict:
            base = self.work / "base"
            pt = self.cfg["pretrain"]
            run = self._swift(
                folder,
                ["pt"],
                pt["flags"],
                str(base / "model"),
                str(base / "pretrain.jsonl"),
                pt.get("time_limit_min"),
            )
            heldout = read_windows(base / "heldout_text.jsonl")
            nll = model_nll(run["checkpoint"], heldout)
            uni = unigram_nll(read_windows(base / "pretrain.jsonl"), heldout, base / "model")
            run.update(heldout_ppl=ppl(nll), unigram_ppl=ppl(uni), windows=len(nll))
            run["below_unigram"] = run["heldout_ppl"] < run["unigram_ppl"]
            return run

        return self._stage("pretrain", fn)

    def stage_sft(self) -> dict:
        def fn(folder: Path) -> dict:
            ckpt, sft = self.done("pretrain")["checkpoint"], self.cfg["sft"]
            data = str(self.work / "data" / "chapter_gen.jsonl")
            return self._swift(folder, ["sft"], sft["flags"], ckpt, data, sft.get("time_limit_min"))

        return self._stage("sft", fn)

    def stage_arms(self) -> dict:
        arms = self.cfg["arms"]
        sft = self.done("sft")["checkpoint"]
        data = self.work / "data"
        datasets = {"control": data / "chapter_gen_arm.jsonl", "dpo": data / "cdpo_rules.jsonl",
                    "grpo": data / "grpo_train.jsonl"}  # fmt: skip
        commands = {"control": ["sft"], "dpo": ["rlhf"], "grpo": ["rlhf"]}
        out = {}
        for arm in arms.get("run", arms["order"]):
            flags = {**arms[arm]["flags"], "max_steps": arms["steps"]}
            out[arm] = self._stage(
                f"arms/{arm}",
                lambda folder, arm=arm, flags=flags: self._swift(
                    folder, commands[arm], flags, sft, str(datasets[arm])
                ),
            )
        return self._stage("arms", lambda folder: {"arms": {k: v["checkpoint"] for k, v in out.items()}})

    def stage_eval(self) -> dict:
        return self._stage("eval", lambda folder: evaluate_all(self, folder))

    def stage_report(self) -> dict:
        from .results_doc import write_results

        return self._stage("report", lambda folder: write_results(self, folder))


def build_data(cfg: dict, work: Path, folder: Path) -> dict:
    """Datasets from the training books (chapter-gen for SFT and the control arm, cdpo-rules for DPO,
    grpo-prompts for GRPO) and the held-out prompts (grpo-prompts of held-out books, balanced by language)."""
    from swift_scifi.datasets.build import build_rows
    from swift_scifi.datasets.config import BuildConfig

    from .evaluate import write_jsonl

    d, seed = cfg["data"], cfg.get("seed", 0)
    bc = dict(max_tokens=d["max_tokens"], tokenizer=work / "base" / "model")
    train = BuildConfig(corpus=work / "split" / "train_data", **bc)
    heldout = BuildConfig(corpus=work / "split" / "heldout", **bc)
    rng = random.Random(seed)

    def take(rows: list[dict], n: int) -> list[dict]:
        rows = list(rows)
        rng.shuffle(rows)
        return rows[:n]

    chapter = build_rows("scifi-chapter-gen", train)
    rng.shuffle(chapter)
    sft_n, arm_n = d["sft_rows"], d["arm_rows"]
    files = {
        "chapter_gen": chapter[:sft_n],
        "chapter_gen_arm": chapter[sft_n : sft_n + arm_n] or chapter[:arm_n],
        "cdpo_rules": take(build_rows("scifi-cdpo-rules", train), arm_n),
        "grpo_train": [
            _retarget(r, d["target_length"]) for r in take(build_rows("scifi-grpo-prompts", train), arm_n)
        ],
    }
    per_lang = cfg["eval"]["prompts"] // 2
    held = build_rows("scifi-grpo-prompts", heldout)
    evalp = [r for lang in ("zh", "en") for r in take([r for r in held if r["lang"] == lang], per_lang)]
    files["eval_prompts"] = [_retarget(r, d["target_length"]) for r in evalp]
    counts = {}
    for name, rows in files.items():
        if not rows:
            raise ValueError(f"dataset {name} is empty (corpus too small for the config?)")
        write_jsonl(folder / f"{name}.jsonl", rows)
        counts[name] = len(rows)
    if counts["eval_prompts"] < cfg["eval"]["prompts"]:
        logger.warning("only %d held-out prompts (asked %d)", counts["eval_prompts"], cfg["eval"]["prompts"])
    return {"rows": counts, "target_length": d["target_length"]}


def _retarget(row: dict, target: int | None) -> dict:
    """The row with ``target_length`` set to the micro scale's ``target`` (None keeps the author's length)."""
    return row if target is None else {**row, "target_length": int(target)}


def evaluate_all(exp: Experiment, folder: Path) -> dict:
    """Sample and score every model on the held-out prompts; held-out NLL; paired deltas vs the control."""
    from .evaluate import REWARDS, TEXT_METRICS, generate, paired_delta, read_jsonl, score_prompt, write_jsonl
    from .perplexity import model_nll, read_windows

    ev, seed = exp.cfg["eval"], exp.cfg.get("seed", 0)
    prompts = read_jsonl(exp.work / "data" / "eval_prompts.jsonl")
    heldout = read_windows(exp.work / "base" / "heldout_text.jsonl")
    ckpts = {"sft": exp.done("sft")["checkpoint"]}
    ckpts.update((arm, exp.done(f"arms/{arm}")["checkpoint"]) for arm in exp.done("arms")["arms"])
    per_model: dict[str, dict] = {}
    timing = {}
    for name in MODELS:
        if name not in ckpts:
            continue
        path = folder / f"{name}.jsonl"
        start = time.monotonic()
        if not path.is_file():
            outs = generate(
                ckpts[name], [p["messages"] for p in prompts], samples=ev["samples"],
                max_new_tokens=ev["max_new_tokens"], temperature=ev["temperature"],
                batch_size=ev["batch_size"], seed=seed,
            )  # fmt: skip
            rows = [{"completions": c, **score_prompt(c, p)} for c, p in zip(outs, prompts, strict=True)]
            nll = model_nll(ckpts[name], heldout)
            write_jsonl(path, rows)
            write_json(folder / f"{name}_nll.json", nll)
        timing[name] = round(time.monotonic() - start, 1)
        per_model[name] = {
            "rows": read_jsonl(path),
            "nll": json.loads((folder / f"{name}_nll.json").read_text(encoding="utf-8")),
        }
    metrics = [*REWARDS, *TEXT_METRICS]
    table: dict[str, Any] = {"means": {}, "deltas": {}}
    for name, data in per_model.items():
        from .evaluate import mean_of

        table["means"][name] = {m: mean_of([r[m] for r in data["rows"]]) for m in metrics}
        table["means"][name]["nll"] = mean_of(data["nll"])
    control = per_model["control"]
    for name in ("sft", "dpo", "grpo"):
        if name not in per_model:
            continue
        rows = per_model[name]["rows"]
        table["deltas"][name] = {
            m: paired_delta([r[m] for r in rows], [r[m] for r in control["rows"]], seed=seed) for m in metrics
        }
        table["deltas"][name]["nll"] = paired_delta(per_model[name]["nll"], control["nll"], seed=seed)
    table["prompts"] = len(prompts)
    table["samples"] = ev["samples"]
    table["heldout_windows"] = len(heldout)
    table["seconds_per_model"] = timing
    write_json(folder / "table.json", table)
    return {"table": str(folder / "table.json"), "prompts": len(prompts), "models": list(per_model)}


def environment() -> dict[str, str]:
    """Versions and machine, for the results page."""
    import platform

    import swift
    import torch
    import transformers

    from swift_scifi import __version__

    return {
        "swift_scifi": __version__,
        "ms_swift": getattr(swift, "__version__", "?"),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}",
        "cpu": _cpu_name(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run_experiment(
    config: str,
    work_dir: str | None,
    results: str | None,
    until: str | None = None,
    arms: list[str] | None = None,
) -> Any:
    """``swift-scifi experiment run``: every stage not done yet; returns the Experiment."""
    exp = Experiment(config, work_dir, results, arms)
    exp.run(until)
    return exp
