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
from swift_scifi.synth.rejection import Report, pack, read_groups, scifi_scorer
from tests.conftest import run_cli, run_swift

N, PROMPTS = 3, 2


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


def _expected(groups: dict[str, list[tuple[list[dict], str]]], min_reward: float, min_margin: float) -> dict:
    """What the packer must write, from an independent score_batch of every candidate in file order."""
    out = {}
    for gid, cands in groups.items():
        texts = list(dict.fromkeys(t for _, t in cands))
        scores = [s["writing"] for s in score_batch(texts, messages=[cands[0][0]] * len(texts))]
        best = max(range(len(texts)), key=lambda i: (scores[i], -i))
        worst = min(range(len(texts)), key=lambda i: (scores[i], -i))
        ok = scores[best] >= min_reward
        pair = ok and len(texts) > 1 and scores[best] - scores[worst] >= min_margin
        out[gid] = (
            texts[best] if ok else None,
            (texts[worst], scores[best] - scores[worst]) if pair else None,
        )
    return out


@pytest.mark.swift
def test_rejection_pack_on_real_swift_sample_output(sampled):
    tmp, cands, env = sampled
    rows = _rows(cands)
    assert len(rows) == N * PROMPTS and len({r["id"] for r in rows}) == PROMPTS
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r["id"], []).append((r["messages"][:-1], r["messages"][-1]["content"]))

    # 1) the command on the sampler's file: gibberish candidates, which the fluency gate scores (near) 0
    out = ["--sft", str(tmp / "sft.jsonl"), "--dpo", str(tmp / "dpo.jsonl"), "--min-reward", "0"]
    run_cli(["rejection-pack", str(cands), *out])
    rep = json.loads((tmp / "sft.report.json").read_text())
    sft, dpo = _rows(tmp / "sft.jsonl"), _rows(tmp / "dpo.jsonl")
    want = _expected(groups, 0.0, 0.1)
    assert (rep["prompts"], rep["candidates"]) == (
        PROMPTS,
        len({(g, t) for g, c in groups.items() for _, t in c}),
    )
    assert {r["id"]: r["messages"][-1]["content"] for r in sft} == {g: w[0] for g, w in want.items()}
    assert {r["id"]: r["rejected_response"] for r in dpo} == {g: w[1][0] for g, w in want.items() if w[1]}
    assert rep["dropped_by_reason"].get("dpo: margin below the minimum", 0) == sum(
        not w[1] for w in want.values()
    )
    for row in sft:
        assert row["messages"][:-1] == groups[row["id"]][0][0] and row["n_candidates"] <= N
    # the default --min-reward 0.5 keeps no gibberish at all
    default_sft, _, rep = pack(read_groups(cands.read_text().splitlines(), Report()), scifi_scorer())
    assert default_sft == [] and rep.dropped["sft: best below the minimum reward"] == PROMPTS

    # 2) a second shard holding each prompt's own (human) answer: it wins and pairs with the worst gibberish;
    # a margin between the smallest and largest margins refuses some pairs
    refs = {r["messages"][1]["content"]: r["messages"][-1]["content"] for r in build_rows(
        "scifi-rag", BuildConfig.from_env(max_tokens=int(env["SCIFI_MAX_TOKENS"]),
                                          tokenizer=env.get("SCIFI_TOKENIZER")))}  # fmt: skip
    shard = []
    for gid, cands_ in groups.items():
        human = refs[cands_[0][0][1]["content"]]
        groups[gid] = [*cands_, (cands_[0][0], human)]
        shard.append(
            json.dumps({"id": gid, "messages": [*cands_[0][0], {"role": "assistant", "content": human}]})
        )
    margins = sorted(max(0.0, s) for s in (w[1][1] for w in _expected(groups, 0.5, 0.0).values() if w[1]))
    assert len(margins) == PROMPTS and margins[0] > 0.5  # human prose beats gibberish on every prompt
    cut = (margins[0] + margins[-1]) / 2 if margins[0] < margins[-1] else margins[0] + 1e-3
    sft, dpo, rep = pack(
        read_groups([*cands.read_text().splitlines(), *shard], Report()), scifi_scorer(), min_margin=cut
    )
    want = _expected(groups, 0.5, cut)
    assert rep.candidates == len({(g, t) for g, c in groups.items() for _, t in c})
    assert [r["messages"][-1]["content"] for r in sft] == [refs[r["messages"][1]["content"]] for r in sft]
    assert len(sft) == PROMPTS and {r["id"]: r["rejected_response"] for r in dpo} == {
        g: w[1][0] for g, w in want.items() if w[1]
    }
    assert 0 < len(dpo) < PROMPTS or margins[0] == margins[-1]
    assert rep.dropped["dpo: margin below the minimum"] == PROMPTS - len(dpo)
    for pair in dpo:  # ms-swift's DPO row format: messages ending in the chosen turn + rejected_response
        assert pair["margin"] >= cut and pair["messages"][-1]["role"] == "assistant"


def test_rejection_pack_refuses_an_unknown_reward_and_empty_input(tmp_path):
    from typer.testing import CliRunner

    from swift_scifi.cli import app

    empty = tmp_path / "e.jsonl"
    empty.write_text("{oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rejection-pack", str(empty), "--sft", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 1 and "no usable sample rows" in result.output and "not JSON" in result.output
    args = ["rejection-pack", str(empty), "--sft", str(tmp_path / "s.jsonl"), "--reward", "nope"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "unknown reward" in result.output
    assert not (tmp_path / "s.jsonl").exists()


def test_rejection_pack_merges_shards_by_id(tmp_path):
    """Candidates of one prompt spread over two shard files (e.g. --data_range runs) form one group."""
    from typer.testing import CliRunner

    from swift_scifi.cli import app
    from tests.synth.test_cdpo_rules import EN

    (tmp_path / "a.jsonl").write_text(
        _line("Continue.", "zxq vbn qwp lkj mnb", "g1") + "\n", encoding="utf-8"
    )
    (tmp_path / "b.jsonl").write_text(_line("Continue.", EN, "g1") + "\n", encoding="utf-8")
    sft, dpo = tmp_path / "s.jsonl", tmp_path / "d.jsonl"
    args = [
        "rejection-pack",
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "b.jsonl"),
        "--sft",
        str(sft),
        "--dpo",
        str(dpo),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rep = json.loads((tmp_path / "s.report.json").read_text())
    assert (rep["prompts"], rep["candidates"], rep["sft_rows"], rep["dpo_pairs"]) == (1, 2, 1, 1)
    page = (tmp_path / "s.report.html").read_text()  # the same report as a page with plots
    assert "rejection-pack: quality report" in page and page.count("<img") >= 1 and "data:image/png" in page
    assert _rows(sft)[0]["messages"][-1]["content"] == EN
    assert _rows(dpo)[0]["rejected_response"] == "zxq vbn qwp lkj mnb" and _rows(dpo)[0]["margin"] > 0.5
