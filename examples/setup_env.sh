#!/usr/bin/env bash
# Create (or reuse) a virtual environment and install swift-scifi with its test tools. Sourced by
# quickstart_cpu.sh and run_tests.sh; safe to run again (pip skips what is already installed).
#   SCIFI_VENV   where the venv goes (default: .venv in the checkout)
#   TORCH_SPEC   the torch requirement (default: torch==2.13.0, a CPU wheel on our build machines;
#                elsewhere add: --index-url https://download.pytorch.org/whl/cpu to avoid CUDA wheels)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SCIFI_VENV:-$REPO/.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# A stamp in the venv records what was installed (this checkout, pyproject.toml, this script, TORCH_SPEC): when it
# matches, the pip steps are skipped (seconds instead of ~half a minute, and the editable install is not
# rewritten under processes that are using it). Delete $VENV/.swift-scifi-setup to force them.
STAMP="$VENV/.swift-scifi-setup"
WANT="$REPO|${TORCH_SPEC:-}|$(cat "$REPO/pyproject.toml" "$REPO/examples/setup_env.sh" | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
  && (cd / && "$VENV/bin/python" -c "import swift, swift_scifi" >/dev/null 2>&1); then
  echo "[setup] $VENV already has this checkout's requirements (stamp $STAMP)"
else
  rm -f "$STAMP"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # torch first and alone: a bare `pip install torch` would pull gigabytes of CUDA wheels.
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install -q ${TORCH_SPEC:-torch==2.13.0}
  "$VENV/bin/python" -m pip install -q -e "$REPO[test]"
  # Quantization backends used by the export tests. autoawq is archived and its declared pins fight
  # transformers 5.x, so it goes in without its dependencies (what it needs at run time is already here).
  "$VENV/bin/python" -m pip install -q --no-deps autoawq==0.2.9 bitsandbytes==0.50.2
  echo "$WANT" >"$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
echo "[setup] ready: $("$VENV/bin/python" -c 'import swift, swift_scifi; print("ms-swift", swift.__version__, "| swift-scifi", swift_scifi.__version__)')"
