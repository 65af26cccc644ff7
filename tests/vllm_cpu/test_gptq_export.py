"""GPTQ export on CPU through the shipped preset: ``swift-scifi launch export/gptq-4bit`` on a 10-layer tiny model
(``make-tiny-model --layers 10``; ms-swift's GPTQ path looks for a layer list of at least 10 entries), with
``gptqmodel==7.6.0`` from .venv-vllm; the export then loads back with transformers and generates."""

from __future__ import annotations

import importlib.util
import json

import pytest
from safetensors import safe_open

from tests.conftest import run_cli
from tests.serve.conftest import TINY_TEMPLATE, swift_export

pytestmark = pytest.mark.vllm


@pytest.fixture(scope="module")
def gptq_model(tmp_path_factory):
    if importlib.util.find_spec("gptqmodel") is None:
        pytest.skip("gptqmodel did not install in .venv-vllm (examples/setup_vllm_cpu.sh prints why)")
    work = tmp_path_factory.mktemp("gptq")
    model = work / "tiny10"
    run_cli(["make-tiny-model", str(model), "--layers", "10"])
    assert json.loads((model / "config.json").read_text())["num_hidden_layers"] == 10
    out = work / "gptq"
    calib = ["--dataset", "scifi-calib:en#16", "--quant_n_samples", "16", "--max_length", "256"]
    swift_export(
        "gptq-4bit.yaml",
        "--model",
        str(model),
        *TINY_TEMPLATE,
        *calib,
        "--output_dir",
        str(out),
        model=model,
        max_tokens=224,
    )
    return out


def test_gptq_export_writes_4bit_weights(gptq_model):
    config = json.loads((gptq_model / "config.json").read_text())["quantization_config"]
    assert (config["quant_method"], config["bits"], config["group_size"]) == ("gptq", 4, 128)
    files = list(gptq_model.glob("*.safetensors"))
    keys = set()
    for path in files:
        with safe_open(str(path), "pt") as f:
            keys |= set(f.keys())
    assert any(k.endswith("self_attn.q_proj.qweight") for k in keys)
    assert any(k.endswith("mlp.down_proj.scales") for k in keys)
    assert sum(k.endswith(".qweight") for k in keys) == 10 * 7  # every linear of the 10 layers


def test_gptq_export_loads_back_and_generates(gptq_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gptq_model)
    model = AutoModelForCausalLM.from_pretrained(gptq_model, device_map="cpu")
    q_proj = model.model.layers[0].self_attn.q_proj  # a gptqmodel kernel (on CPU: TorchAtenLinear), 4-bit
    assert type(q_proj).__module__.startswith("gptqmodel") and q_proj.bits == 4, type(q_proj)
    ids = tokenizer("The drive woke.", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=8, do_sample=False)
    new = out[0, ids["input_ids"].shape[1] :]
    assert new.numel() > 0
    assert isinstance(tokenizer.decode(new, skip_special_tokens=True), str)
