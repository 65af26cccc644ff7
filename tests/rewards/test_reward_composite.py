"""The composite `writing`: gates × weighted mean of the soft rewards, weights stated in one place."""

from __future__ import annotations

import pytest

from swift_scifi.rewards import score_text
from swift_scifi.rewards.composite import gate_product, soft_mean, writing_score
from swift_scifi.rewards.config import DEFAULTS, config_from_dict
from swift_scifi.rewards.registry import GATES, REWARDS, SOFT, default_weights

PROSE = (
    "The ship woke before the crew did. Mara listened to the hull tick as it cooled, counting the seconds "
    "between each sound the way her father had taught her to count thunder.\n\n"
    "Outside the port, Europa's ice stretched white to a horizon that was too close. Somewhere under it, the "
    "signal pulsed again, patient as a heartbeat."
)


def test_weights_and_gates_live_in_one_place():
    assert set(default_weights()) == set(SOFT) and DEFAULTS.weights == {}
    assert set(GATES) == {"format", "fluency"} and set(GATES).isdisjoint(SOFT)
    assert all(REWARDS[g].role == "gate" for g in GATES)


def test_formula():
    scores = {
        "principles": 0.8,
        "repetition": 1.0,
        "slop": 0.5,
        "length": None,
        "format": 0.4,
        "fluency": 0.5,
    }
    cfg = config_from_dict({"weights": {"principles": 2, "slop": 1, "repetition": 1}})
    assert soft_mean(scores, cfg) == pytest.approx((2 * 0.8 + 1.0 + 0.5) / 4)
    assert gate_product(scores) == pytest.approx(0.2)
    assert writing_score(scores, cfg) == pytest.approx(0.2 * (2 * 0.8 + 1.0 + 0.5) / 4)
    assert writing_score({"format": 1.0, "fluency": 1.0}) is None  # no soft part applies


def test_gates_bound_writing_and_unit_gates_change_nothing():
    soft = {"principles": 0.9, "repetition": 1.0, "slop": 0.7}
    assert writing_score({**soft, "format": 1.0, "fluency": 1.0}) == pytest.approx(soft_mean(soft))
    for g in GATES:
        assert writing_score({**soft, g: 0.1}) <= 0.1


def test_score_text_applies_gates_and_fluency_multiplies_soft_rewards():
    s = score_text(PROSE)
    assert s["format"] == 1.0 and s["fluency"] == 1.0
    assert s["writing"] == pytest.approx(soft_mean(s))
    g = score_text("## Log\n\n" + PROSE)
    assert g["writing"] == pytest.approx(g["format"] * soft_mean(g))


@pytest.mark.parametrize("copies", [2, 4, 8])
def test_neutral_padding_does_not_raise_a_gate(copies):
    """Gates are counts/classifications, not densities: padding a failing text keeps its gate."""
    failing = "Sure! Here's the story:\n\n" + PROSE
    padded = "Sure! Here's the story:\n\n" + "\n\n".join([PROSE] * copies)
    assert score_text(padded)["format"] == score_text(failing)["format"] < 1.0
