#!/usr/bin/env bash
# Epoch seconds and samples/s of the seeds' MLP (SGD 0.01, batch 256) and CNN (Adam 1e-3, batch 64) through `lockstep train`, and the RSS curve of
# a long CNN run (bench/rss.sh). Usage: bench/epochs.sh [EPOCHS_FOR_TIMING=3] [EPOCHS_FOR_RSS=10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TIMING_EPOCHS="${1:-3}"
RSS_EPOCHS="${2:-10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/lockstep" info

epochs_table() { # model, then the seed's optimiser flags
  local model=$1; shift
  "$ROOT/lockstep" train --model "$model" "$@" --epochs "$TIMING_EPOCHS" --log-interval 0 --out "$WORK/$model" >/dev/null
  /usr/bin/env python3 - "$WORK/$model/metrics.json" "$model" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for e in m["epochs"]:
    print("%-4s epoch %d: %7.2f s  %8.0f samples/s  test accuracy %.4f" % (sys.argv[2], e["epoch"], e["seconds"], e["samples_per_sec"], e["test_accuracy"]))
PY
}
epochs_table mlp --optimizer sgd --lr 0.01 --batch-size 256   # seed 001
epochs_table cnn                                              # seed 000: Adam 1e-3, batch 64

"$ROOT/bench/rss.sh" "$RSS_EPOCHS" single
