#!/usr/bin/env bash
# Proof of effect: pretrain a micro Qwen3 with `swift pt`, SFT it on scifi-chapter-gen, run GRPO (scifi
# rewards), DPO (scifi-cdpo-rules) and an SFT control with equal steps from the same checkpoint, evaluate on
# held-out books with paired-bootstrap CIs, and write docs/results.md with its plots.
#   bash examples/proof_of_effect.sh            # the CPU run (config cpu; ~1 h on 2 cores)
#   bash examples/proof_of_effect.sh smoke      # a few steps of everything (~3 min)
#   bash examples/proof_of_effect.sh gpu        # ~200 M parameters, vLLM rollouts (one large GPU)
# Stages are resumable: rerunning skips every stage whose done.json exists under the work folder.
set -euo pipefail
CONFIG="${1:-cpu}"
WORK="${WORK_DIR:-output/experiment-$CONFIG}"
RESULTS="${RESULTS:-docs/results.md}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
swift-scifi experiment run "$CONFIG" --work-dir "$WORK" --results "$RESULTS"
