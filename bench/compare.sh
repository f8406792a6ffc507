#!/usr/bin/env bash
# Side by side, interleaved, REPS repetitions each, for the seeds' MLP (SGD 0.01, batch 256) and CNN
# (Adam 1e-3, batch 64), one training epoch on MNIST with THREADS threads:
#   lockstep  `lockstep train --normalize none` (the seeds' pipeline, as raw and pytorch run it;
#             epoch seconds from metrics.json, evaluation excluded)
#   raw       the same loop straight on the presets' libtorch calls (dev.lockstep.bench.RawLoop)
#   pytorch   Debian's PyTorch 1.13 (apt-get install --no-install-recommends python3-torch), tuned:
#             OMP_WAIT_POLICY=passive and THREADS threads; skipped when /usr/bin/python3 lacks torch
# Usage: bench/compare.sh [REPS=3] [THREADS=2] [MODELS="mlp cnn"]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPS="${1:-3}"
THREADS="${2:-2}"
MODELS="${3:-mlp cnn}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
source "$ROOT/lockstep-env.sh" # raw gets the environment and JVM options lockstep runs with
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
BENCH_CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
HAVE_TORCH=0
/usr/bin/python3 -c "import torch" 2>/dev/null && HAVE_TORCH=1

for rep in $(seq "$REPS"); do
  for model in $MODELS; do
    "$ROOT/lockstep" train --model "$model" $( [[ $model == mlp ]] && echo --optimizer sgd --lr 0.01 --batch-size 256 ) \
      --normalize none --threads "$THREADS" --log-interval 0 --seed "$rep" --out "$WORK/ls" >/dev/null
    python3 -c "import json; e=json.load(open('$WORK/ls/metrics.json'))['epochs'][0]; print('lockstep $model %.3f' % e['seconds'])" >> "$WORK/times"
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$BENCH_CP" dev.lockstep.bench.RawLoop "$model" 1 "$THREADS" "$ROOT/data/mnist" \
      | awk -v m="$model" '{print "raw " m " " $5}' >> "$WORK/times"
    if [[ $HAVE_TORCH == 1 ]]; then
      (cd "$ROOT/bench" && /usr/bin/python3 pytorch_epoch.py "$model" 1 "$THREADS" "$ROOT/data/mnist") \
        | awk -v m="$model" '/ epoch / {print "pytorch " m " " $5}' >> "$WORK/times"
    fi
  done
done

python3 - "$WORK/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    who, model, sec = line.split()
    times.setdefault((model, who), []).append(float(sec))
print("%-5s %-9s %8s %8s %8s %10s" % ("model", "runner", "min s", "median", "max s", "samples/s"))
for model in [m for m in ("mlp", "cnn") if any(k[0] == m for k in times)]:
    for who in ("lockstep", "raw", "pytorch"):
        t = times.get((model, who))
        if t:
            print("%-5s %-9s %8.2f %8.2f %8.2f %10.0f" % (model, who, min(t), statistics.median(t), max(t), 60000 / statistics.median(t)))
    med = {w: statistics.median(times[(model, w)]) for w in ("lockstep", "raw", "pytorch") if (model, w) in times}
    print("%s: lockstep/raw = %.3f" % (model, med["lockstep"] / med["raw"]), end="")
    if "pytorch" in med:
        print(", pytorch/lockstep = %.2fx (speed-up of lockstep)" % (med["pytorch"] / med["lockstep"]), end="")
    print()
PY
