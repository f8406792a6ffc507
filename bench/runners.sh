# Sourced by compare.sh and profile.sh: Lockstep and the raw loop on the seeds' recipe, run alike.
# Needs ROOT set and lockstep-env.sh sourced ($JAVA, JAVA_OPTS: raw gets lockstep's environment).
BENCH_CP="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/bench/target/classpath.txt")"

# lockstep_seeds MODEL EPOCHS THREADS SEED OUT [ARG...]: `lockstep train` of $ROOT with the seeds'
# recipe (as raw and pytorch run it) and any further arguments; epoch seconds land in
# OUT/metrics.json, evaluation excluded.
lockstep_seeds() {
  "$ROOT/lockstep" train --model "$1" $( [[ $1 == mlp ]] && echo --optimizer sgd --lr 0.01 --batch-size 256 ) \
    --normalize none --random-crop 0 --lr-schedule constant --epochs "$2" --threads "$3" --log-interval 0 \
    --seed "$4" --out "$5" "${@:6}" >/dev/null
}

# raw_loop MODEL EPOCHS THREADS [JVM OPTION...]: RawLoop's lines ("raw MODEL epoch N: S s ...").
raw_loop() {
  local model=$1 epochs=$2 threads=$3
  shift 3
  "$JAVA" "${JAVA_OPTS[@]}" "$@" -cp "$BENCH_CP" dev.lockstep.bench.RawLoop "$model" "$epochs" "$threads" \
    "$ROOT/data/mnist"
}

# metrics_seconds LABEL OUT: "LABEL EPOCH SECONDS" for each epoch in OUT/metrics.json.
metrics_seconds() {
  python3 -c "import json, sys; [print(sys.argv[1], e['epoch'], '%.3f' % e['seconds']) for e in json.load(open(sys.argv[2]))['epochs']]" \
    "$1" "$2/metrics.json"
}

# epoch_seconds LABEL: the "... epoch N: S s ..." lines of RawLoop or pytorch_epoch.py on stdin as
# "LABEL N S".
epoch_seconds() {
  awk -v label="$1" '/ epoch / {sub(":", "", $4); print label, $4, $5}'
}
