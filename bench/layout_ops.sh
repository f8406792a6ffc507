#!/usr/bin/env bash
# The seed CNN's layer ops one at a time, contiguous against channels-last
# (dev.lockstep.bench.LayoutOpsBench), with lockstep's environment (lockstep-env.sh).
# Usage: bench/layout_ops.sh [THREADS=2] [ROUNDS=2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/lockstep-env.sh"
"$JAVA" "${JAVA_OPTS[@]}" -cp "$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")" \
  dev.lockstep.bench.LayoutOpsBench "${1:-2}" "${2:-2}"
