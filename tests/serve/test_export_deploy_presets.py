"""Every export/deploy preset names only real ms-swift arguments, and the GPU ones pick the GPU engines.
(The CPU presets also run for real in test_serve_e2e.py; vLLM and lmdeploy need a GPU, so here they are
checked against ms-swift's argument dataclasses only.)"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CONFIGS = REPO / "configs"
PRESETS = sorted((CONFIGS / "export").glob("*.yaml")) + sorted((CONFIGS / "deploy").glob("*.yaml"))


def _arguments(kind: str) -> set[str]:
    from swift.arguments import DeployArguments, ExportArguments

    return {f.name for f in fields(ExportArguments if kind == "export" else DeployArguments)}


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_preset_keys_are_ms_swift_arguments(preset: Path):
    config = yaml.safe_load(preset.read_text())
    unknown = set(config) - _arguments(preset.parent.name) - {"ENV"}
    assert not unknown, f"{preset.name}: not ms-swift {preset.parent.name} arguments: {sorted(unknown)}"
    usage = preset.read_text().splitlines()[:6]
    assert usage[0] == f"# launch: swift {preset.parent.name}"
    assert any(f"swift-scifi launch {preset.parent.name}/{preset.stem}" in line for line in usage)


def test_presets_cover_the_chain():
    export = {p.stem: yaml.safe_load(p.read_text()) for p in (CONFIGS / "export").glob("*.yaml")}
    deploy = {p.stem: yaml.safe_load(p.read_text()) for p in (CONFIGS / "deploy").glob("*.yaml")}
    assert export["merge-lora"]["merge_lora"] is True
    for name, method in (("awq-4bit", "awq"), ("gptq-4bit", "gptq")):
        assert (export[name]["quant_method"], export[name]["quant_bits"]) == (method, 4)
        assert export[name]["dataset"] == ["scifi-calib"]
    assert export["bnb-4bit"]["quant_method"] == "bnb"
    assert {d["infer_backend"] for d in deploy.values()} == {"vllm", "lmdeploy", "transformers"}
    assert all(d["host"] == "127.0.0.1" for d in deploy.values())
