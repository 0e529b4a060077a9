#!/usr/bin/env bash
# Builds Datasets/fashion-mnist.h5 (60,000 train / 10,000 test, uint8 images [N, 784],
# int64 labels [N]; git-ignored) from Debian's dataset-fashion-mnist package through
# `layerwise import idx`, then checks every pixel and label against the IDX source
# with h5dump. Runs from any folder; installs what is missing. Usage: [OUT.h5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/data-common.sh"
out="${1:-$root/Datasets/fashion-mnist.h5}"

ensure_source
build_cli
"$lw" import idx "$src/train-images-idx3-ubyte.gz" "$src/train-labels-idx1-ubyte.gz" -o "$out" --group /train --force
"$lw" import idx "$src/t10k-images-idx3-ubyte.gz" "$src/t10k-labels-idx1-ubyte.gz" -o "$out" --group /test --append
"$lw" inspect "$out"
verify_group "$out" /train train
verify_group "$out" /test t10k
