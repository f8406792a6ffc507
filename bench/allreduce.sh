#!/usr/bin/env bash
# All-reduce latency, algbw and busbw over Gloo on loopback for 1, 16 and 64 MB at world 2 and 4.
# Each rank is its own JVM with the torchrun environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"
source "$ROOT/lockstep-env.sh"
export OMP_NUM_THREADS=1
for world in 2 4; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pids=()
  for rank in $(seq 0 $((world - 1))); do
    MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$rank WORLD_SIZE=$world LOCAL_RANK=$rank LOCAL_WORLD_SIZE=$world \
      "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.lockstep.bench.AllReduceBench 1 16 64 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
done
