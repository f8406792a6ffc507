#!/usr/bin/env bash
# The seed CNN's training step through libtorch's CPU convolution paths (dev.lockstep.bench.ConvPathsBench):
# default (oneDNN, contiguous images), PyTorch's channels-last recipe (a no-op for one-channel
# images), channels-last strides forced on the images (as Lockstep's recipe does), and oneDNN
# switched off (im2col + OpenBLAS).
# It runs with lockstep's environment (lockstep-env.sh), whose pinned malloc thresholds keep the
# same variant from moving between 7.4 and 12.6 ms a step from one run to the next.
# Usage: bench/conv_paths.sh [THREADS=2] [STEPS=300] [REPS=3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/lockstep-env.sh"
"$JAVA" "${JAVA_OPTS[@]}" -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")" \
  dev.lockstep.bench.ConvPathsBench "$ROOT/data/mnist" "${1:-2}" "${2:-300}" "${3:-3}"
