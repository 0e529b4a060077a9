#!/usr/bin/env bash
# Builds Datasets/fashion-mnist-small.h5 (in git), the small real dataset the default
# pipeline and the tests use: the first 500 training and the first 100 test images of
# each class of Fashion-MNIST, in file order (5,000 / 1,000), imported from Debian's
# dataset-fashion-mnist package with `layerwise import idx --per-class`, then checked
# row by row against the IDX source. Runs from any folder; installs what is missing.
# Usage: build-small-dataset.sh [OUT.h5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/data-common.sh"
out="${1:-$root/Datasets/fashion-mnist-small.h5}"

ensure_source
build_cli
# gzip 9: the file lives in git, so every kilobyte is kept forever.
"$lw" import idx "$src/train-images-idx3-ubyte.gz" "$src/train-labels-idx1-ubyte.gz" -o "$out" --group /train \
  --per-class 500 --compression 9 --force
"$lw" import idx "$src/t10k-images-idx3-ubyte.gz" "$src/t10k-labels-idx1-ubyte.gz" -o "$out" --group /test \
  --per-class 100 --compression 9 --append
"$lw" inspect "$out"
verify_group "$out" /train train 500
verify_group "$out" /test t10k 100
