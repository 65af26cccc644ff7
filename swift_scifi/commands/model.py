"""``swift-scifi make-tiny-model DIR``: the offline tiny Qwen3 for tests and the CPU quickstart."""

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("make-tiny-model")
    def make_tiny_model(
        out_dir: Path = typer.Argument(..., help="Folder to write the model into (created if missing)."),
        corpus: Path = typer.Option(
            None,
            help="Corpus (.txt, folder, .jsonl) to train the tokenizer on. "
            "Default: the sample shipped in the package.",
        ),
        vocab_size: int = typer.Option(6000, help="BPE vocabulary size before special tokens."),
        seed: int = typer.Option(0, help="Seed of the random weights."),
        layers: int = typer.Option(
            2, min=1, help="Decoder layers (GPTQ export through ms-swift needs at least 10)."
        ),
    ) -> None:
        """Write a randomly initialised Qwen3-architecture model with a corpus-trained BPE tokenizer."""
        from swift_scifi.model.tiny import TinyConfig
        from swift_scifi.model.tiny import make_tiny_model as _make

        texts = None
        if corpus is not None:
            from swift_scifi.datasets.corpus import read_corpus

            texts = [b.text for b in read_corpus(corpus)]
        path = _make(out_dir, texts, TinyConfig(vocab_size=vocab_size, seed=seed, num_hidden_layers=layers))
        typer.echo(f"tiny model written to {path}")
        typer.echo(f"use it with: --model {path} --model_type qwen3 --template qwen3_nothinking")
        typer.echo(
            "  training (swift sft / swift rlhf) may add --check_model false to skip the model-file check; "
            "swift deploy, export and infer do not accept that flag"
        )
