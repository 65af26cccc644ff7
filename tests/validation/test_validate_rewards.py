"""`swift-scifi validate-rewards`: the harness on a tiny slice of the shared data, its statistics and errors."""

from __future__ import annotations

import json
import math

import pytest

from swift_scifi.rewards import load_principles, score_batch
from swift_scifi.validation import slop_score
from swift_scifi.validation.data import leaderboard, llm_outputs
from swift_scifi.validation.harness import recovers
from swift_scifi.validation.stats import auc, rankdata, spearman
from tests.conftest import SHARED_DATA, run_cli


@pytest.fixture(scope="module")
def shared_data():
    if not (SHARED_DATA / "bench" / "slop-score-outputs").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def test_rank_statistics():
    assert list(rankdata([3, 1, 3, 2])) == [3.5, 1.0, 3.5, 2.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 45]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert auc([2, 3], [0, 1]) == 1.0 and auc([0, 1], [2, 3]) == 0.0 and auc([1, 1], [1, 1]) == 0.5
    assert auc([], [1]) is None


def test_length_recovery_rule():
    assert (
        recovers((200.0, 200.0), 200) and recovers((0.0, 200.0), 200) and recovers((1000.0, math.inf), 1000)
    )
    assert recovers((2000.0, 2500.0), 2200)
    assert not recovers(None, 200) and not recovers((0.0, 300.0), 200) and not recovers((100.0, 100.0), 200)


def test_pooled_items_reproduce_the_leaderboard_composite(shared_data):
    rows = leaderboard(shared_data)
    board, b = slop_score.leaderboard_composites(rows), slop_score.bounds(rows)
    by: dict[str, list] = {}
    for it in llm_outputs(shared_data):
        by.setdefault(it.model, []).append((it.official, len(it.text)))
    models = sorted(by)
    mine = [slop_score.composite(slop_score.pooled_metrics(by[m]), b) for m in models]
    assert len(models) == 22 and spearman(mine, [board[m] for m in models]) > 0.99
    assert max(abs(x - board[m]) for x, m in zip(mine, models, strict=True)) < 0.01


def test_harness_reports_every_reward_and_principle(shared_data, tmp_path):
    out, md = tmp_path / "v.json", tmp_path / "v.md"
    proc = run_cli(
        ["validate-rewards", "--data", str(shared_data), "--windows", "6", "--per-model", "2"]
        + ["--out", str(out), "--markdown", str(md)],
        timeout=300,
    )
    assert "Rewards" in proc.stdout and "Principles" in proc.stdout
    res = json.loads(out.read_text())
    keys = set(score_batch(["Some text."], lang="en", target_length=10)[0])
    assert keys <= set(res["rewards"])
    rules = {p.id for p in load_principles() if p.is_rule}
    assert set(res["principles"]) == rules
    assert res["meta"]["human_windows"] == {"en": 6, "zh": 6} and res["meta"]["llm_texts"] == 44
    for k in ("principles", "repetition", "slop", "writing"):
        v = res["rewards"][k]
        assert all(0 <= v["fpr"][lang] <= 1 for lang in ("en", "zh"))
        assert 0 <= v["auc_en"] <= 1 and -1 <= v["rho_model"]["leaderboard"] <= 1
        assert v["rho_item"]["composite"] is None or -1 <= v["rho_item"]["composite"] <= 1
    assert all(0 <= res["rewards"]["term_consistency"]["fpr"][lang] <= 1 for lang in ("en", "zh"))
    assert res["rewards"]["slop"]["planted"]["slop injected"] >= 0.5
    assert res["rewards"]["repetition"]["planted"]["paragraph duplicated"] == 1.0
    assert res["rewards"]["length"]["planted"]["length ¼ of target"] == 1.0
    assert res["length_parser"]["all"]["n"] == 228 and 0.5 < res["length_parser"]["all"]["rate"] <= 1
    assert "#### Rewards" in md.read_text() and "| slop |" in md.read_text()


def test_missing_data_is_a_clear_error(tmp_path):
    proc = run_cli(
        ["validate-rewards", "--data", str(tmp_path), "--out", str(tmp_path / "v.json")], check=False
    )
    assert proc.returncode == 2
    assert "validation data not found" in proc.stderr and "SCIFI_VALIDATION_DATA" in proc.stderr
    assert not (tmp_path / "v.json").exists()
