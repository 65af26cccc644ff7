"""`swift-scifi launch`: the printed command, and one real CPU `swift sft` of the LoRA preset."""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from swift_scifi import plugin_path
from swift_scifi.presets.launch import (
    PresetError,
    build_command,
    configs_dir,
    preset_names,
    read_launch_header,
    resolve_preset,
)
from tests.conftest import REPO, SWIFT_FLAGS_TINY, run_cli, subprocess_env


def test_dry_run_prints_the_exact_command_and_runs_nothing(tmp_path):
    out = tmp_path / "never"
    proc = run_cli(
        ["launch", "qwen3-32b-megatron-full", "--dry-run", "--output_dir", str(out), "--lr", "2e-5"]
    )
    argv = shlex.split(proc.stdout.strip().splitlines()[0])
    assert argv[0].endswith("megatron") and argv[1] == "sft"
    assert argv[2] == str(REPO / "configs" / "qwen3-32b-megatron-full.yaml")
    assert argv[3:] == ["--external_plugins", plugin_path(), "--output_dir", str(out), "--lr", "2e-5"]
    assert not out.exists()


def test_every_preset_launches_by_name_with_the_absolute_plugin_path():
    names = preset_names()
    assert len(names) == len(list(configs_dir().rglob("*.yaml"))) >= 17
    assert {"deploy/vllm", "deploy/transformers", "export/awq-4bit", "export/merge-lora"} <= set(names)
    for name in names:
        program, sub = read_launch_header(resolve_preset(name))
        cmd = build_command(name)
        assert Path(cmd[0]).name == program and cmd[1] == sub and Path(cmd[2]).is_absolute()
        assert cmd[3:5] == ["--external_plugins", plugin_path()] and Path(cmd[4]).is_file()
        assert "plugins/scifi_plugin.py" not in resolve_preset(name).read_text()


def test_launch_help_lists_presets_and_runs_from_another_folder(tmp_path):
    help_text = run_cli(["launch", "--help"], cwd=tmp_path, COLUMNS="200").stdout
    assert all(name in help_text for name in preset_names())
    proc = run_cli(["launch", "export/awq-4bit", "--dry-run", "--model", "m"], cwd=tmp_path)
    argv = shlex.split(proc.stdout.strip().splitlines()[0])
    assert argv[1:3] == ["export", str(configs_dir() / "export" / "awq-4bit.yaml")]
    assert argv[3:] == ["--external_plugins", plugin_path(), "--model", "m"]


def test_user_plugins_are_kept_beside_ours():
    cmd = build_command("qwen3-8b-lora", ["--external_plugins", "mine.py", "--max_steps", "1"])
    assert cmd[3:] == ["--external_plugins", plugin_path(), "mine.py", "--max_steps", "1"]


def test_preset_without_header_or_unknown_is_rejected(tmp_path):
    bare = tmp_path / "bare.yaml"
    bare.write_text("model: x\n")
    with pytest.raises(PresetError, match="# launch: swift sft"):
        read_launch_header(bare)
    proc = run_cli(["launch", "no-such-preset", "--dry-run"], check=False)
    assert proc.returncode != 0 and "preset not found" in proc.stderr


@pytest.mark.swift
def test_lora_preset_runs_for_real_on_cpu(tiny_model, tmp_path):
    """The shipped YAML, launched by name from a folder outside the checkout, loads in ms-swift: its values
    reach args.json, CLI flags override it, and the scifi plugin path filled in by `launch` registers the real
    scifi-chapter-gen dataset."""
    out = tmp_path / "out"
    proc = run_cli(
        [
            "launch",
            "qwen3-8b-lora",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--dataset",
            "scifi-chapter-gen:en#8",
            "--max_length",
            "384",
            "--max_steps",
            "1",
            "--gradient_accumulation_steps",
            "1",
            "--save_steps",
            "1",
            "--eval_steps",
            "1",
            "--split_dataset_ratio",
            "0",
            "--report_to",
            "none",
            "--dataloader_num_workers",
            "0",
            "--dataset_num_proc",
            "1",
            "--torch_dtype",
            "float32",
            "--output_dir",
            str(out),
        ],
        cwd=tmp_path,
        CUDA_VISIBLE_DEVICES="",
        SCIFI_MAX_TOKENS="384",
        SCIFI_TOKENIZER=str(tiny_model),
    )
    first = shlex.split(proc.stdout.splitlines()[0])  # the command is printed before anything else
    assert first[0].endswith("swift") and first[1:3] == ["sft", str(REPO / "configs" / "qwen3-8b-lora.yaml")]
    ckpt = sorted(out.glob("v*/checkpoint-*"))[-1]
    assert (ckpt / "adapter_model.safetensors").is_file()
    args = json.loads((ckpt / "args.json").read_text())
    assert args["lora_rank"] == 16 and args["lora_alpha"] == 32 and args["learning_rate"] == 1e-4  # from YAML
    assert args["max_length"] == 384 and args["dataset"] == ["scifi-chapter-gen:en#8"]  # overridden
    assert args["external_plugins"] == [plugin_path()]


def test_plan_and_launch_modules_import_light():
    code = (
        "import sys, swift_scifi.cli, swift_scifi.presets.schema, swift_scifi.presets.planner, "
        "swift_scifi.presets.render, swift_scifi.presets.launch\n"
        "heavy = [m for m in ('torch', 'swift', 'megatron', 'transformer_engine', 'vllm') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
