"""Build a randomly initialised Qwen3-architecture model with a BPE tokenizer trained on the corpus.

The result loads in ms-swift with ``--model DIR --model_type qwen3 --template qwen3_nothinking``.
Hidden and intermediate sizes are multiples of 128, as AWQ's group size needs. Nothing is downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Qwen's chat special tokens, in Qwen's order (ids right after the BPE vocabulary).
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]
# Qwen2's pre-tokenizer split: contractions, letters, single digits, punctuation runs, newlines, spaces.
_QWEN_SPLIT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


@dataclass(frozen=True)
class TinyConfig:
    """Sizes of the tiny model. ``hidden_size`` and ``intermediate_size`` must be multiples of 128."""

    vocab_size: int = 6000  # BPE merges target; special tokens are added on top
    hidden_size: int = 128
    intermediate_size: int = 256
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    head_dim: int = 32
    max_position_embeddings: int = 4096
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("hidden_size", "intermediate_size"):
            if getattr(self, name) % 128:
                raise ValueError(f"{name}={getattr(self, name)} must be a multiple of 128 (AWQ group size)")


def train_tokenizer(texts: Iterable[str], vocab_size: int):
    """Byte-level BPE in Qwen2's style, trained on ``texts``; returns a ``tokenizers.Tokenizer``."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_QWEN_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def make_tiny_model(
    out_dir: str | Path, texts: Iterable[str] | None = None, config: TinyConfig | None = None
) -> Path:
    """Write the tiny model (safetensors, config, tokenizer) to ``out_dir`` and return the path.

    ``texts`` trains the tokenizer; by default the corpus sample shipped in the package.
    """
    import torch
    from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM

    cfg = config or TinyConfig()
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    if texts is None:
        from swift_scifi.datasets.corpus import read_corpus, sample_corpus_path

        texts = [book.text for book in read_corpus(sample_corpus_path())]
    bpe = train_tokenizer(texts, cfg.vocab_size)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=cfg.max_position_embeddings,
    )
    tokenizer.save_pretrained(out)
    _mark_qwen_tokenizer(out)

    torch.manual_seed(cfg.seed)
    model_config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_hidden_layers,
        num_attention_heads=cfg.num_attention_heads,
        num_key_value_heads=cfg.num_key_value_heads,
        head_dim=cfg.head_dim,
        max_position_embeddings=cfg.max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        torch_dtype="float32",
    )
    model = Qwen3ForCausalLM(model_config)
    model.generation_config.eos_token_id = [
        model_config.eos_token_id,
        tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    ]
    model.generation_config.pad_token_id = model_config.pad_token_id
    model.save_pretrained(out, safe_serialization=True)
    return out


def _mark_qwen_tokenizer(out: Path) -> None:
    """Point tokenizer_config.json at Qwen2's tokenizer class, so loaders treat it as Qwen's."""
    path = out / "tokenizer_config.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["tokenizer_class"] = "Qwen2Tokenizer"
    data["add_bos_token"] = False
    data["clean_up_tokenization_spaces"] = False
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
