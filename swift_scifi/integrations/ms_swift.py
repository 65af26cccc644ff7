"""ms-swift ORM adapters: ``orms['scifi_<name>'](args=...)(completions, **columns) -> list[float | None]``,
one class per entry of the reward registry (:data:`swift_scifi.rewards.registry.REWARDS`) plus the
composite ``scifi_writing``.

Callers:
- ``swift rlhf --rlhf_type grpo --reward_funcs scifi_slop ...``: completions are strings; columns ``terms``
  (list[str]), ``target_length`` (int), ``lang`` ('zh'/'en', detected when absent) and ``messages`` (the
  prompt: length targets and quoted names are parsed from it);
- ``swift sample --orm_model scifi_writing ...``: completions are ``InferRequest`` objects whose last assistant
  turn is the completion; the prompt and the columns come from the same request.
Both go through the one input normaliser (:mod:`swift_scifi.rewards.inputs`). ms-swift logs each reward as
``rewards/<ClassName>/mean``, e.g. ``rewards/ScifiTermConsistency/mean``; a part given weight 0 in
``--reward_weights`` is logged without steering training.

Telemetry (:mod:`swift_scifi.rewards.telemetry`; off with ``SCIFI_TELEMETRY=0``): in a GRPO run, the first
``scifi_*`` reward called on a batch also records every reward's mean and every principle's firing rate, as
one line of ``scifi_rewards.jsonl`` in the run's output dir and, with ``--callbacks scifi_telemetry``, as
``scifi/reward/<name>`` and ``scifi/principle/<id>`` in the trainer's logs (``logging.jsonl``). Each
reward writes ``scifi_rewards_manifest.json`` (data versions and hashes, reward config) there when created.
Importing this module imports ms-swift; ``swift_scifi.rewards`` itself does not.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from swift.callbacks import TrainerCallback
from swift.rewards import ORM

from ..rewards.config import get_config
from ..rewards.inputs import column, warn_once
from ..rewards.registry import COMPOSITE, COMPOSITE_DOC, COMPOSITE_ORM, REWARDS
from ..rewards.scoring import COLUMNS, score_columns
from ..rewards.telemetry import Sidecar, step_metrics, write_manifest

NOT_APPLICABLE = 0.5  # under `swift sample`, the score of a reward that does not apply (e.g. no target)


class _Telemetry:
    """Run-wide telemetry state: the trainer (set by :class:`ScifiTelemetryCallback`), the sidecar of each
    output dir, and the last batch recorded (ms-swift passes one list of completions to every reward)."""

    def __init__(self) -> None:
        self.trainer: Any = None
        self.sidecars: dict[str, Sidecar] = {}
        self.last: tuple[int | None, int] | None = None
        self.lock = threading.Lock()

    @staticmethod
    def enabled() -> bool:
        return os.environ.get("SCIFI_TELEMETRY", "1").strip().lower() not in ("0", "false", "no", "off")

    def record(self, batch: Any, completions: list[Any], cols: dict, state: Any, out_dir: str | None) -> None:
        """Record the metrics of this batch once (the first ``scifi_*`` reward called on it)."""
        step = getattr(state, "global_step", None)
        with self.lock:
            if self.last == (step, id(batch)):
                return
            self.last = (step, id(batch))
        cfg = get_config()
        metrics = step_metrics(completions, score_columns(completions, cols, cfg), cols["lang"], cfg)
        if out_dir:
            sidecar = self.sidecars.get(out_dir) or self.sidecars.setdefault(out_dir, Sidecar(out_dir))
            sidecar.write(step, len(completions), metrics)
        trainer = self.trainer
        if trainer is not None and isinstance(getattr(trainer, "_metrics", None), dict):
            mode = "train" if getattr(getattr(trainer, "model", None), "training", True) else "eval"
            for key, value in metrics.items():
                trainer._metrics[mode][key].append(value)


TELEMETRY = _Telemetry()


class ScifiTelemetryCallback(TrainerCallback):
    """``--callbacks scifi_telemetry``: the scifi rewards add their per-step metrics to the trainer's logs."""

    def __init__(self, args: Any, trainer: Any):
        super().__init__(args, trainer)
        TELEMETRY.trainer = trainer


