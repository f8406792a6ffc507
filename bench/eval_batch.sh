#!/usr/bin/env bash
# The seed CNN's evaluation over MNIST's test set at several batch sizes
# (dev.lockstep.bench.EvalBatchBench): milliseconds and minor page faults per pass, with
# lockstep's environment (lockstep-env.sh), the batch sizes interleaved round by round.
# Usage: bench/eval_batch.sh [THREADS=2] [ROUNDS=3] [BATCH...=1000 500 256 64]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/lockstep-env.sh"
threads=${1:-2} rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
(( $# > 0 )) || set -- 1000 500 256 64
"$JAVA" "${JAVA_OPTS[@]}" -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")" \
  dev.lockstep.bench.EvalBatchBench "$ROOT/data/mnist" "$threads" "$rounds" "$@"
