"""Export of editors' judgements: DPO/KTO/SFT rows, the export-prefs command, safe paths, and real
`swift rlhf` DPO (on the exported file) and KTO (on the registered dataset read from the database) runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from swift_scifi.studio.export import check_input_path, check_output_path, export_rows, resolve_inside
from swift_scifi.studio.store import Store
from tests.conftest import SWIFT_FLAGS_TINY, run_cli, run_swift
from tests.studio.postgres import postgres_server  # noqa: F401  (fixture)

EN = "The station hummed. Mara counted the seconds until the hull would breach, and the coolant froze."
ZH = "空间站低声轰鸣。玛拉数着船体破裂前的秒数，冷却液在管道里结了冰。"


def populate(store: Store) -> dict[str, int]:
    """Four prompts (zh + en) with three candidates each from three models, and judgements by three
    editors: 8 decisive votes, 2 ties, 2 both_bad, 1 cross-prompt vote, 4 edits, 2 rankings, 8 thumbs and
    3 ratings (an even number of KTO rows: ms-swift's KTO pairs rows in batches for its KL term)."""
    pid = store.create_project("ed-a", "Coolant", setting="A station at L2", glossary=["Mara"])
    groups = []
    for k in range(4):
        base = ZH if k % 2 else EN
        cands = [
            {"text": f"{base} ({m}, draft {k})", "model": m, "rewards": {"total": 0.5}}
            for m in ("m1", "m2", "m3")
        ]
        groups.append(store.add_candidates("ed-a", pid, f"Write scene {k} of chapter 2.", cands))
    for k, (c1, c2, c3) in enumerate(groups):
        store.record_vote("ed-a", c1, c2, "a")
        store.record_vote("ed-b", c2, c3, "b")
        store.record_rating("ed-c", c1, thumb=True)
        store.record_rating("ed-c", c3, thumb=False)
        store.record_edit(
            "ed-b", c2, f"{EN if k % 2 == 0 else ZH} Edited {k}.", tags=["purple_prose"], note="cut"
        )
    store.record_vote("ed-a", groups[0][0], groups[0][1], "tie")
    store.record_vote("ed-a", groups[1][0], groups[1][1], "tie")
    store.record_vote("ed-b", groups[2][0], groups[2][2], "both_bad")
    store.record_vote("ed-b", groups[3][0], groups[3][2], "both_bad")
    store.record_vote("ed-c", groups[0][0], groups[1][0], "a")  # different prompts: no pair
    store.record_ranking("ed-c", [groups[0][2], groups[0][0], groups[0][1]])
    store.record_ranking("ed-c", [groups[1][1], groups[1][2]])
    store.record_rating("ed-a", groups[2][1], rating=3)  # neutral: no KTO row
    store.record_rating("ed-a", groups[3][1], rating=5)
    store.record_rating("ed-a", groups[2][2], rating=1)
    return {"dpo": 8 + 4 + 2, "kto": 8 + 2, "sft": 4}


@pytest.fixture
def studio_db(tmp_path) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    with Store(url) as store:
        expected = populate(store)
    return url, expected


@pytest.fixture(params=["sqlite", "postgres"])
def any_studio_db(request, tmp_path) -> tuple[str, dict[str, int]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'studio.db'}"
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    with Store(url) as store:
        expected = populate(store)
    return url, expected


def test_rows_follow_ms_swift_formats_and_carry_their_editor(any_studio_db):
    url, expected = any_studio_db
    with Store(url) as store:
        skipped: Counter = Counter()
        dpo = export_rows(store, "dpo", skipped)
        kto = export_rows(store, "kto", skipped)
        sft = export_rows(store, "sft", skipped)
        assert store.export("sft") == sft
        edits = store.edits()
    assert {"dpo": len(dpo), "kto": len(kto), "sft": len(sft)} == expected
    assert skipped == {
        "vote: tie gives no pair": 2,
        "vote: both_bad gives no pair": 2,
        "vote: candidates answer different prompts": 1,
        "rating: 3 of 5 is neither desirable nor undesirable": 1,
    }
    for row in dpo + kto + sft:
        assert row["editor"] in ("ed-a", "ed-b", "ed-c") and row["source_id"] >= 1
        user, assistant = row["messages"]
        assert user["role"] == "user" and user["content"].startswith("Write scene ")
        assert assistant["role"] == "assistant" and assistant["content"]
    for row in dpo:
        assert (
            set(row) >= {"messages", "rejected_response"}
            and row["rejected_response"] != row["messages"][1]["content"]
        )
    assert Counter(r["source"] for r in dpo) == {"vote": 8, "edit": 4, "ranking": 2}
    vote_rows = [r for r in dpo if r["source"] == "vote"]
    assert "(m1, draft 0)" in vote_rows[0]["messages"][1]["content"]  # ed-a voted a: m1 over m2
    assert "(m2, draft 0)" in vote_rows[0]["rejected_response"] and vote_rows[0]["editor"] == "ed-a"
    assert "(m3, draft 0)" in vote_rows[1]["messages"][1]["content"]  # ed-b voted b: m3 over m2
    edit_pairs = [r for r in dpo if r["source"] == "edit"]
    for pair, sft_row, edit in zip(edit_pairs, sft, edits, strict=True):
        assert pair["messages"][1]["content"] == edit["after"] == sft_row["messages"][1]["content"]
        assert pair["rejected_response"] == edit["before"]
        assert pair["edit_cost"] == sft_row["edit_cost"] == edit["cost"] and pair["tags"] == ["purple_prose"]
        assert sft_row["editor"] == edit["editor"] == "ed-b"
    ranking = next(r for r in dpo if r["source"] == "ranking")
    assert (
        "(m3, draft 0)" in ranking["messages"][1]["content"]
        and "(m2, draft 0)" in ranking["rejected_response"]
    )
    assert [r["label"] for r in kto] == [True, False] * 5
    assert all(isinstance(r["label"], bool) for r in kto)
    with Store(url) as store, pytest.raises(ValueError, match="format"):
        export_rows(store, "orpo")


def test_paths_cannot_escape_their_folder(tmp_path):
    root = tmp_path / "exports"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    (root / "link").symlink_to(tmp_path / "secret.txt")
    assert resolve_inside(root, "a/b.jsonl") == root / "a" / "b.jsonl"
    for bad in ("../secret.txt", "/etc/passwd", "link", "a/../../secret.txt"):
        with pytest.raises(ValueError, match="resolves outside"):
            resolve_inside(root, bad)
    with pytest.raises(ValueError, match="NUL"):
        resolve_inside(root, "a\x00.jsonl")
    assert check_output_path("prefs.jsonl", root=root) == root / "prefs.jsonl"
    for bad, why in [
        ("../prefs.jsonl", "resolves outside"),
        ("prefs.txt", "should end in .jsonl"),
        ("missing/prefs.jsonl", "does not exist"),
    ]:
        with pytest.raises(ValueError, match=why):
            check_output_path(bad, root=root)
    (root / "dir.jsonl").mkdir()
    with pytest.raises(ValueError, match="not a regular file"):
        check_output_path(root / "dir.jsonl")
    (root / "book.txt").write_text("chapter one")
    assert check_input_path("book.txt", root=root) == root / "book.txt"
    with pytest.raises(ValueError, match="over the limit"):
        check_input_path("book.txt", root=root, max_bytes=5)
    with pytest.raises(ValueError, match="resolves outside"):
        check_input_path("link", root=root)
    with pytest.raises(ValueError, match="not an existing regular file"):
        check_input_path("nope.txt", root=root)


def _cli(args: list[str], cwd: Path, monkeypatch, **env: str):
    """``swift-scifi ARGS`` in-process (typer's runner), in ``cwd`` with ``env`` set."""
    from typer.testing import CliRunner

    from swift_scifi.cli import app

    monkeypatch.chdir(cwd)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, args)


