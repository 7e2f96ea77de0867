#!/usr/bin/env bash
# Fresh-venv install time with the README's install command (issues 2, 14), and the wheel's size.
#   bash bench/install_time.sh        (run from the project root; needs the package registry)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3 -m venv "$tmp/venv"
start=$(date +%s)
"$tmp/venv/bin/python" -m pip install -q torch==2.13.0
mid=$(date +%s)
"$tmp/venv/bin/python" -m pip install -q -e ".[offline,test]"
end=$(date +%s)
echo "python $("$tmp/venv/bin/python" -V 2>&1 | cut -d' ' -f2): torch $((mid - start)) s, package with [offline,test] $((end - mid)) s, total $((end - start)) s"
"$tmp/venv/bin/python" -m pip wheel -q --no-deps -w "$tmp/wheel" .
wheel=$(ls "$tmp"/wheel/textattack_bat-*.whl)
echo "wheel $(basename "$wheel"): $(du -k "$wheel" | cut -f1) KiB"
rm -rf "$tmp"
