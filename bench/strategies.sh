#!/usr/bin/env bash
# The seeds' CNN, one epoch, through each strategy on this machine's CPU cores:
#   single  1 process, 1 device, all cores (THREADS)
#   dp      1 process, DataParallel over N CPU replicas, THREADS/N cores each
#   ddp     N processes (lockstep run), THREADS/N cores each
# Prints epoch seconds, samples/s and test accuracy of each. Usage: bench/strategies.sh [N=2] [THREADS=2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-2}"
THREADS="${2:-2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DEVICES=$(python3 -c "print(','.join(['cpu'] * $N))")
run() { # name, args...
  local name=$1; shift
  "$ROOT/lockstep" train --log-interval 0 --seed 1 --out "$WORK/$name" "$@" >/dev/null
  python3 -c "import json; e=json.load(open('$WORK/$name/metrics.json'))['epochs'][0]; print('%-28s %7.2f s %7.0f samples/s  test accuracy %.4f' % ('$name', e['seconds'], e['samples_per_sec'], e['test_accuracy']))"
}
run "single x${THREADS} threads" --strategy single --threads "$THREADS"
run "single x1 thread" --strategy single --threads 1
run "dp ${N} replicas" --strategy dp --devices "$DEVICES" --threads "$THREADS"
OMP_NUM_THREADS=$(( THREADS / N > 0 ? THREADS / N : 1 )) run "ddp ${N} ranks" --strategy ddp --nproc-per-node "$N"