def test_export_prefs_command(studio_db, tmp_path, monkeypatch):
    url, expected = studio_db
    proc = run_cli(["export-prefs", "--db", url, "--format", "dpo", "--out", "dpo.jsonl"], cwd=tmp_path)
    assert (
        f"wrote {expected['dpo']} dpo rows" in proc.stdout
        and "skipped 2: vote: tie gives no pair" in proc.stdout
    )
    for fmt in ("dpo", "kto", "sft"):
        result = _cli(
            ["export-prefs", "--db", url, "--format", fmt, "--out", f"{fmt}-2.jsonl"], tmp_path, monkeypatch
        )
        assert result.exit_code == 0, result.output
        rows = [json.loads(x) for x in (tmp_path / f"{fmt}-2.jsonl").read_text("utf-8").splitlines()]
        assert len(rows) == expected[fmt]
    assert (tmp_path / "dpo.jsonl").read_text("utf-8") == (tmp_path / "dpo-2.jsonl").read_text("utf-8")
    # the default database comes from $SCIFI_STUDIO_DB
    result = _cli(
        ["export-prefs", "--format", "sft", "--out", "env.jsonl"], tmp_path, monkeypatch, SCIFI_STUDIO_DB=url
    )
    assert (
        result.exit_code == 0
        and (tmp_path / "env.jsonl").read_bytes() == (tmp_path / "sft-2.jsonl").read_bytes()
    )
    monkeypatch.delenv("SCIFI_STUDIO_DB")
    other = tmp_path / "other"
    other.mkdir()
    Store(f"sqlite:///{other / 'empty.db'}").close()
    failures = [
        (["--db", url, "--format", "orpo", "--out", "x.jsonl"], 2, "--format must be one of"),
        (["--db", url, "--format", "dpo", "--out", str(other)], 2, "should end in .jsonl"),
        (["--db", url, "--format", "dpo", "--out", "no/such/x.jsonl"], 2, "does not exist"),
        (
            ["--db", str(other / "missing.db"), "--format", "dpo", "--out", "x.jsonl"],
            2,
            "no studio database",
        ),
        (["--format", "dpo", "--out", "x.jsonl"], 2, "no studio database"),  # no studio.db in the folder
        (["--db", "empty.db", "--format", "kto", "--out", "x.jsonl"], 1, "no kto rows"),
    ]
    for args, rc, message in failures:
        result = _cli(["export-prefs", *args], other, monkeypatch)
        assert result.exit_code == rc and message in result.output, (args, result.output)
    assert not (other / "x.jsonl").exists()


