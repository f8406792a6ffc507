#!/usr/bin/env bash
# Where the training thread's CPU goes during the epochs, Lockstep against the raw loop (issue 8).
# async-profiler (tools.profiler:async-profiler, fetched from Maven Central) samples CPU time at 4 kHz;
# bench/profile_summary.py counts the training thread's samples inside the epoch loop
# (Trainer.trainEpoch, RawLoop.trainEpoch) by the frame on top of the stack: java (interpreted, C1,
# C2 or inlined code), sgemm (OpenBLAS), native (the rest of libtorch and libc) and kernel, lists
# the Java methods most often on top, and sets the runners' samples side by side by the presets'
# call they fall under (torch.linear, Tensor.backward, ...). Runs are as bench/compare.sh runs them; one profile is
# one run, and this machine's run-to-run noise is about ±15 %.
# Usage: bench/profile.sh [MODEL=mlp] [EPOCHS=1] [THREADS=2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-mlp}"
EPOCHS="${2:-1}"
THREADS="${3:-2}"
AP_VERSION=4.1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
[[ -f $AP_JAR ]] || mvn -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION"
(cd "$WORK" && unzip -q "$AP_JAR" linux-x64/libasyncProfiler.so)
agent() { echo "-agentpath:$WORK/linux-x64/libasyncProfiler.so=start,event=cpu,interval=250000,threads,ann,file=$WORK/$1.collapsed"; }
source "$ROOT/lockstep-env.sh"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests -pl bench -am package
source "$ROOT/bench/runners.sh"
LOCKSTEP_JAVA_OPTS="$(agent lockstep)" lockstep_seeds "$MODEL" "$EPOCHS" "$THREADS" 1 "$WORK/ls"
raw_loop "$MODEL" "$EPOCHS" "$THREADS" "$(agent raw)" | grep ' epoch '
python3 -c "import json; [print('lockstep $MODEL epoch %d: %.2f s' % (e['epoch'], e['seconds'])) for e in json.load(open('$WORK/ls/metrics.json'))['epochs']]"
python3 "$ROOT/bench/profile_summary.py" "lockstep=$WORK/lockstep.collapsed:main:Trainer.trainEpoch" \
  "raw=$WORK/raw.collapsed:DestroyJavaVM:RawLoop.trainEpoch"
