#!/usr/bin/env bash
# Side by side, interleaved (each repetition starting with another runner), REPS repetitions each,
# for the seeds' MLP (SGD 0.01, batch 256) and CNN (Adam 1e-3, batch 64), EPOCHS training epochs on
# MNIST with THREADS threads, each epoch reported on its own (the first one includes the JVM's warm-up):
#   lockstep  `lockstep train --normalize none --random-crop 0 --lr-schedule constant` (the seeds' recipe,
#             as raw and pytorch run it;
#             epoch seconds from metrics.json, evaluation excluded)
#   raw       the same loop straight on the presets' libtorch calls (dev.lockstep.bench.RawLoop)
#   pytorch   Debian's PyTorch 1.13 (apt-get install --no-install-recommends python3-torch), tuned:
#             OMP_WAIT_POLICY=passive and THREADS threads; skipped when /usr/bin/python3 lacks torch
# With NPROC > 1 both train with DistributedDataParallel over Gloo on NPROC processes of THREADS
# threads each, the global batch split between them (lockstep: `--strategy ddp --nproc-per-node`;
# pytorch: its processes started with torchrun's environment, as Debian's torchrun fails on Python
# 3.11); raw has no DDP twin and is left out.
# Usage: bench/compare.sh [REPS=3] [THREADS=2] [MODELS="mlp cnn"] [EPOCHS=1] [NPROC=1]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPS="${1:-3}"
THREADS="${2:-2}"
MODELS="${3:-mlp cnn}"
EPOCHS="${4:-1}"
NPROC="${5:-1}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
source "$ROOT/lockstep-env.sh" # raw gets the environment and JVM options lockstep runs with
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/bench/runners.sh"
HAVE_TORCH=0
/usr/bin/python3 -c "import torch" 2>/dev/null && HAVE_TORCH=1

DDP_ARGS=()
(( NPROC > 1 )) && DDP_ARGS=(--strategy ddp --nproc-per-node "$NPROC")

run_lockstep() { # MODEL REP
  lockstep_seeds "$1" "$EPOCHS" "$THREADS" "$2" "$WORK/ls" "${DDP_ARGS[@]}"
  metrics_seconds "lockstep $1" "$WORK/ls" >> "$WORK/times"
}
run_raw() {
  (( NPROC == 1 )) || return 0
  raw_loop "$1" "$EPOCHS" "$THREADS" | epoch_seconds "raw $1" >> "$WORK/times"
}
run_pytorch() {
  [[ $HAVE_TORCH == 1 ]] || return 0
  local port rank pids=()
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  for rank in $(seq 0 $((NPROC - 1))); do
    (cd "$ROOT/bench" && MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$rank WORLD_SIZE=$NPROC \
      /usr/bin/python3 pytorch_epoch.py "$1" "$EPOCHS" "$THREADS" "$ROOT/data/mnist") \
      | epoch_seconds "pytorch $1" >> "$WORK/times" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}

# Each repetition starts with another runner, so that none always follows PyTorch's long run.
RUNNERS=(lockstep raw pytorch)
for rep in $(seq "$REPS"); do
  for model in $MODELS; do
    for i in 0 1 2; do
      "run_${RUNNERS[(rep + i) % 3]}" "$model" "$rep"
    done
  done
done

python3 - "$WORK/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    who, model, epoch, sec = line.split()
    times.setdefault((model, int(epoch), who), []).append(float(sec))
print("%-5s %-5s %-9s %8s %8s %8s %10s" % ("model", "epoch", "runner", "min s", "median", "max s", "samples/s"))
for model, epoch in sorted({k[:2] for k in times}, key=lambda k: (("mlp", "cnn").index(k[0]), k[1])):
    for who in ("lockstep", "raw", "pytorch"):
        t = times.get((model, epoch, who))
        if t:
            print("%-5s %-5d %-9s %8.2f %8.2f %8.2f %10.0f" % (model, epoch, who, min(t), statistics.median(t), max(t), 60000 / statistics.median(t)))
    med = {w: statistics.median(times[(model, epoch, w)]) for w in ("lockstep", "raw", "pytorch") if (model, epoch, w) in times}
    ratios = []
    if "raw" in med:
        ratios.append("lockstep/raw = %.3f" % (med["lockstep"] / med["raw"]))
    if "pytorch" in med:
        ratios.append("pytorch/lockstep = %.2fx (speed-up of lockstep)" % (med["pytorch"] / med["lockstep"]))
    print("%s epoch %d: %s" % (model, epoch, ", ".join(ratios)))
PY
