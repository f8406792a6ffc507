#!/usr/bin/env bash
# Lockstep builds against each other and the raw loop (issue 8): REPS rounds of the seeds' MODEL for
# EPOCHS epochs on 2 threads, each round running every build and the raw loop once and starting
# with another runner; then per epoch and runner the median seconds and, against raw, the ratio of
# medians and the median and interquartile range of the rounds' paired ratios; with several epochs,
# the same for each run's epochs together ("all").
# A build is NAME=DIR[:ARGS]: a checkout (`git worktree add DIR COMMIT`) whose `lockstep` command
# is built, plus extra `lockstep train` arguments with '+' for spaces (nw0=.:--num-workers+0).
# The raw loop is this checkout's. Usage: bench/builds.sh REPS EPOCHS MODEL NAME=DIR[:ARGS]...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(( $# >= 4 )) || { sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 2; }
REPS=$1 EPOCHS=$2 MODEL=$3
shift 3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
source "$ROOT/lockstep-env.sh"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/bench/runners.sh"
RUNNERS=("$@" raw)

run() { # RUNNER ROUND: appends "NAME EPOCH SECONDS" lines to $WORK/times
  if [[ $1 == raw ]]; then
    raw_loop "$MODEL" "$EPOCHS" 2 | epoch_seconds raw >> "$WORK/times"
    return
  fi
  local name=${1%%=*} spec=${1#*=} args=""
  local dir=${spec%%:*}
  [[ $spec == *:* ]] && args=${spec#*:}
  # shellcheck disable=SC2086 # the extra arguments are meant to split
  ROOT="$(cd "$dir" && pwd)" lockstep_seeds "$MODEL" "$EPOCHS" 2 "$2" "$WORK/out" ${args//+/ }
  metrics_seconds "$name" "$WORK/out" >> "$WORK/times"
}

for round in $(seq "$REPS"); do
  for i in "${!RUNNERS[@]}"; do
    run "${RUNNERS[(round + i) % ${#RUNNERS[@]}]}" "$round"
  done
done
python3 - "$WORK/times" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, epoch, seconds = line.split()
    times[(int(epoch), name)].append(float(seconds))
epochs = sorted({e for e, _ in times})
names = sorted({n for _, n in times})
if len(epochs) > 1:  # a run's epochs together: one-time costs count wherever in the run they land
    for name in names:
        times[("all", name)] = [sum(run) for run in zip(*(times[(e, name)] for e in epochs))]
    epochs.append("all")
for epoch in epochs:
    raw = times[(epoch, "raw")]
    for name in names:
        t = times[(epoch, name)]
        line = "epoch %-3s %-10s median %.3f s (min %.3f, max %.3f, n %d)" % (epoch, name, statistics.median(t), min(t), max(t), len(t))
        if name != "raw":
            paired = sorted(a / b for a, b in zip(t, raw))
            n = len(paired)
            line += "  /raw: ratio of medians %.3f, paired median %.3f (IQR %.3f-%.3f)" % (
                statistics.median(t) / statistics.median(raw), statistics.median(paired), paired[n // 4], paired[3 * n // 4])
        print(line)
PY
