"""A real ``swift sample --sampler_engine transformers`` (rejection sampling) on the tiny model with
``--orm_model scifi_writing``: the ORM reads each ``InferRequest`` (completion = last assistant turn, prompt
from the same request), and the rows the sampler keeps are the highest-scored, the rejected one the lowest.
On the random tiny model every generated candidate is gibberish that the fluency gate scores 0, so what is
kept is the dataset's own answer.

A local model folder needs ``--engine_kwargs '{"template_type": ...}'``: ms-swift 4.6's sampler builds its
transformers engine from the model path without ``--template`` (docs/integrations.md)."""

from __future__ import annotations

import json
import re

import pytest

import swift_scifi
from swift_scifi.rewards import score_text
from tests.conftest import run_swift

pytestmark = pytest.mark.swift

N = 3  # completions per prompt; the sampler adds the dataset's own answer as a fourth candidate


def _writing(messages: list[dict], completion: str) -> float:
    """What scifi_writing gives a candidate: the prompt is the request's system turns + last user turn."""
    return score_text(completion, prompt=messages[:-1])["writing"]


def test_swift_sample_keeps_the_highest_scifi_writing_rows(tiny_model, tmp_path):
    proc = run_swift(
        [
            "sample",
            "--model", str(tiny_model),
            "--model_type", "qwen3",
            "--template", "qwen3_nothinking",
            "--engine_kwargs", json.dumps({"template_type": "qwen3_nothinking"}),
            "--external_plugins", swift_scifi.plugin_path(),
            "--dataset", "scifi-chapter-gen#2",
            "--sampler_engine", "transformers",
            "--orm_model", "scifi_writing",
            "--num_return_sequences", str(N),
            "--n_best_to_keep", str(N + 1),  # keep every candidate but the rejected one, to see them all
            "--max_new_tokens", "24",
            "--max_length", "1024",
            "--output_dir", str(tmp_path / "out"),
            "--output_file", "sampled.jsonl",
        ],
        cwd=tmp_path,
    )  # fmt: skip
    rows = [json.loads(line) for line in (tmp_path / "out" / "sampled.jsonl").read_text().splitlines()]
    assert rows, "the sampler kept nothing (every candidate scored 0)"
    logged = [  # numpy-printed arrays: "orm:[0.99 0.   0.5 ]"
        [float(x) for x in re.findall(r"\d+\.?\d*(?:e[-+]?\d+)?", m)]
        for m in re.findall(r"orm:\[([^\]]*)\]", proc.stdout + proc.stderr)
    ]

    by_prompt: dict[str, list[dict]] = {}
    for row in rows:
        by_prompt.setdefault(row["id"], []).append(row)
    assert len(by_prompt) == 2
    for kept in by_prompt.values():
        messages = kept[0]["messages"]
        scores = [_writing(messages, r["messages"][-1]["content"]) for r in kept]
        rejected = _writing(messages, kept[0]["rejected_response"])
        # The random tiny model writes gibberish, which the fluency gate scores 0; the sampler keeps only
        # candidates above the batch minimum, so the dataset's own (human) answer survives and the
        # gibberish is dropped: rejection sampling doing its job.
        assert 1 <= len(kept) <= N
        assert all(s > 0 for s in scores)  # nothing the gate zeroed was kept
        assert scores == sorted(scores, reverse=True)  # written best first
        assert rejected <= min(scores)  # the rejected candidate is the lowest-scored
        assert max(scores) > rejected  # the ORM read the texts (empty reads all score the same)
        # the sampler's own (min-max normalised) ORM scores: exactly the kept candidates are above the minimum
        assert any(len(line) == N + 1 and sum(v > 1e-6 for v in line) == len(kept) for line in logged)