class ScifiReward(ORM):
    """Scores reward ``key`` of the registry for each completion; never raises into the trainer."""

    key = ""

    def __init__(self, args: Any = None, **kwargs: Any):
        super().__init__(args, **kwargs)
        out_dir = getattr(args, "output_dir", None)
        self.out_dir = str(out_dir) if out_dir else None
        if self.out_dir and TELEMETRY.enabled():
            try:
                write_manifest(self.out_dir, get_config())
            except Exception as e:  # a manifest never stops training
                warn_once("scifi-manifest", f"scifi rewards: manifest not written to {self.out_dir} ({e!r})")

    def __call__(self, completions: list[Any], **kwargs: Any) -> list[float | None]:
        cfg = get_config()
        batch = completions
        try:
            completions = list(completions) if completions is not None else []
        except TypeError:
            completions = [completions]
        n = len(completions)
        try:
            cols = {name: column(kwargs, name, n) for name in COLUMNS}
            sampling = any(not isinstance(c, str) and hasattr(c, "messages") for c in completions)
            if sampling and all(m is None for m in cols["messages"]):
                cols["messages"] = completions  # swift sample: the prompt is in each InferRequest
            scores = [row[self.key] for row in score_columns(completions, cols, cfg, only=(self.key,))]
            if not sampling and kwargs.get("trainer_state") is not None and TELEMETRY.enabled():
                try:
                    TELEMETRY.record(batch, completions, cols, kwargs["trainer_state"], self.out_dir)
                except Exception as e:  # telemetry never changes a reward
                    warn_once("scifi-telemetry", f"scifi rewards: telemetry failed ({e!r}); training goes on")
            # swift sample needs floats: a reward that does not apply is neutral for every candidate
            return [NOT_APPLICABLE if s is None else s for s in scores] if sampling else scores
        except Exception as e:  # defensive: the scorers already catch their own errors
            warn_once(
                f"orm-{self.key}",
                f"scifi_{self.key}: batch failed ({e!r}); every completion scored {cfg.empty_score}",
            )
            return [cfg.empty_score] * n


def _orm_class(name: str, key: str, doc: str) -> type[ScifiReward]:
    return type(name, (ScifiReward,), {"key": key, "__doc__": doc, "__module__": __name__})


REWARD_CLASSES: dict[str, type[ScifiReward]] = {
    f"scifi_{key}": _orm_class(r.orm, key, r.doc) for key, r in REWARDS.items()
}
REWARD_CLASSES[f"scifi_{COMPOSITE}"] = _orm_class(COMPOSITE_ORM, COMPOSITE, COMPOSITE_DOC)
globals().update({cls.__name__: cls for cls in REWARD_CLASSES.values()})  # ScifiSlop, ScifiWriting, ...


def register_rewards() -> None:
    """Add the ``scifi_*`` rewards to ``swift.rewards.orms`` (idempotent).

    Loads and validates the reward config (``$SCIFI_REWARD_CONFIG``) and the bundled data files now, and
    compiles the scorers (:func:`swift_scifi.rewards.warmup.warmup`), so a bad config or data file fails at
    startup rather than mid-training, and the first training step does not pay the compile.
    """
    from swift.callbacks import callbacks_map
    from swift.rewards import orms

    from ..rewards.scan import scanner
    from ..rewards.warmup import warmup

    get_config()
    scanner("zh")
    scanner("en")
    warmup()
    for name, cls in REWARD_CLASSES.items():
        orms[name] = cls
    callbacks_map["scifi_telemetry"] = ScifiTelemetryCallback
