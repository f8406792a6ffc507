#!/usr/bin/env bash
# RSS of a long seed-CNN run, sampled every 2 s from each training JVM, reported as the median of
# each of EPOCHS equal slices of the run (about one per epoch). Flat means the step and epoch
# scopes release everything; a second line gives the part of it in transparent huge pages.
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
"$ROOT/lockstep" train --help >/dev/null # build (and archive the classes) before sampling starts
"$ROOT/lockstep" "${ARGS[@]}" > "$WORK/run.log" 2>&1 &
PID=$!
while kill -0 "$PID" 2>/dev/null; do
  # single: the script became the JVM; ddp: the agent's children are the ranks' JVMs
  for JPID in $( if [[ $MODE == ddp ]]; then pgrep -P "$PID" java || true; else echo "$PID"; fi ); do
    # RSS and, of it, the transparent huge pages: RSS that grows with them is the kernel filling
    # ranges libtorch advised (THP_MEM_ALLOC_ENABLE), not tensors left alive
    { awk '/VmRSS/ {printf "%s ", $2}' "/proc/$JPID/status" && awk '/AnonHugePages/ {print $2}' "/proc/$JPID/smaps_rollup"; } \
      2>/dev/null | awk -v p="$JPID" 'NF == 2 {print p, $1, $2}' >> "$WORK/rss.txt" || true
  done
  sleep 2
done
wait "$PID" || { cat "$WORK/run.log"; exit 1; }
grep "Test accuracy" "$WORK/run.log" | tail -1
python3 - "$WORK/rss.txt" "$EPOCHS" "$MODE" <<'PY'
import statistics, sys
series = {}
huge = {}
for line in open(sys.argv[1]):
    pid, kb, huge_kb = line.split()
    series.setdefault(pid, []).append(int(kb))
    huge.setdefault(pid, []).append(int(huge_kb))
slices = int(sys.argv[2])

def medians(values, size):
    return [statistics.median(values[i:i + size]) / 1024 for i in range(0, size * slices, size) if values[i:i + size]]

for n, (pid, kb) in enumerate(sorted(series.items(), key=lambda s: int(s[0]))):
    size = max(1, len(kb) // slices)
    med = medians(kb, size)
    steady = med[1:]  # the first slice includes start-up and loading the data
    who = "rank %d" % n if sys.argv[3] == "ddp" else "process"
    print("%s: %d samples; median RSS per slice (MiB): %s" % (who, len(kb), " ".join("%.0f" % m for m in med)))
    print("%s: of which transparent huge pages (MiB): %s" % (who, " ".join("%.0f" % m for m in medians(huge[pid], size))))
    mean = statistics.mean(steady)
    print("%s: after the first slice min %.0f, max %.0f, mean %.0f MiB: within %+.1f%% / %+.1f%% of the mean; peak sample %.0f MiB"
          % (who, min(steady), max(steady), mean, 100 * (min(steady) - mean) / mean, 100 * (max(steady) - mean) / mean, max(kb) / 1024))
PY
