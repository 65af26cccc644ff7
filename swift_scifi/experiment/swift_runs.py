"""The one place the experiment starts ms-swift: ``swift pt``, ``swift sft`` and ``swift rlhf`` with flags
from the experiment's YAML (``common`` + the stage's own), logged to a file; returns the last checkpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


class SwiftRunError(RuntimeError):
    """A `swift` command exited non-zero or left no checkpoint; the message names its log."""


def flag_args(flags: dict[str, Any]) -> list[str]:
    """``{"max_steps": 5, "reward_funcs": ["a", "b"], "use_vllm": False}`` -> ``--max_steps 5 --reward_funcs a b
    --use_vllm false`` (None values are left out)."""
    args: list[str] = []
    for key, value in flags.items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        args.append(f"--{key}")
        args.extend(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
    return args


def swift_exe() -> str:
    """The `swift` console script beside this interpreter (the environment swift-scifi runs in)."""
    exe = Path(sys.executable).parent / "swift"
    return str(exe) if exe.exists() else "swift"


def run_swift(
    command: list[str],
    flags: dict[str, Any],
    *,
    output_dir: Path,
    log_path: Path,
    env: dict[str, str],
    time_limit_s: float | None = None,
) -> dict[str, Any]:
    """Run ``swift COMMAND FLAGS --output_dir OUTPUT_DIR``; return ``{"checkpoint", "seconds", "argv",
    "stopped_by_time_limit", "steps"}``.

    With ``time_limit_s`` the run is stopped after that many seconds and its last saved checkpoint is used
    (save often: ``save_steps``). Raises SwiftRunError (with the log's tail) on a non-zero exit, or when no
    checkpoint was written.
    """
    from swift_scifi import plugin_path

    argv = [swift_exe(), *command, *flag_args(flags), "--external_plugins", plugin_path()]
    argv += ["--output_dir", str(output_dir)]
    full_env = {**os.environ, **env}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        log.write(" ".join(argv) + "\n\n")
        log.flush()
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env=full_env, start_new_session=True
        )
        stopped = False
        try:
            proc.wait(timeout=time_limit_s)
        except subprocess.TimeoutExpired:
            stopped = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    seconds = time.monotonic() - start
    if proc.returncode != 0 and not stopped:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SwiftRunError(f"swift {command[0]} failed ({proc.returncode}); log {log_path}:\n{tail}")
    ckpt = last_checkpoint(output_dir)
    if ckpt is None:
        raise SwiftRunError(f"swift {command[0]} left no checkpoint under {output_dir}; log {log_path}")
    return {
        "checkpoint": str(ckpt),
        "seconds": round(seconds, 1),
        "argv": argv,
        "stopped_by_time_limit": stopped,
        "steps": int(ckpt.name.split("-")[-1]),
    }


def last_checkpoint(output_dir: Path) -> Path | None:
    """The highest-step ``v*/checkpoint-N`` with weights, or None."""
    ckpts = [
        p
        for p in Path(output_dir).glob("v*/checkpoint-*")
        if any(p.glob("*.safetensors")) and p.name.split("-")[-1].isdigit()
    ]
    return max(ckpts, key=lambda p: (p.parent.name, int(p.name.split("-")[-1])), default=None)


def run_dir(checkpoint: str | Path) -> Path:
    """The ``v*`` folder of a checkpoint (logging.jsonl, completions.jsonl, scifi_rewards.jsonl live there)."""
    return Path(checkpoint).parent


def logged(checkpoint: str | Path) -> list[dict]:
    """The rows of the run's logging.jsonl (one per logging step, plus the final summary)."""
    path = run_dir(checkpoint) / "logging.jsonl"
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
