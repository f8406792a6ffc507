#!/usr/bin/env bash
# The cost of making one batch (dev.lockstep.bench.GatherBench): MNIST rows gathered as floats,
# or as uint8 pixels then converted, for the CNN's batch (64) and the MLP's (256), at 1 and 2
# libtorch threads, ROUNDS rounds of 1,000 batches each; beside them the indices alone and a copy
# of consecutive rows (the floor for any new float batch).
# Usage: bench/gather.sh [ROUNDS=3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
source "$ROOT/lockstep-env.sh"
for batch in 64 256; do
  for threads in 1 2; do
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.lockstep.bench.GatherBench "$batch" "$threads" "${1:-3}" "$ROOT/data/mnist"
  done
done
