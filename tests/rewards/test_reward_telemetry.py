"""Telemetry of the scifi rewards in training: per-batch metrics, the JSONL sidecar, the manifest, and the
ORM hook that records each batch once (the real GRPO run is in test_reward_grpo.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from types import SimpleNamespace

from swift_scifi.rewards.config import DEFAULTS
from swift_scifi.rewards.principle_library import library_info
from swift_scifi.rewards.scoring import score_columns
from swift_scifi.rewards.telemetry import MANIFEST_NAME, Sidecar, step_metrics, write_manifest

EN = "The hatch opened. Cold air poured in!! Firstly, she checked the seals. Secondly, the oxygen."
ZH = "舱门开了，冷气涌进来。她看了看氧气表，又看了看舱壁。"


def _cols(texts):
    n = len(texts)
    return {"terms": [None] * n, "target_length": [None] * n, "lang": [None] * n, "messages": [None] * n}


def test_step_metrics_give_component_means_and_principle_firing_rates():
    texts = [EN, ZH, EN]
    cols = _cols(texts)
    m = step_metrics(texts, score_columns(texts, cols, DEFAULTS), cols["lang"], DEFAULTS)
    assert 0.0 < m["scifi/reward/principles"] < 1.0 and "scifi/reward/length" not in m  # no target: left out
    assert m["scifi/principle/no-stacked-punctuation"] == 2 / 3  # fires in the two English texts of three
    assert m["scifi/principle/zh-fullwidth-punctuation"] == 0.0  # checked in the Chinese text only
    assert "scifi/principle/adverb-restraint" in m  # English only: rate over the two English texts
    assert all(0.0 <= v <= 1.0 for v in m.values())


def test_manifest_and_sidecar_files(tmp_path):
    path = write_manifest(tmp_path, DEFAULTS)
    assert path.name == MANIFEST_NAME
    data = json.loads(path.read_text())
    assert data["principles"]["sha256"] == library_info()["sha256"]
    assert (
        data["data_files"]["slop/en.txt"]
        and data["reward_config"]["values"]["slop_scale"] == DEFAULTS.slop_scale
    )
    mtime = path.stat().st_mtime_ns
    assert write_manifest(tmp_path, DEFAULTS).stat().st_mtime_ns == mtime  # same content: not rewritten
    side = Sidecar(tmp_path, rank=0)
    side.write(3, 2, {"a": 0.5})
    side.write(4, 2, {"a": 1.0})
    lines = [json.loads(x) for x in side.path.read_text().splitlines()]
    assert [x["step"] for x in lines] == [3, 4] and side.path.name == "scifi_rewards.jsonl"
    assert Sidecar(tmp_path, rank=2).path.name == "scifi_rewards.rank2.jsonl"


def test_orm_records_each_batch_once_into_sidecar_and_trainer_metrics(tmp_path):
    from swift_scifi.integrations.ms_swift import REWARD_CLASSES, TELEMETRY

    args = SimpleNamespace(output_dir=str(tmp_path))
    principles, slop = REWARD_CLASSES["scifi_principles"](args=args), REWARD_CLASSES["scifi_slop"](args=args)
    assert (tmp_path / MANIFEST_NAME).is_file()  # written when the reward is created
    trainer = SimpleNamespace(_metrics={"train": defaultdict(list), "eval": defaultdict(list)})
    TELEMETRY.trainer = trainer
    try:
        batch = [EN, ZH]
        state = SimpleNamespace(global_step=7)
        scores = principles(batch, trainer_state=state)
        slop(batch, trainer_state=state)  # same batch: not recorded again
        principles([EN, EN], trainer_state=SimpleNamespace(global_step=8))
        principles(batch)  # no trainer state (swift sample, plain calls): nothing recorded
    finally:
        TELEMETRY.trainer = None
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
    lines = [json.loads(x) for x in (tmp_path / "scifi_rewards.jsonl").read_text().splitlines()]
    assert [x["step"] for x in lines] == [7, 8] and [x["n"] for x in lines] == [2, 2]
    assert trainer._metrics["train"]["scifi/principle/no-stacked-punctuation"] == [0.5, 1.0]
    assert len(trainer._metrics["train"]["scifi/reward/writing"]) == 2
