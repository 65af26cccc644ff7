"""Read a Hugging Face ``config.json`` into the architecture numbers the planner needs, and count parameters.

Counts are exact for Qwen2/Qwen3/Llama-style decoders (RMSNorm, gated SiLU MLP, GQA, optional q/k norm and
MoE with optional shared expert). Units: parameter counts are plain numbers (not billions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

_SAMPLES = Path(__file__).resolve().parent.parent / "data" / "model_configs"


class ModelConfigError(ValueError):
    """A config.json lacks a field the planner needs, or holds an impossible value."""


@dataclass(frozen=True)
class ModelSpec:
    """Architecture of a decoder-only transformer, as read from ``config.json``."""

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int  # dense MLP intermediate size
    vocab: int
    tied_embeddings: bool = False
    qk_norm: bool = False
    qkv_bias: bool = False
    experts: int = 0  # routed experts per MoE layer; 0 for a dense model
    experts_per_token: int = 0
    moe_ffn: int = 0  # intermediate size of one routed expert
    shared_expert_ffn: int = 0  # intermediate size of the shared expert (0: none)
    moe_layers: int = 0  # how many of ``layers`` are MoE layers
    gated_mlp: bool = True  # SwiGLU (gate, up, down); False: GPT-style two-matrix MLP
    dropout: bool = False  # attention/hidden dropout active in training (GPT-3 style); Qwen3: False

    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    def attention_params(self) -> int:
        """Parameters of one attention block: q/k/v/o projections, biases, q/k norms, input norm."""
        proj = self.hidden * (self.q_dim + 2 * self.kv_dim) + self.q_dim * self.hidden
        bias = (self.q_dim + 2 * self.kv_dim) if self.qkv_bias else 0
        norms = self.hidden + (2 * self.head_dim if self.qk_norm else 0)
        return proj + bias + norms

    def dense_mlp_params(self) -> int:
        """Gated MLP (gate, up, down) or plain MLP (up, down), plus its pre-norm."""
        return (3 if self.gated_mlp else 2) * self.hidden * self.ffn + self.hidden

    def expert_params(self) -> int:
        """One routed expert (gate, up, down)."""
        return 3 * self.hidden * self.moe_ffn

    def moe_nonexpert_params(self) -> int:
        """Router, shared expert (with its gate) and pre-norm of one MoE layer: replicated, not EP-sharded."""
        shared = 3 * self.hidden * self.shared_expert_ffn + (self.hidden if self.shared_expert_ffn else 0)
        return self.hidden * self.experts + shared + self.hidden

    def embedding_params(self) -> int:
        return self.vocab * self.hidden

    def total_params(self) -> int:
        """All parameters of the model, embeddings included (the output layer counted once when tied)."""
        dense_layers = self.layers - self.moe_layers
        moe = self.moe_layers * (self.moe_nonexpert_params() + self.experts * self.expert_params())
        per_attn = self.layers * self.attention_params()
        outputs = 1 if self.tied_embeddings else 2
        return (
            per_attn
            + dense_layers * self.dense_mlp_params()
            + moe
            + outputs * self.embedding_params()
            + self.hidden
        )


def _require(cfg: dict, *keys: str) -> int:
    for key in keys:
        if cfg.get(key) is not None:
            return cfg[key]
    raise ModelConfigError(f"config.json has none of {keys}")


def _moe_layer_count(cfg: dict, layers: int) -> int:
    step = int(cfg.get("decoder_sparse_step") or 1)
    dense_only = set(cfg.get("mlp_only_layers") or [])
    first_dense = int(cfg.get("first_k_dense_replace") or 0)
    return sum(1 for i in range(layers) if (i + 1) % step == 0 and i not in dense_only and i >= first_dense)


def _shared_expert_ffn(cfg: dict) -> int:
    """Qwen-MoE names the shared expert's size; DeepSeek/GLM-MoE give a count of expert-sized shared experts."""
    if cfg.get("shared_expert_intermediate_size"):
        return int(cfg["shared_expert_intermediate_size"])
    return int(cfg.get("n_shared_experts") or 0) * int(cfg.get("moe_intermediate_size") or 0)


