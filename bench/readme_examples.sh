#!/usr/bin/env bash
# The outputs the README's attack / train / evaluate blocks quote, written to
# bench/results/readme_examples/: the commands as the README gives them, run on MODEL (an SNLI
# classifier; the README's is bench/bat_aligned.py's normal-paper model, RUNS/normal-paper-s0/best_model).
#   bash bench/readme_examples.sh MODEL
set -euo pipefail
MODEL=$1
cd "$(dirname "$0")/.."
OUT=bench/results/readme_examples
WORK=$(mktemp -d)
mkdir -p "$OUT"
textattack attack --model "$MODEL" --recipe antonym-under-nli \
    --dataset-from-file "$(textattack-bat data-path datasets.py)^snli" --num-examples 4 \
    > "$WORK/attack.txt" 2> /dev/null
textattack-bat evaluate --model "$MODEL" --num-examples 40 \
    --dataset-from-file "$(textattack-bat data-path snli_eval_sample.jsonl)" \
    --output-dir "$WORK/report" > "$WORK/evaluate.txt" 2> /dev/null
TEXTATTACK_BAT_LIMIT=64 textattack train --model-name-or-path "$MODEL" --model-num-labels 3 \
    --dataset-from-file "$(textattack-bat data-path datasets.py)" --attack bat-triplet \
    --num-epochs 1 --output-dir "$WORK/run" > /dev/null 2> "$WORK/train.err"
grep "^textattack: " "$WORK/train.err" | grep -v "Loading\|Writing\|Goal function" > "$WORK/train.txt"
sed -n '/Result 1 /,/Result 2 /p' "$WORK/attack.txt" | sed '$d' > "$OUT/attack.txt"
grep -v "^wrote " "$WORK/evaluate.txt" | sed 's/[[:space:]]*$//' > "$OUT/evaluate.txt"
cp "$WORK/train.txt" "$OUT/train.txt"
rm -rf "$WORK"
echo "wrote $OUT/attack.txt, evaluate.txt, train.txt"
