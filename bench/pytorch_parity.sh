#!/usr/bin/env bash
# Seed 001 (MLP, SGD lr 0.01, batch 256, one epoch) in Lockstep and in Debian's PyTorch 1.13 from the
# same initial weights and batch order; prints the largest per-batch loss difference.
# Needs: apt-get install --no-install-recommends python3-torch   (run with /usr/bin/python3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
SEED=1 BATCH=256 LR=0.01
"$ROOT/lockstep" info >/dev/null   # builds the project if needed
CLI="$ROOT/lockstep-cli/target"
CP="$(ls "$ROOT"/*/target/*-0.1.0-SNAPSHOT.jar | tr '\n' ':')$(cat "$CLI/classpath.txt")"

# Lockstep's initial weights for this seed and its epoch-1 order, through its own API.
cat > "$WORK/export.jsh" <<JSH
import dev.lockstep.tensor.Torch;
Torch.manualSeed($SEED);
var model = dev.lockstep.models.ModelKind.MLP.create();
dev.lockstep.io.Safetensors.save(model.stateDict(), java.nio.file.Path.of("$WORK/init.safetensors"));
var order = dev.lockstep.data.RandomSampler.permutation(60000, $SEED, 0);
java.nio.file.Files.writeString(java.nio.file.Path.of("$WORK/order.txt"),
    java.util.Arrays.stream(order).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(" ")));
/exit
JSH
OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=1 jshell --class-path "$CP" -R-Dlockstep.home="$ROOT" "$WORK/export.jsh"

"$ROOT/lockstep" train --model mlp --optimizer sgd --lr $LR --batch-size $BATCH --epochs 1 --seed $SEED \
  --log-interval 1 --threads 2 | awk -F'Loss: ' '/Train Epoch/ {print "batch " n++ " " $2}' > "$WORK/lockstep.txt"
OMP_WAIT_POLICY=passive /usr/bin/python3 "$ROOT/bench/pytorch_parity.py" "$ROOT/data/mnist" "$WORK/init.safetensors" \
  "$WORK/order.txt" $BATCH $LR > "$WORK/pytorch.txt"

paste "$WORK/lockstep.txt" "$WORK/pytorch.txt" | awk '
  { d = $3 - $6; if (d < 0) d = -d; if (d > max) max = d; n++
    if (n == 1 || n % 47 == 0) printf "batch %3d  lockstep %s  pytorch %s\n", $2, $3, $6 }
  END { printf "batches compared: %d, max |loss difference|: %.2e\n", n, max; exit (n == 235 && max <= 1e-4) ? 0 : 1 }'