def spec_from_dict(cfg: dict, name: str = "model") -> ModelSpec:
    """Build a :class:`ModelSpec` from a parsed ``config.json`` (``text_config`` is used when present)."""
    cfg = cfg.get("text_config") or cfg
    layers = int(_require(cfg, "num_hidden_layers", "n_layer", "num_layers"))
    hidden = int(_require(cfg, "hidden_size", "n_embd", "d_model"))
    heads = int(_require(cfg, "num_attention_heads", "n_head"))
    kv_heads = int(cfg.get("num_key_value_heads") or heads)
    head_dim = int(cfg.get("head_dim") or hidden // heads)
    experts = int(cfg.get("num_experts") or cfg.get("n_routed_experts") or cfg.get("num_local_experts") or 0)
    if min(layers, hidden, heads, kv_heads, head_dim) <= 0 or heads % kv_heads:
        raise ModelConfigError(
            f"impossible architecture: layers={layers} hidden={hidden} heads={heads} kv={kv_heads}"
        )
    model_type = str(cfg.get("model_type", ""))
    return ModelSpec(
        name=name,
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        ffn=int(_require(cfg, "intermediate_size", "ffn_dim", "n_inner")),
        vocab=int(_require(cfg, "vocab_size")),
        tied_embeddings=bool(cfg.get("tie_word_embeddings", False)),
        qk_norm=model_type.startswith("qwen3"),
        qkv_bias=bool(cfg.get("attention_bias", model_type.startswith("qwen2"))),
        experts=experts,
        experts_per_token=int(cfg.get("num_experts_per_tok") or 0) if experts else 0,
        moe_ffn=int(cfg.get("moe_intermediate_size") or 0) if experts else 0,
        shared_expert_ffn=_shared_expert_ffn(cfg) if experts else 0,
        moe_layers=_moe_layer_count(cfg, layers) if experts else 0,
    )


def read_model_config(path: str | Path) -> ModelSpec:
    """Read ``config.json`` (or a model folder holding one) into a :class:`ModelSpec`."""
    path = Path(path)
    if path.is_dir():
        path = path / "config.json"
    if not path.is_file():
        raise ModelConfigError(f"model config not found: {path}")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelConfigError(f"{path} is not valid JSON: {exc}") from exc
    name = path.stem if path.name != "config.json" else path.parent.name
    return spec_from_dict(cfg, name=name)


def bundled_configs() -> list[str]:
    """Names of the shipped sample configs (``Qwen3-8B``, ``Qwen3-30B-A3B``, ...)."""
    return sorted(p.stem for p in _SAMPLES.glob("*.json"))


def resolve_model_config(arg: str | Path) -> Path:
    """A ``--model-config`` value: an existing file or folder, else the name of a shipped sample config."""
    path = Path(arg)
    if path.exists():
        return path
    if (_SAMPLES / f"{arg}.json").is_file():
        return _SAMPLES / f"{arg}.json"
    raise ModelConfigError(
        f"model config not found: {arg} (not a file or folder, and not a shipped config: {bundled_configs()})"
    )


def hub_id(path: str | Path) -> str | None:
    """The hub id a config names in ``_name_or_path`` when it looks like ``org/name``; else None."""
    path = Path(path)
    if path.is_dir():
        path = path / "config.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("_name_or_path")
    except (OSError, json.JSONDecodeError):
        return None
    if isinstance(value, str) and value.count("/") == 1 and not value.startswith(("/", ".")):
        return value
    return None


def sample_config(name: str) -> Path:
    """Path of a shipped sample ``config.json`` (see :func:`bundled_configs`)."""
    path = _SAMPLES / f"{name}.json"
    if not path.is_file():
        raise ModelConfigError(f"no sample config {name!r}; shipped: {bundled_configs()}")
    return path
