#!/usr/bin/env bash
# The main job on the embedded default, on CPU, offline: install, build the tiny Qwen3, and run a real
# ms-swift LoRA SFT on scifi-chapter-gen (built from the corpus sample shipped in the package).
#   bash examples/quickstart_cpu.sh            # output in output/quickstart/
# Overrides: MAX_STEPS (20), SCIFI_VENV (.venv), QUICKSTART_MODEL (.tiny-model), QUICKSTART_OUT (output/quickstart)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source examples/setup_env.sh

MODEL="${QUICKSTART_MODEL:-$REPO/.tiny-model}"
[ -f "$MODEL/config.json" ] || swift-scifi make-tiny-model "$MODEL"

OUT="${QUICKSTART_OUT:-$REPO/output/quickstart}"
# Samples are fitted to the tiny model's tokenizer and a 512-token budget.
export SCIFI_TOKENIZER="$MODEL" SCIFI_MAX_TOKENS=512
swift sft \
  --model "$MODEL" --model_type qwen3 --template qwen3_nothinking --check_model false \
  --external_plugins "$(swift-scifi plugin-path)" \
  --dataset scifi-chapter-gen \
  --tuner_type lora --lora_rank 8 \
  --num_train_epochs 1 --max_steps "${MAX_STEPS:-20}" \
  --per_device_train_batch_size 2 --gradient_accumulation_steps 1 --learning_rate 1e-4 \
  --max_length 512 --logging_steps 5 --save_steps 20 --report_to none \
  --dataloader_num_workers 0 \
  --output_dir "$OUT"

CKPT="$(ls -d "$OUT"/v*/checkpoint-* | sort -V | tail -n 1)"
echo
echo "LoRA checkpoint: $CKPT"
echo "Try it:  swift infer --adapters $CKPT --infer_backend transformers --max_new_tokens 64"
