"""The offline tiny model, and the build-dataset / make-tiny-model commands as a user runs them."""

import json

import pytest

from swift_scifi.model.tiny import SPECIAL_TOKENS, TinyConfig
from tests.conftest import run_cli


def test_tiny_model_is_a_qwen3_with_chat_tokens(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config = json.loads((tiny_model / "config.json").read_text())
    assert config["model_type"] == "qwen3" and config["architectures"] == ["Qwen3ForCausalLM"]
    assert config["hidden_size"] % 128 == 0 and config["intermediate_size"] % 128 == 0
    tok = AutoTokenizer.from_pretrained(tiny_model)
    for special in SPECIAL_TOKENS:
        ids = tok.encode(special, add_special_tokens=False)
        assert len(ids) == 1, special  # each chat token is one token
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    text = "曲率引擎 hummed in the Time Machine."
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text  # byte-level BPE round-trips
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert model.config.vocab_size == len(tok)
    with torch.no_grad():
        logits = model(torch.tensor([tok.encode(text)])).logits
    assert logits.shape[-1] == len(tok)


def test_tokenizer_is_trained_on_the_corpus(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    # frequent corpus words are single tokens; random byte strings are not
    assert len(tok.encode(" the", add_special_tokens=False)) == 1
    assert len(tok.encode("老残", add_special_tokens=False)) <= 2
    assert len(tok.encode("qzxjv", add_special_tokens=False)) > 1


def test_sizes_must_be_multiples_of_128():
    with pytest.raises(ValueError, match="multiple of 128"):
        TinyConfig(hidden_size=96)


def test_make_tiny_model_command(tmp_path):
    proc = run_cli(["make-tiny-model", str(tmp_path / "m"), "--vocab-size", "2000"])
    use = next(line for line in proc.stdout.splitlines() if line.startswith("use it with:"))
    assert "--model_type qwen3 --template qwen3_nothinking" in use and "--check_model" not in use
    assert "swift deploy, export and infer do not accept" in proc.stdout  # deploy rejects --check_model
    assert json.loads((tmp_path / "m" / "config.json").read_text())["vocab_size"] == 2000


def test_build_dataset_command_writes_jsonl(tmp_path, shared_corpus):
    out = tmp_path / "gp.jsonl"
    proc = run_cli(
        [
            "build-dataset",
            "scifi-grpo-prompts",
            "--corpus",
            str(shared_corpus / "en/wells_the_time_machine.txt"),
            "--max-tokens",
            "1024",
            "--out",
            str(out),
        ]
    )
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert f"wrote {len(rows)} rows" in proc.stdout and len(rows) > 30
    assert {"messages", "terms", "target_length", "lang"} <= set(rows[0])


def test_build_dataset_command_errors_are_clear(tmp_path):
    proc = run_cli(
        [
            "build-dataset",
            "scifi-chapter-gen",
            "--corpus",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "x.jsonl"),
        ],
        check=False,
    )
    assert proc.returncode == 2 and f"corpus path does not exist: {tmp_path / 'nope'}" in proc.stderr
    assert not (tmp_path / "x.jsonl").exists()  # nothing half-written
    proc = run_cli(["build-dataset", "scifi-nothing", "--out", str(tmp_path / "x.jsonl")], check=False)
    assert proc.returncode == 2 and "unknown dataset" in proc.stderr


def test_build_dataset_refuses_unknown_languages(tmp_path):
    out = tmp_path / "ja.jsonl"
    proc = run_cli(["build-dataset", "scifi-grpo-prompts", "--lang", "ja", "--out", str(out)], check=False)
    assert proc.returncode == 2 and "unsupported language 'ja'" in proc.stderr and not out.exists()


def test_cli_version_and_help_without_artefacts():
    """--version; every option of every command has help; no typer `<bool>`/`<str>`/`{name}` forms."""
    import click
    import typer
    from typer.testing import CliRunner

    from swift_scifi import __version__
    from swift_scifi.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).output.strip() == f"swift-scifi {__version__}"
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        for param in command.params:
            assert isinstance(param, click.Argument) or param.help, f"{name} {param.name}: no help"
        text = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"}).output
        for artefact in ("<bool>", "<str>", "<int>", "<path>", "<file>", "{"):
            assert artefact not in text, f"{name} --help shows {artefact!r}"
        # every paragraph of the description flows to the terminal's width (no docstring line breaks kept)
        wide = runner.invoke(app, [name, "--help"], env={"COLUMNS": "1000"}).output
        for para in (command.help or "").split("\n\n"):
            assert " ".join(para.split()) in wide, f"{name} --help breaks a paragraph's lines"
