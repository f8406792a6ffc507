#!/usr/bin/env bash
# Weights interchange: trains the seed CNN (or MODEL) for one epoch with Lockstep, loads the written
# model.safetensors into the same architecture in Debian's PyTorch 1.13, and compares test accuracy.
# Needs: apt-get install --no-install-recommends python3-torch. Usage: bench/pytorch_weights.sh [cnn|mlp]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-cnn}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/lockstep" train --model "$MODEL" --log-interval 0 --out "$WORK" | tail -1
python3 -c "import json; print('lockstep test accuracy %.4f' % json.load(open('$WORK/metrics.json'))['test_accuracy'])"
cd "$ROOT/bench" && /usr/bin/python3 pytorch_weights.py "$MODEL" "$WORK/model.safetensors" "$ROOT/data/mnist"
