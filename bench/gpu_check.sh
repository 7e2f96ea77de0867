#!/usr/bin/env bash
# The GPU check of issue 14 on one CUDA device (about 8 minutes at most): parameter devices,
# 200 BAT-Triplet steps, the antonym attack on 200 rows. Writes bench/results/gpu_check/gpu_check.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} TRANSFORMERS_OFFLINE=${TRANSFORMERS_OFFLINE:-1} TOKENIZERS_PARALLELISM=false
timeout 480 python bench/gpu_check.py --device "${DEVICE:-cuda}" "$@"
