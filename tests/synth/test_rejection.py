"""Rejection sampling: ``swift sample`` generates the candidates (one real run on the tiny model, every candidate
written), ``swift-scifi rejection-pack`` scores them with a scifi_* reward and keeps the best as SFT rows and
best vs worst as DPO pairs with a minimum margin, counting every drop. The tiny model writes gibberish, so the
assertions are on the packing logic and the counts, not on quality."""

from __future__ import annotations

import json

import pytest

import swift_scifi
from swift_scifi.datasets.build import build_rows
from swift_scifi.datasets.config import BuildConfig
from swift_scifi.rewards import score_batch
from swift_scifi.synth.rejection import Report, pack, read_groups
from tests.conftest import run_cli, run_swift

N, PROMPTS = 4, 3


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _line(prompt: str, answer: str, rid: str | None = None, **extra) -> str:
    row = {
        "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
        **extra,
    }
    if rid:
        row["id"] = rid
    return json.dumps(row, ensure_ascii=False)


def _fixed(table: dict[str, float | None]):
    return lambda texts, prompts: [table[t] for t in texts]


def test_groups_candidates_by_id_and_counts_bad_rows():
    report = Report()
    lines = [
        _line("p1", "a", "x", dataset="d"),
        _line("p1", "b", "x"),
        _line("p1", "a", "x"),  # duplicate candidate: once
        json.dumps(
            {
                "messages": [{"role": "user", "content": "p1"}, {"role": "assistant", "content": "c"}],
                "id": "x",
                "rejected_response": "d",
            }
        ),  # fmt: skip
        _line("p2", "  ", "y"),  # empty candidate: counted, its group has none
        "{not json",
        json.dumps({"messages": [{"role": "user", "content": "p3"}]}),  # no assistant turn
        _line("p4", "e"),  # no id: grouped by prompt
        _line("p4", "f"),
        "",
    ]
    groups = read_groups(lines, report)
    assert [(g.key, g.candidates) for g in groups if g.candidates][0] == ("x", ["a", "b", "c", "d"])
    assert groups[0].extra == {"dataset": "d"} and groups[-1].candidates == ["e", "f"]
    assert report.rows_read == 9
    assert report.skipped_rows == {
        "empty candidate": 1,
        "not JSON": 1,
        "no messages ending in an assistant turn": 1,
    }


def test_pack_keeps_the_best_and_pairs_it_with_the_worst_above_a_margin():
    lines = [_line("p1", t, "g1") for t in ("a", "b", "c")]
    lines += [_line("p2", t, "g2") for t in ("d", "e")]  # margin 0.05: no pair
    lines += [_line("p3", t, "g3") for t in ("f", "g")]  # best below min_reward
    lines += [_line("p4", "h", "g4")]  # one candidate: SFT only
    lines += [_line("p5", t, "g5") for t in ("i", "j")]  # no reward applies
    lines += [_line("p6", t, "g6") for t in ("k", "l", "m")]  # tie for best: the earlier wins
    table = {"a": 0.5, "b": 0.9, "c": 0.2, "d": 0.6, "e": 0.55, "f": 0.1, "g": 0.05, "h": 0.7, "i": None,
             "j": None, "k": 0.4, "l": 0.8, "m": 0.8}  # fmt: skip
    sft, dpo, rep = pack(read_groups(lines, Report()), _fixed(table), min_reward=0.3, min_margin=0.1)
    assert [r["messages"][-1]["content"] for r in sft] == ["b", "d", "h", "l"]
    assert [(r["messages"][-1]["content"], r["rejected_response"], r["margin"]) for r in dpo] == [
        ("b", "c", 0.7),
        ("l", "k", 0.4),
    ]
    assert dpo[0]["messages"][:-1] == [{"role": "user", "content": "p1"}] and dpo[0]["n_candidates"] == 3
    assert rep.as_dict()["dropped_by_reason"] == {
        "sft: best below the minimum reward": 1,
        "dpo: best below the minimum reward": 1,
        "sft: no candidate with a reward": 1,
        "dpo: no candidate with a reward": 1,
        "dpo: margin below the minimum": 1,
        "dpo: fewer than 2 scored candidates": 1,
    }
    d = rep.as_dict()
    assert (d["prompts"], d["candidates"], d["sft_rows"], d["dpo_pairs"]) == (6, 13, 4, 2)
    assert d["scored_candidates_per_prompt"] == {"0": 1, "1": 1, "2": 2, "3": 2}


@pytest.fixture(scope="module")
def sampled(tiny_model, tmp_path_factory):
    """`swift sample` without an ORM: every candidate of every prompt is written, grouped by ``id``."""
    tmp = tmp_path_factory.mktemp("sample")
    env = {"SCIFI_MAX_TOKENS": "640", "SCIFI_TOKENIZER": str(tiny_model)}
    run_swift(
        [
            "sample",
            "--model", str(tiny_model),
            "--model_type", "qwen3",
            "--template", "qwen3_nothinking",
            "--engine_kwargs", json.dumps({"template_type": "qwen3_nothinking"}),
            "--external_plugins", swift_scifi.plugin_path(),
            "--dataset", f"scifi-rag#{PROMPTS}",
            "--sampler_engine", "transformers",
            "--num_return_sequences", str(N),
            "--max_new_tokens", "24",
            "--temperature", "1.0",
            "--max_length", "640",
            "--output_dir", str(tmp / "out"),
            "--output_file", "candidates.jsonl",
        ],
        cwd=tmp,
        **env,
    )  # fmt: skip
    return tmp, tmp / "out" / "candidates.jsonl", env


