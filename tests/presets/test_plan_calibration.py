"""The planner against published measured peaks (swift_scifi/data/memory_measurements.yaml).

Targets (issue 18): every case within ±15 %, median |error| ≤ 8 %, no underestimate beyond −10 %. They hold on
the cases used to set the constants ("fit"). Two held-out cases miss; each miss is pinned here with its
explanation (docs/presets.md), so a change that moves them is seen.
"""

import pytest

from swift_scifi.presets.calibration import (
    TARGET_ABS,
    TARGET_MEDIAN,
    TARGET_UNDER,
    load_measurements,
    run_calibration,
    summary,
)
from swift_scifi.presets.model_config import sample_config

RESULTS = {r.id: r for r in run_calibration()}
KNOWN_HOLDOUT_GAPS = {
    # same layout and settings as mg-qwen3-30b-a3b-lora-ep2 (62 GiB) but 50 GiB measured: different data set
    # and ms-swift version; capacity factor 2 cannot remove 12 GiB at EP 2. Overestimate (safe side).
    "mg-qwen3-30b-a3b-lora-ep2-cf2": (0.15, 0.30),
    # old-style (pre-mcore-bridge) MoE run; 8 GiB beyond the model on both pipeline stages. Underestimate.
    "mg-qwen1.5-moe-full-pp2-ep4": (-0.16, -0.10),
}


def test_every_case_is_complete_and_sourced():
    doc = load_measurements()
    required = {"id", "model_config", "engine", "method", "gpus", "layout", "seq_len", "micro_batch"}
    required |= {"global_batch", "recompute", "measured_gib", "figure", "source", "split"}
    ids = [c["id"] for c in doc["cases"]]
    assert len(ids) == len(set(ids)) >= 14
    for case in doc["cases"]:
        assert required <= case.keys(), case["id"]
        assert {"repo", "path", "commit"} <= case["source"].keys() and len(case["source"]["commit"]) == 40
        assert sample_config(case["model_config"]).is_file()
        lay = case["layout"]
        assert lay["tp"] * lay["pp"] * lay["cp"] * lay["dp"] == case["gpus"], case["id"]
        assert case["packing"] or case["dataset"] in doc["datasets"], case["id"]
    assert {c["split"] for c in doc["cases"]} == {"fit", "holdout"}


def test_targets_hold_on_the_fit_cases():
    fit = [r for r in RESULTS.values() if r.split == "fit"]
    s = summary(fit)
    assert (
        s["worst_abs"] <= TARGET_ABS and s["median_abs"] <= TARGET_MEDIAN and s["most_under"] >= TARGET_UNDER
    )


def test_held_out_cases_meet_the_targets_except_the_explained_gaps():
    held = [r for r in RESULTS.values() if r.split == "holdout"]
    for r in held:
        if r.id in KNOWN_HOLDOUT_GAPS:
            low, high = KNOWN_HOLDOUT_GAPS[r.id]
            assert low <= r.error <= high, (r.id, r.error)
        else:
            assert TARGET_UNDER <= r.error <= TARGET_ABS, (r.id, r.error)
    assert summary(held)["median_abs"] <= 0.10


def test_whole_set_median_and_the_issue_cases():
    """Median |error| over all shipped cases ≤ 8 %; the MoE and 32k cases the issue found 31-40 % and 19 %
    low are now within target."""
    assert summary(list(RESULTS.values()))["median_abs"] <= TARGET_MEDIAN
    for case in (
        "mg-qwen3-30b-a3b-full-pp2-ep8",
        "mg-qwen2.5-7b-full-tp4-32k",
        "mg-qwen3-30b-a3b-full-tp4-pp2-ep4",
    ):
        assert TARGET_UNDER <= RESULTS[case].error <= TARGET_ABS, case


@pytest.mark.parametrize("case", ["mg-qwen2.5-7b-lora-tp2", "sft-qwen2.5-7b-lora-selfcog"])
def test_small_runs_are_not_dominated_by_fixed_overhead(case):
    r = RESULTS[case]
    assert r.estimate.overhead < 0.2 * r.estimate.total
