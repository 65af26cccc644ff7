"""Real ms-swift runs of the tiny model on CPU, one per scifi-* dataset, through the plugin shim."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SWIFT_FLAGS_TINY, run_cli, run_swift, subprocess_env

pytestmark = pytest.mark.swift

TRAIN_FLAGS = [
    "--tuner_type",
    "lora",
    "--max_steps",
    "2",
    "--per_device_train_batch_size",
    "2",
    "--gradient_accumulation_steps",
    "1",
    "--logging_steps",
    "1",
    "--save_steps",
    "2",
    "--report_to",
    "none",
    "--dataloader_num_workers",
    "0",
]


def _budget_env(tiny_model: Path) -> dict:
    return {"SCIFI_MAX_TOKENS": "384", "SCIFI_TOKENIZER": str(tiny_model)}


def _checkpoint(output_dir: Path) -> Path:
    ckpts = sorted(output_dir.glob("v*/checkpoint-*"))
    assert ckpts, f"no checkpoint under {output_dir}"
    return ckpts[-1]


def _logged(output_dir: Path) -> list[dict]:
    lines = next(output_dir.glob("v*/logging.jsonl")).read_text().splitlines()
    return [json.loads(x) for x in lines]


def _plugin_path() -> str:
    return run_cli(["plugin-path"], cwd=Path("/")).stdout.strip()


@pytest.fixture(scope="module")
def synth_env(tmp_path_factory) -> dict:
    """SCIFI_BACKTRANS and SCIFI_CDPO: teacher-made files from the scripted teacher (short passages)."""
    from tests.synth.synth_files import build_synth_files

    return build_synth_files(tmp_path_factory.mktemp("synth"))


# Every scifi-* dataset that `swift sft` trains on, in one run (one swift start-up instead of three); scifi-rag's
# references and preceding text need the larger budget, which the others' prompts fit in as well.
SFT_DATASETS = [
    "scifi-chapter-gen",
    "scifi-writing-tasks:zh#4",
    "scifi-backtrans#4",
    "scifi-calib:en",
    "scifi-rag#8",
]


def test_swift_sft_lora_on_every_dataset(tiny_model, tmp_path, synth_env):
    out = tmp_path / "out"
    proc = run_swift(
        [
            "sft",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--external_plugins",
            _plugin_path(),
            "--dataset",
            *SFT_DATASETS,
            "--max_length",
            "640",
            "--output_dir",
            str(out),
            *TRAIN_FLAGS,
        ],
        cwd=tmp_path,
        **{**_budget_env(tiny_model), "SCIFI_MAX_TOKENS": "640"},
        **synth_env,
    )
    log = proc.stdout + proc.stderr
    assert "Successfully imported external_plugins" in log
    ckpt = _checkpoint(out)
    assert (ckpt / "adapter_model.safetensors").is_file()
    losses = [r["loss"] for r in _logged(out) if "loss" in r]
    assert len(losses) == 2 and all(x > 0 for x in losses)
    args = json.loads((ckpt / "args.json").read_text())
    assert args["dataset"] == SFT_DATASETS and args["external_plugins"] == [_plugin_path()]


def test_checkout_shim_works_from_the_repo_and_carries_a_user_glossary(tiny_model, tmp_path):
    """`swift sft` through the repo's shim on a user corpus with a user glossary (SCIFI_GLOSSARY): the prompts
    swift encodes list exactly the user's terms as the established ones."""
    story = (REPO / "tests" / "terms" / "data" / "en_halcyon.txt").read_text(encoding="utf-8")
    parts = [p.strip() for p in re.split(r"^Chapter \w+$", story, flags=re.M) if p.strip()]
    corpus = tmp_path / "halcyon.txt"
    corpus.write_text(
        "The Halcyon Reach\n\n"
        + "\n\n".join(f"Chapter {i + 1}\n\n{parts[i % len(parts)]}" for i in range(8)),
        encoding="utf-8",
    )
    glossary = tmp_path / "glossary.txt"
    glossary.write_text("# my terms\nHalcyon Reach\nAshfall Belt\nfold-drive\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_swift(
        [
            "sft",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--external_plugins",
            "plugins/scifi_plugin.py",
            "--dataset",
            "scifi-chapter-gen",
            "--max_length",
            "768",
            "--output_dir",
            str(out),
            *TRAIN_FLAGS,
        ],
        cwd=REPO,
        SCIFI_CORPUS=str(corpus),
        SCIFI_GLOSSARY=str(glossary),
        SCIFI_MAX_TOKENS="768",
        SCIFI_TOKENIZER=str(tiny_model),
    )
    assert (_checkpoint(out) / "adapter_model.safetensors").is_file()
    # swift logs the first encoded sample as decoded text ([INPUT] ... [LABELS]): its prompt lists the user's terms
    log = proc.stdout + proc.stderr
    assert "[INPUT]" in log, "swift logged no encoded sample"
    encoded = log.split("[INPUT]", 1)[1].split("[LABELS", 1)[0]
    head = "Established names and terms (use them exactly as written): "
    assert "Work: The Halcyon Reach" in encoded and head in encoded, encoded[:800]
    named = [t.strip() for t in encoded.split(head, 1)[1].splitlines()[0].split(",")]
    assert named and set(named) <= {"Halcyon Reach", "Ashfall Belt", "fold-drive"}, named


