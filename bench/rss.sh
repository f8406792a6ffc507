#!/usr/bin/env bash
# RSS of a long seed-CNN run, sampled every 2 s from each training JVM, reported as the median of
# each of EPOCHS equal slices of the run (about one per epoch). Flat means the step and epoch
# scopes release everything.
#   single  ./lockstep train --epochs EPOCHS
#   ddp     ./lockstep train --strategy ddp --nproc-per-node 2 --epochs EPOCHS (each rank's JVM)
# Usage: bench/rss.sh [EPOCHS=20] [single|ddp]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EPOCHS="${1:-20}"
MODE="${2:-single}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ARGS=(train --model cnn --epochs "$EPOCHS" --log-interval 0)
[[ $MODE == ddp ]] && ARGS+=(--strategy ddp --nproc-per-node 2)
"$ROOT/lockstep" "${ARGS[@]}" > "$WORK/run.log" 2>&1 &
PID=$!
while kill -0 "$PID" 2>/dev/null; do
  # single: the script became the JVM; ddp: the agent's children are the ranks' JVMs
  for JPID in $( if [[ $MODE == ddp ]]; then pgrep -P "$PID" java || true; else echo "$PID"; fi ); do
    awk -v p="$JPID" '/VmRSS/ {print p, $2}' "/proc/$JPID/status" 2>/dev/null >> "$WORK/rss.txt" || true
  done
  sleep 2
done
wait "$PID" || { cat "$WORK/run.log"; exit 1; }
grep "Test accuracy" "$WORK/run.log" | tail -1
python3 - "$WORK/rss.txt" "$EPOCHS" "$MODE" <<'PY'
import statistics, sys
series = {}
for line in open(sys.argv[1]):
    pid, kb = line.split()
    series.setdefault(pid, []).append(int(kb))
slices = int(sys.argv[2])
for n, (pid, kb) in enumerate(sorted(series.items(), key=lambda s: int(s[0]))):
    size = max(1, len(kb) // slices)
    med = [statistics.median(kb[i:i + size]) / 1024 for i in range(0, size * slices, size) if kb[i:i + size]]
    steady = med[1:]  # the first slice includes start-up and loading the data
    who = "rank %d" % n if sys.argv[3] == "ddp" else "process"
    print("%s: %d samples; median RSS per slice (MiB): %s" % (who, len(kb), " ".join("%.0f" % m for m in med)))
    mean = statistics.mean(steady)
    print("%s: after the first slice min %.0f, max %.0f, mean %.0f MiB: within %+.1f%% / %+.1f%% of the mean; peak sample %.0f MiB"
          % (who, min(steady), max(steady), mean, 100 * (min(steady) - mean) / mean, 100 * (max(steady) - mean) / mean, max(kb) / 1024))
PY
