#!/usr/bin/env bash
# Epoch seconds and samples/s of the seeds' MLP (SGD 0.01, batch 256) and CNN (Adam 1e-3, batch 64) through `lockstep train`, and the RSS curve of
# a long CNN run. Usage: bench/epochs.sh [EPOCHS_FOR_TIMING=3] [EPOCHS_FOR_RSS=10]
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

# RSS of a CNN run, sampled every 2 s; flat means the step and epoch scopes release everything.
"$ROOT/lockstep" train --model cnn --epochs "$RSS_EPOCHS" --log-interval 0 > "$WORK/rss.log" 2>&1 &
PID=$!
while kill -0 "$PID" 2>/dev/null; do
  JPID="$(pgrep -P "$PID" java || echo "$PID")"
  awk '/VmRSS/ {print $2}' "/proc/$JPID/status" 2>/dev/null >> "$WORK/rss.txt" || true
  sleep 2
done
wait "$PID"
python3 - "$WORK/rss.txt" "$RSS_EPOCHS" <<'PY'
import statistics, sys
kb = [int(x) for x in open(sys.argv[1]).read().split()]
epochs = int(sys.argv[2])
# Medians per tenth of the run: evaluation (batches of 1000) adds short spikes that medians skip.
tenth = max(1, len(kb) // 10)
med = [statistics.median(kb[i:i + tenth]) / 1024 for i in range(0, tenth * 10, tenth)]
steady = med[1:]  # the first tenth includes start-up
print("cnn %d epochs: %d RSS samples every 2 s; median RSS per tenth of the run (MiB): %s" % (epochs, len(kb), " ".join("%.0f" % m for m in med)))
print("after the first tenth: min %.0f MiB, max %.0f MiB, spread %.1f%% of min; peak sample %.0f MiB" % (min(steady), max(steady), 100 * (max(steady) - min(steady)) / min(steady), max(kb) / 1024))
PY
