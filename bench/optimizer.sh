#!/usr/bin/env bash
# The optimiser step alone (dev.lockstep.bench.OptimizerBench): Lockstep's against libtorch's C++
# optimiser, the CNN's Adam (938 steps an epoch) or the MLP's plain SGD (235), ROUNDS epochs each,
# at 1 and at 2 threads. Usage: bench/optimizer.sh [ROUNDS=3] [MODEL=cnn]...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
source "$ROOT/lockstep-env.sh"
rounds=${1:-3}
models=("${@:2}")
(( ${#models[@]} )) || models=(cnn)
for model in "${models[@]}"; do
  for threads in 1 2; do
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.lockstep.bench.OptimizerBench "$model" "$threads" "$rounds"
  done
done