RLHF_FLAGS = [
    "--tuner_type", "lora", "--max_steps", "2", "--per_device_train_batch_size", "2",
    "--gradient_accumulation_steps", "1", "--logging_steps", "1", "--save_steps", "2", "--report_to", "none",
    "--dataloader_num_workers", "0", "--max_length", "256",
]  # fmt: skip


def _trained(out: Path) -> list[dict]:
    ckpt = sorted(out.glob("v*/checkpoint-*"))
    assert ckpt and (ckpt[-1] / "adapter_model.safetensors").is_file()
    logged = [json.loads(x) for x in next(out.glob("v*/logging.jsonl")).read_text().splitlines()]
    return [r for r in logged if "loss" in r]


@pytest.mark.swift
def test_swift_rlhf_dpo_trains_on_the_exported_file(studio_db, tiny_model, tmp_path):
    url, expected = studio_db
    run_cli(["export-prefs", "--db", url, "--format", "dpo", "--out", "dpo.jsonl"], cwd=tmp_path)
    out = tmp_path / "dpo-out"
    proc = run_swift(
        ["rlhf", "--rlhf_type", "dpo", "--model", str(tiny_model), *SWIFT_FLAGS_TINY,
         "--dataset", str(tmp_path / "dpo.jsonl"), "--output_dir", str(out), *RLHF_FLAGS],
        cwd=tmp_path,
    )  # fmt: skip
    assert "errors in the dataset" not in proc.stdout + proc.stderr  # every exported pair encodes
    losses = _trained(out)
    assert len(losses) == 2 and all(r["loss"] > 0 for r in losses)
    assert any("rewards/chosen" in r for r in losses)


@pytest.mark.swift
def test_swift_rlhf_kto_trains_on_the_registered_dataset(studio_db, tiny_model, tmp_path):
    url, _ = studio_db
    plugin = run_cli(["plugin-path"], cwd=Path("/")).stdout.strip()
    out = tmp_path / "kto-out"
    proc = run_swift(
        ["rlhf", "--rlhf_type", "kto", "--model", str(tiny_model), *SWIFT_FLAGS_TINY, "--external_plugins", plugin,
         "--dataset", "scifi-editor-prefs:kto", "--output_dir", str(out), *RLHF_FLAGS],
        cwd=tmp_path,
        SCIFI_STUDIO_DB=url,
    )  # fmt: skip
    log = proc.stdout + proc.stderr
    assert "Successfully imported external_plugins" in log and "errors in the dataset" not in log
    assert "filtered dataset length: 10" in log or "Dataset filtered" not in log  # all 10 KTO rows kept
    losses = _trained(out)
    assert len(losses) == 2 and all(r["loss"] > 0 for r in losses)
