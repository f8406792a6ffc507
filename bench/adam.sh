#!/usr/bin/env bash
# The optimiser step alone on the CNN's parameters: Lockstep's Adam against libtorch's C++ Adam,
# ROUNDS epochs of 938 steps each, at 1 and at 2 threads (dev.lockstep.bench.AdamBench).
# Usage: bench/adam.sh [ROUNDS=3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
source "$ROOT/lockstep-env.sh"
for threads in 1 2; do
  "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.lockstep.bench.AdamBench "$threads" "${1:-3}"
done
