#!/bin/bash
# README line 1, verbatim, in a fresh clone with an empty home directory and none of the project's
# variables set; prints the wall time. Usage: bash bench/readme_line1_timed.sh [CLONE_DIR]
set -e
clone=${1:-/tmp/readme-line1}
rm -rf "$clone"
git clone -q "$(git rev-parse --show-toplevel)" "$clone"
cd "$clone"
git log --oneline -1
line1=$(sed -n 4p README.md)
echo "LINE1: $line1"
home=$(mktemp -d)
start=$(date +%s)
env -u NLTK_DATA -u TEXTATTACK_BAT_SHARED -u HF_HUB_OFFLINE -u TRANSFORMERS_OFFLINE \
    -u HF_DATASETS_OFFLINE -u TA_CACHE_DIR -u TOKENIZERS_PARALLELISM -u PYTHONPATH \
    HOME="$home" PATH="$(dirname "$(python3 -c 'import sys; print(sys.executable)')"):$PATH" \
    bash -c "$line1" 2>&1 | grep --line-buffered -a -v "it/s\|s/it\|is ignored"
echo "WALL $(($(date +%s) - start)) s"