@pytest.mark.swift
def test_rejection_pack_on_real_swift_sample_output(sampled):
    tmp, cands, env = sampled
    rows = _rows(cands)
    ids = {r["id"] for r in rows}
    assert len(rows) == N * PROMPTS and len(ids) == PROMPTS
    # 1) the sampler's candidates alone: gibberish, which the fluency gate scores 0 -> all tie, no pair
    out = ["--sft", str(tmp / "sft.jsonl"), "--dpo", str(tmp / "dpo.jsonl")]
    run_cli(["rejection-pack", str(cands), *out])  # default --min-reward 0.5: nothing kept
    rep = json.loads((tmp / "sft.report.json").read_text())
    assert (rep["sft_rows"], rep["dpo_pairs"]) == (0, 0) and rep["dropped_by_reason"] == {
        "sft: best below the minimum reward": PROMPTS,
        "dpo: best below the minimum reward": PROMPTS,
    }
    run_cli(["rejection-pack", str(cands), *out, "--min-reward", "0"])
    rep = json.loads((tmp / "sft.report.json").read_text())
    sft = _rows(tmp / "sft.jsonl")
    assert (rep["prompts"], rep["candidates"], rep["sft_rows"], rep["dpo_pairs"]) == (
        PROMPTS,
        N * PROMPTS,
        3,
        0,
    )
    for row in sft:
        group = [r for r in rows if r["id"] == row["id"]]
        texts = [r["messages"][-1]["content"] for r in group]
        scores = [s["writing"] for s in score_batch(texts, messages=[r["messages"][:-1] for r in group])]
        assert row["reward"] == round(max(scores), 4)
        assert row["messages"][-1]["content"] == texts[scores.index(max(scores))]  # first of the best
        assert row["messages"][:-1] == group[0]["messages"][:-1]
    assert rep["dropped_by_reason"] == {"dpo: margin below the minimum": PROMPTS}
    assert _rows(tmp / "dpo.jsonl") == []

    # 2) with a second shard holding each prompt's own (human) answer, that answer wins and pairs with a
    # gibberish candidate; one pair is refused by a margin set between the smallest and largest margins
    refs = {r["messages"][1]["content"]: r["messages"][-1]["content"] for r in build_rows(
        "scifi-rag", BuildConfig.from_env(max_tokens=640, tokenizer=env["SCIFI_TOKENIZER"]))}  # fmt: skip
    shard = tmp / "reference.jsonl"
    firsts = {r["id"]: r for r in rows}
    shard.write_text(
        "".join(
            json.dumps(
                {
                    **r,
                    "messages": [
                        *r["messages"][:-1],
                        {"role": "assistant", "content": refs[r["messages"][1]["content"]]},
                    ],
                },
                ensure_ascii=False,
            )
            + "\n"
            for r in firsts.values()
        ),  # fmt: skip
        encoding="utf-8",
    )
    human = score_batch(
        [refs[r["messages"][1]["content"]] for r in firsts.values()],
        messages=[r["messages"][:-1] for r in firsts.values()],
    )
    margins = sorted(s["writing"] for s in human)
    assert margins[0] > 0
    cut = (margins[0] + margins[-1]) / 2 if margins[0] < margins[-1] else margins[0] + 1e-3
    run_cli(
        [
            "rejection-pack",
            str(cands),
            str(shard),
            "--sft",
            str(tmp / "sft2.jsonl"),
            "--dpo",
            str(tmp / "dpo2.jsonl"),
            "--min-margin",
            str(cut),
        ]  # fmt: skip
    )
    rep = json.loads((tmp / "sft2.report.json").read_text())
    sft, dpo = _rows(tmp / "sft2.jsonl"), _rows(tmp / "dpo2.jsonl")
    assert rep["candidates"] == (N + 1) * PROMPTS and rep["sft_rows"] == PROMPTS
    assert all(r["messages"][-1]["content"] == refs[r["messages"][1]["content"]] for r in sft)
    kept = sum(m >= cut for m in margins)
    assert (
        rep["dpo_pairs"] == len(dpo) == kept
        and rep["dropped_by_reason"].get("dpo: margin below the minimum", 0) == PROMPTS - kept
    )
    gib = {r["messages"][-1]["content"] for r in rows}
    for pair in dpo:  # ms-swift's DPO row format: messages ending in the chosen turn + rejected_response
        assert pair["rejected_response"] in gib and pair["margin"] >= cut and pair["reward_rejected"] == 0.0
        assert pair["messages"][-1]["role"] == "assistant"


def test_rejection_pack_refuses_an_unknown_reward_and_empty_input(tmp_path):
    empty = tmp_path / "e.jsonl"
    empty.write_text("{oops\n", encoding="utf-8")
    proc = run_cli(["rejection-pack", str(empty), "--sft", str(tmp_path / "s.jsonl")], check=False)
    assert proc.returncode == 1 and "no usable sample rows" in proc.stderr and "not JSON" in proc.stderr
    proc = run_cli(
        ["rejection-pack", str(empty), "--sft", str(tmp_path / "s.jsonl"), "--reward", "nope"], check=False
    )
    assert proc.returncode == 2 and "unknown reward" in proc.stderr
