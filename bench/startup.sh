#!/usr/bin/env bash
# Time to the first trained batch and MNIST decode time (issue 8), REPS times each:
#   first batch   from launching `lockstep train --log-interval 1` (built, natives already unpacked in
#                 ~/.javacpp/cache) to its first "Train Epoch" line, which is printed after batch 1
#   decode        both MNIST splits from the bundled .gz files to float tensors, in Java (DecodeBench,
#                 one JVM, the first repetition is what a run pays) and in Python (gzip + numpy + torch)
# Usage: bench/startup.sh [REPS=3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPS="${1:-3}"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
"$ROOT/lockstep" train --epochs 1 --log-interval 1 --help >/dev/null # build (and archive the classes) outside the timing
python3 "$ROOT/bench/first_batch.py" "$REPS" "Train Epoch" "$ROOT/lockstep" train --log-interval 1
python3 "$ROOT/bench/first_batch.py" "$REPS" "Train Epoch" "$ROOT/lockstep" train --model mlp --log-interval 1
source "$ROOT/lockstep-env.sh"
"$JAVA" "${JAVA_OPTS[@]}" -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")" \
  dev.lockstep.bench.DecodeBench "$ROOT/data/mnist" "$REPS"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  (cd "$ROOT/bench" && /usr/bin/python3 decode.py "$ROOT/data/mnist" "$REPS")
fi