def test_grpo_rewards_receive_the_prompt_columns(tiny_model, tmp_path):
    probe = tmp_path / "probe.jsonl"
    out = tmp_path / "out"
    run_swift(
        [
            "rlhf",
            "--rlhf_type",
            "grpo",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--external_plugins",
            _plugin_path(),
            str(Path(__file__).parent / "probe_plugin.py"),
            "--dataset",
            "scifi-grpo-prompts#8",
            "--reward_funcs",
            "probe_columns",
            "--num_generations",
            "2",
            "--max_completion_length",
            "16",
            "--max_length",
            "384",
            "--use_vllm",
            "false",
            "--output_dir",
            str(out),
            *TRAIN_FLAGS,
        ],
        cwd=tmp_path,
        SCIFI_PROBE_OUT=str(probe),
        **_budget_env(tiny_model),
    )
    rows = [json.loads(x) for x in probe.read_text().splitlines()]
    # 2 steps x batch 2 completions (one prompt x 2 generations): one line per completion
    assert len(rows) == 4
    assert rows[0] == rows[1] and rows[2] == rows[3]  # both generations of a prompt see its columns
    for row in rows:
        assert isinstance(row["terms"], list) and all(isinstance(t, str) for t in row["terms"])
        assert isinstance(row["target_length"], int) and row["target_length"] >= 100
        assert row["lang"] in ("zh", "en")
    assert any(r["terms"] for r in rows)
    assert any("rewards/ProbeColumns/mean" in r for r in _logged(out))


def test_plugin_path_from_any_directory_and_its_folder_shadows_nothing(tmp_path):
    path = Path(run_cli(["plugin-path"], cwd=tmp_path).stdout.strip())
    assert path.is_absolute() and path.is_file() and path.suffix == ".py"
    assert sorted(p.name for p in path.parent.iterdir() if p.name != "__pycache__") == [path.name]
    assert path.stem not in sys.stdlib_module_names


def test_import_is_light_and_register_is_idempotent():
    code = (
        "import sys, swift_scifi\n"
        "assert not any(m in sys.modules for m in ('torch', 'swift', 'vllm', 'transformers')), 'heavy import'\n"
        "swift_scifi.register(); swift_scifi.register()\n"
        "from swift.dataset.register import DATASET_MAPPING\n"
        "print(sorted(k for k in DATASET_MAPPING if str(k).startswith('scifi-')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = eval(proc.stdout.strip().splitlines()[-1])  # our own print of a list of str
    assert names == [
        "scifi-backtrans",
        "scifi-calib",
        "scifi-cdpo",
        "scifi-cdpo-rules",
        "scifi-chapter-gen",
        "scifi-editor-prefs",
        "scifi-grpo-prompts",
        "scifi-rag",
        "scifi-writing-tasks",
    ]


def test_swift_dpo_on_cdpo_rules(tiny_model, tmp_path, synth_env):
    """`swift rlhf --rlhf_type dpo` trains on scifi-cdpo-rules and teacher-made scifi-cdpo rows (messages +
    rejected_response)."""
    out = tmp_path / "out"
    run_swift(
        [
            "rlhf",
            "--rlhf_type",
            "dpo",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--external_plugins",
            _plugin_path(),
            "--dataset",
            "scifi-cdpo-rules#6",
            "scifi-cdpo#4",
            "--max_length",
            "384",
            "--output_dir",
            str(out),
            *TRAIN_FLAGS,
        ],
        cwd=tmp_path,
        **_budget_env(tiny_model),
        **synth_env,
    )
    ckpt = _checkpoint(out)
    assert (ckpt / "adapter_model.safetensors").is_file()
    logged = [r for r in _logged(out) if "loss" in r]
    assert len(logged) == 2 and all(r["loss"] > 0 for r in logged)
    # DPO's own metrics: the chosen (human) and rejected (corrupted) sides were both scored
    assert all("rewards/chosen" in r and "rewards/rejected" in r for r in logged)
    args = json.loads((ckpt / "args.json").read_text())
    assert args["rlhf_type"] == "dpo" and args["dataset"] == ["scifi-cdpo-rules#6", "scifi-cdpo#4"]
