#!/usr/bin/env bash
# DDP step time with vs without gradient communication (DdpOverlapBench) on loopback.
# Usage: bench/ddp_overlap.sh [WORLD=2] [FIRST_BUCKET_MIB=1]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORLD="${1:-2}"
FIRST_BUCKET_MIB="${2:-1}"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
source "$ROOT/lockstep-env.sh"
export OMP_NUM_THREADS=1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
for rank in $(seq 0 $((WORLD - 1))); do
  MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$rank WORLD_SIZE=$WORLD LOCAL_RANK=$rank LOCAL_WORLD_SIZE=$WORLD \
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.lockstep.bench.DdpOverlapBench "$ROOT/data/mnist" "$FIRST_BUCKET_MIB" 2>&1 | grep -v Gloo &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
