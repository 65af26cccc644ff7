"""Arena leaderboard: Bradley-Terry recovers known strengths, ties count half, both_bad is left out,
bootstrap CIs cover the truth, and the Store's leaderboard reads the votes."""

from __future__ import annotations

import numpy as np
import pytest

from swift_scifi.studio.arena import fit_strengths, leaderboard
from swift_scifi.studio.store import Store


def _simulate(
    true_elo: dict[str, float], n: int, seed: int, tie_rate: float = 0.0
) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(seed)
    models = list(true_elo)
    battles = []
    for _ in range(n):
        i, j = rng.choice(len(models), 2, replace=False)
        a, b = models[i], models[j]
        p_a = 1 / (1 + 10 ** ((true_elo[b] - true_elo[a]) / 400))
        r = rng.random()
        battles.append((a, b, "tie" if r < tie_rate else ("a" if rng.random() < p_a else "b")))
    return battles


def test_recovers_known_strengths_with_covering_cis():
    true = {"gpt": 1150.0, "qwen": 1050.0, "llama": 1000.0, "tiny": 800.0}
    board = leaderboard(_simulate(true, 4_000, seed=3), n_boot=200, seed=0)
    assert [r["model"] for r in board] == ["gpt", "qwen", "llama", "tiny"]
    by = {r["model"]: r for r in board}
    for m in true:  # differences to the weakest model are what BT identifies
        est = by[m]["score"] - by["tiny"]["score"]
        assert est == pytest.approx(true[m] - true["tiny"], abs=40)
        assert by[m]["ci_low"] < by[m]["score"] < by[m]["ci_high"] or m == "tiny"
    assert sum(r["votes"] for r in board) == 2 * 4_000
    assert all(r["ci_high"] - r["ci_low"] < 80 for r in board)


def test_ties_are_half_wins_and_both_bad_is_left_out():
    even = leaderboard([("x", "y", "a"), ("x", "y", "b")], n_boot=0)
    tie = leaderboard([("x", "y", "tie"), ("x", "y", "tie")], n_boot=0)
    assert [r["score"] for r in tie] == pytest.approx([r["score"] for r in even])
    assert tie[0]["score"] == pytest.approx(1000.0)
    with_bad = leaderboard([("x", "y", "a"), ("x", "y", "both_bad"), ("x", "y", "both_bad")], n_boot=0)
    without = leaderboard([("x", "y", "a")], n_boot=0)
    assert [r["score"] for r in with_bad] == pytest.approx([r["score"] for r in without])
    assert [r["votes"] for r in with_bad] == [3, 3]  # counted as battles, not as evidence
    assert leaderboard([]) == []


def test_unbeaten_model_stays_finite_and_bootstrap_is_seeded():
    battles = [("champ", "b", "a")] * 30 + [("b", "c", "a")] * 10 + [("b", "c", "b")] * 10
    board = leaderboard(battles, n_boot=100, seed=7)
    assert board[0]["model"] == "champ" and all(
        np.isfinite([r["score"], r["ci_low"], r["ci_high"]]).all() for r in board
    )
    assert board == leaderboard(battles, n_boot=100, seed=7)
    assert board != leaderboard(battles, n_boot=100, seed=8)


def test_newton_fit_solves_the_score_equations():
    wins = np.array([[0, 7, 3], [2, 0, 5], [1, 4, 0]], dtype=float)
    theta = fit_strengths(wins[None])[0]
    p = 1 / (1 + np.exp(theta[None, :] - theta[:, None]))
    games = wins + wins.T
    ref = 1 / (1 + np.exp(-theta))
    # gradient of the penalised log-likelihood is zero at the fit
    np.testing.assert_allclose(wins.sum(1) + 0.5 - (games * p).sum(1) - ref, 0, atol=1e-8)


def test_store_leaderboard_reads_votes_by_candidate_model(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        pid = store.create_project("al", "P")
        ids = store.add_candidates(
            "al", pid, "p", [{"text": f"t{i}", "model": m} for i, m in enumerate("aabc")]
        )
        for _ in range(6):
            store.record_vote("al", ids[0], ids[2], "a")  # model a beats b
            store.record_vote("al", ids[2], ids[3], "a")  # b beats c
        store.record_vote("al", ids[0], ids[1], "a")  # same model on both sides: no evidence
        board = store.leaderboard(n_boot=50)
    assert [r["model"] for r in board] == ["a", "b", "c"]
    assert [r["votes"] for r in board] == [7, 12, 6]
