"""Every shipped preset against ms-swift 4.6's own argument dataclasses, and against the planner."""

from pathlib import Path

import pytest
import yaml

from swift_scifi.presets.launch import configs_dir, read_launch_header
from swift_scifi.presets.layouts import layout_from_args, violations
from swift_scifi.presets.memory import estimate_megatron, optimizer_from_args
from swift_scifi.presets.model_config import read_model_config, sample_config
from swift_scifi.presets.planner import DEFAULT_MARGIN
from swift_scifi.presets.schema import fields_for, megatron_fields, preset_problems, value_matches

PRESETS = sorted(configs_dir().glob("*.yaml"))
REWARDS = {
    "scifi_term_consistency",
    "scifi_principles",
    "scifi_length",
    "scifi_repetition",
    "scifi_slop",
    "scifi_writing",
    "scifi_format",
    "scifi_fluency",
}
DATASETS = {"scifi-chapter-gen", "scifi-writing-tasks", "scifi-grpo-prompts"}
GPU_GIB = 80.0  # every Megatron preset targets 80 GB cards


def _cfg(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_presets_cover_the_issue():
    kinds = {read_launch_header(p) for p in PRESETS}
    assert {("swift", "sft"), ("swift", "rlhf"), ("swift", "rollout"), ("megatron", "sft")} <= kinds
    cfgs = [_cfg(p) for p in PRESETS]
    assert any(c.get("quant_method") == "bnb" and c.get("quant_bits") == 4 for c in cfgs)
    assert {c.get("vllm_mode") for c in cfgs} >= {"colocate", "server"}
    assert any(c.get("expert_model_parallel_size", 1) > 1 for c in cfgs)
    assert any(c.get("context_parallel_size", 1) > 1 and c["ENV"].get("NNODES", 1) > 1 for c in cfgs)
    assert {c.get("tuner_type") for c in cfgs if "tensor_model_parallel_size" in c} == {"full", "lora"}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_keys_are_real_ms_swift_fields_with_right_types(path):
    assert preset_problems(path) == []


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_uses_the_plugin_and_scifi_names(path):
    cfg = _cfg(path)
    # a relative plugin path breaks outside the checkout, so presets name none; `launch` adds the shim
    assert "external_plugins" not in cfg
    if read_launch_header(path)[1] != "rollout":
        assert set(cfg["dataset"]) <= DATASETS
    assert set(cfg.get("reward_funcs", [])) <= REWARDS
    if "reward_weights" in cfg:
        assert len(cfg["reward_weights"]) == len(cfg["reward_funcs"])


@pytest.mark.parametrize("path", [p for p in PRESETS if "megatron" in p.stem], ids=lambda p: p.stem)
def test_megatron_preset_layout_is_valid_and_fits_80gb(path):
    cfg = _cfg(path)
    spec = read_model_config(sample_config(cfg["model"].split("/")[-1]))
    layout, cluster = layout_from_args(cfg)
    assert cluster.world % (layout.tp * layout.pp * layout.cp) == 0
    assert (
        violations(spec, cluster, layout, cfg["max_length"], cfg["global_batch_size"], cfg["tuner_type"])
        == []
    )
    assert cfg.get("sequence_parallel", False) == (layout.tp > 1)
    recompute = cfg.get("recompute_granularity") or "selective"  # ms-swift's default
    est = estimate_megatron(
        spec,
        layout,
        cfg["max_length"],
        cfg["tuner_type"],
        cfg["global_batch_size"],
        cfg.get("lora_rank", 16),
        GPU_GIB,
        micro_batch=cfg.get("micro_batch_size", 1),
        recompute=recompute,
        optimizer=optimizer_from_args(cfg),
    )
    # the planner's whole estimate (logits, MoE buffers and allocator reserve included) plus its margin
    assert est.total + DEFAULT_MARGIN * GPU_GIB <= GPU_GIB, (path.stem, est.as_dict())


def test_megatron_fields_come_from_source_without_importing_megatron():
    import sys

    fields = megatron_fields("MegatronSftArguments")
    for name in (
        "tensor_model_parallel_size",
        "pipeline_model_parallel_size",
        "context_parallel_size",
        "expert_model_parallel_size",
        "sequence_parallel",
        "decoder_last_pipeline_num_layers",
        "decoder_first_pipeline_num_layers",
        "dataset",
        "external_plugins",
        "max_length",
        "packing",
    ):
        assert name in fields
    assert "tp" not in fields and fields["tensor_model_parallel_size"] is int
    assert "swift.megatron" not in sys.modules and "megatron.core" not in sys.modules


def test_checker_rejects_wrong_names_and_types(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "# launch: megatron sft\ntp: 4\nlr: '1e-5'\nsequence_parallel: 'yes'\n"
        "recompute_granularity: partial\ndataset: [a, 3]\nENV:\n  NNODES: [1, 2]\n"
    )
    problems = preset_problems(bad)
    assert any(p.startswith("tp:") for p in problems)
    assert any(p.startswith("lr:") for p in problems)
    assert any(p.startswith("sequence_parallel:") for p in problems)
    assert any(p.startswith("recompute_granularity:") for p in problems)
    assert any(p.startswith("dataset:") for p in problems)
    assert any(p.startswith("ENV") for p in problems)


def test_value_matching_follows_ms_swift_cli_conversion():
    sft = fields_for("swift", "sft")
    assert value_matches(sft["dataset"], "x")  # a scalar becomes `--dataset x`
    assert not value_matches(sft["max_length"], [1, 2])  # a list for a scalar field would be two values
    assert value_matches(sft["deepspeed"], "zero2") and value_matches(
        sft["deepspeed"], {"zero_optimization": {}}
    )
    assert not value_matches(sft["gradient_checkpointing"], 1)


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_printed_flags_equal_ms_swift_yaml_expansion(path, monkeypatch):
    """`plan` prints a command from the same dict it writes as YAML; ms-swift's own YAML loader
    (``swift.cli.main.parse_yaml_args``) must expand the preset into exactly those flags."""
    import os

    from swift.cli.main import parse_yaml_args

    from swift_scifi.presets.render import config_flags

    before = dict(os.environ)
    monkeypatch.setattr(os, "environ", dict(before))  # parse_yaml_args writes ENV into os.environ
    argv = [str(path), "--max_steps", "1"]
    parse_yaml_args(argv)
    assert argv == [*config_flags(_cfg(path)), "--max_steps", "1"]
    for key, value in (_cfg(path).get("ENV") or {}).items():  # ENV never overrides the caller's environment
        assert os.environ[key] == before.get(key, str(value))
