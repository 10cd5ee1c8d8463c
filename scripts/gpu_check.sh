#!/usr/bin/env bash
# GPU check: measure medium and large presets in float32 and bfloat16 (python and device loop)
# on the local accelerator, keep each result as JSON, check the timing against an independent
# plain loop, and print one short table at the end.
# Runs from the source tree, without installing: bash scripts/gpu_check.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-benchmarks/reference}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python3 -c 'import jax; print("jax", jax.__version__, jax.devices())'
files=()
for preset in medium large; do
  for dtype in float32 bfloat16; do
    file="$out/$preset-$dtype.json"
    python3 -m advisor measure --preset "$preset" --dtype "$dtype" --device gpu --budget 8 \
      --no-save --no-progress --output "$file" >> "$out/tables.txt"
    files+=("$file")
  done
done
python3 scripts/validate_timing.py --preset medium --seconds 20 --rounds 2 | tee "$out/validate_timing.txt"
python3 scripts/summarize.py "${files[@]}" | tee "$out/summary.txt"
