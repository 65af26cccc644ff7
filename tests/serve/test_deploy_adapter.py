"""A LoRA adapter trained with `--external_plugins` is deployed with `swift deploy --adapters DIR` alone:
ms-swift reloads the plugin from the adapter's args.json, and the deployed adapter answers."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from tests.conftest import SWIFT_FLAGS_TINY, run_swift

from .conftest import swift_deploy

pytestmark = pytest.mark.swift

SHIM = """\
import os
import swift_scifi

swift_scifi.register()
with open({marker!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
"""


def test_deployed_adapter_reloads_plugin_from_args_json(request, tiny_model, tmp_path):
    marker = tmp_path / "plugin-imports.txt"
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    shim = shim_dir / "scifi_shim.py"
    shim.write_text(SHIM.format(marker=str(marker)))
    out = tmp_path / "lora"
    run_swift(
        [
            "sft",
            "--model",
            str(tiny_model),
            *SWIFT_FLAGS_TINY,
            "--dataset",
            "scifi-writing-tasks:en#8",
            "--external_plugins",
            str(shim),
            "--tuner_type",
            "lora",
            "--max_steps",
            "2",
            "--save_steps",
            "2",
            "--per_device_train_batch_size",
            "2",
            "--max_length",
            "384",
            "--output_dir",
            str(out),
            "--report_to",
            "none",
            "--dataloader_num_workers",
            "0",
        ],
        tmp_path,
        SCIFI_MAX_TOKENS="384",
        SCIFI_TOKENIZER=str(tiny_model),
    )
    adapter = max(out.glob("*/checkpoint-*"), key=os.path.getmtime)
    assert json.loads((adapter / "args.json").read_text())["external_plugins"] == [str(shim)]
    trained_in = set(marker.read_text().split())

    server = swift_deploy(request, tiny_model, tmp_path, "--adapters", str(adapter))
    log = server.log_text()
    assert f"Successfully imported external_plugins: ['{shim}']" in log
    assert set(marker.read_text().split()) - trained_in, "the deploy process did not import the shim"

    model = httpx.get(server.url + "/v1/models").json()["data"][0]["id"]
    reply = httpx.post(
        server.url + "/v1/chat/completions",
        timeout=60,
        json={"model": model, "messages": [{"role": "user", "content": "Begin."}], "max_tokens": 8},
    )
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"] is not None
