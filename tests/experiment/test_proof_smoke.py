"""The proof-of-effect pipeline end to end with real `swift pt/sft/rlhf` runs (smoke config: tiny model, two
steps a stage, 20 held-out prompts); every stage must hand the next a valid artefact, and a rerun resumes."""

import json
import math
from pathlib import Path

import pytest

from swift_scifi.datasets.corpus import read_corpus
from tests.conftest import run_cli

pytestmark = pytest.mark.swift

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _done(work: Path, stage: str) -> dict:
    path = work / stage / "done.json"
    assert path.is_file(), f"stage {stage} left no done.json"
    return json.loads(path.read_text())


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_smoke_pipeline_hands_each_stage_a_valid_artefact_and_resumes(tmp_path):
    work, results = tmp_path / "work", tmp_path / "results.md"
    proc = run_cli(
        ["experiment", "run", "smoke", "--work-dir", str(work), "--results", str(results)], timeout=900
    )
    assert f"results: {results}" in proc.stdout

    # a. split by book: disjoint sides, held-out books are the configured ones
    split = _done(work, "split")
    train, held = {b["name"] for b in split["train"]}, {b["name"] for b in split["heldout"]}
    assert held == {"The Time Machine", "呐喊"} and not train & held
    held_text = "".join(b.text for b in read_corpus(work / "split" / "heldout"))

    # b. tokenizer + random-init micro Qwen3, pretraining windows from training books only
    base = _done(work, "base")
    assert base["params"] > 0 and base["vocab"] == 1000
    assert set(base["pretrain_rows"]["books"]) <= train and set(base["heldout_text"]["books"]) <= held
    assert (work / "base" / "model" / "tokenizer.json").is_file()

    # datasets: training books feed training, held-out prompts are balanced zh/en
    data = _done(work, "data")
    assert data["rows"]["eval_prompts"] == 20
    prompts = _jsonl(work / "data" / "eval_prompts.jsonl")
    assert sorted(p["lang"] for p in prompts) == ["en"] * 10 + ["zh"] * 10
    assert all(p["target_length"] == 100 and isinstance(p["terms"], list) for p in prompts)
    for row in _jsonl(work / "data" / "chapter_gen.jsonl"):
        answer = row["messages"][-1]["content"]
        assert answer[:80] not in held_text  # no held-out book text is trained on
    dpo_rows = _jsonl(work / "data" / "cdpo_rules.jsonl")
    assert all(r["rejected_response"] != r["messages"][-1]["content"] for r in dpo_rows)

    # c. swift pt from random init, held-out perplexity and a unigram baseline on the same tokens
    pt = _done(work, "pretrain")
    assert Path(pt["checkpoint"], "model.safetensors").is_file() and pt["argv"][1] == "pt"
    assert math.isfinite(pt["heldout_ppl"]) and math.isfinite(pt["unigram_ppl"]) and pt["windows"] == 16

    # d/e. SFT from the pretrained checkpoint; three arms from the same SFT checkpoint with equal steps
    sft = _done(work, "sft")
    assert json.loads(Path(sft["checkpoint"], "args.json").read_text())["model"] == pt["checkpoint"]
    ckpts = set()
    for arm, kind in (("control", None), ("dpo", "dpo"), ("grpo", "grpo")):
        done = _done(work, f"arms/{arm}")
        args = json.loads(Path(done["checkpoint"], "args.json").read_text())
        assert args["model"] == sft["checkpoint"] and args["max_steps"] == 2 and done["steps"] == 2
        assert args.get("rlhf_type") == kind
        ckpts.add(done["checkpoint"])
    assert len(ckpts) == 3
    grpo_dir = Path(_done(work, "arms/grpo")["checkpoint"]).parent
    assert (grpo_dir / "completions.jsonl").is_file() and (grpo_dir / "scifi_rewards.jsonl").is_file()

    # f. held-out evaluation: every model on the same 20 prompts, deltas with CIs for each arm
    table = json.loads(Path(_done(work, "eval")["table"]).read_text())
    assert table["prompts"] == 20 and set(table["means"]) == {"sft", "control", "dpo", "grpo"}
    for arm in ("grpo", "dpo"):
        for metric in (
            "fluency",
            "repetition",
            "length",
            "term_consistency",
            "distinct2",
            "self_bleu",
            "nll",
        ):
            cell = table["deltas"][arm][metric]
            if cell["delta"] is not None:
                low, high = cell["ci95"]
                assert low <= cell["delta"] <= high and cell["significant"] == (low > 0 or high < 0)
    for model in ("sft", "control", "dpo", "grpo"):
        rows = _jsonl(work / "eval" / f"{model}.jsonl")
        assert len(rows) == 20 and all(len(r["completions"]) == 2 for r in rows)

    # g/h. monitors from the GRPO log, plots and the results page
    monitors = json.loads((work / "report" / "monitors.json").read_text())
    assert [m["step"] for m in monitors] == [1, 2] and all(
        m["fluency_gate_share"] is not None for m in monitors
    )
    page = results.read_text()
    for needle in ("## Held-out evaluation", "GRPO (scifi rewards) − control", "DPO (scifi-cdpo-rules) − control",
                   "## Examples", "ms-swift 4.6", "## What micro scale can and cannot show", "Held-out perplexity"):  # fmt: skip
        assert needle in page, needle
    for png in ("grpo_rewards.png", "grpo_monitors.png", "training_loss.png"):
        assert (tmp_path / png).read_bytes()[:8] == PNG_MAGIC

    # resumable: a rerun skips every finished stage and starts no swift run
    again = run_cli(
        ["experiment", "run", "smoke", "--work-dir", str(work), "--results", str(results)], timeout=300
    )
    assert again.stderr.count("done before, skipped") >= 8
    assert not list(work.glob("*/out/v1-*")) and not list(work.glob("arms/*/out/v1-*"))
