#!/usr/bin/env bash
# Builds Datasets/fashion-mnist.h5 (60,000 train / 10,000 test, uint8 images [N, 784],
# int64 labels [N]) from Debian's dataset-fashion-mnist package through
# `layerwise import idx`, then checks pixel and label checksums against the IDX source.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src=/usr/share/datasets/fashion-mnist
out="$root/Datasets/fashion-mnist.h5"

if [[ ! -d $src ]]; then
  echo "installing dataset-fashion-mnist"; sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
"$root/Scripts/bootstrap.sh"
(cd "$root" && swift build -c release >/dev/null)
lw="$root/.build/release/layerwise"

rm -f "$out"
"$lw" import idx "$src/train-images-idx3-ubyte.gz" "$src/train-labels-idx1-ubyte.gz" -o "$out" --group /train >/dev/null
"$lw" import idx "$src/t10k-images-idx3-ubyte.gz" "$src/t10k-labels-idx1-ubyte.gz" -o "$out" --group /test --append >/dev/null
"$lw" inspect "$out"

# Verify against the IDX source: counts and checksums of every pixel and label.
python3 - "$src" "$out" <<'PY'
import gzip, hashlib, sys
import h5py, numpy as np
src, out = sys.argv[1], sys.argv[2]
with h5py.File(out, "r") as f:
    for group, prefix, n in [("train", "train", 60000), ("test", "t10k", 10000)]:
        pixels = gzip.open(f"{src}/{prefix}-images-idx3-ubyte.gz").read()[16:]
        labels = gzip.open(f"{src}/{prefix}-labels-idx1-ubyte.gz").read()[8:]
        x, y = f[f"{group}/images"][:], f[f"{group}/labels"][:]
        assert x.shape == (n, 784) and y.shape == (n,), (x.shape, y.shape)
        assert hashlib.sha256(x.tobytes()).hexdigest() == hashlib.sha256(pixels).hexdigest(), "pixels differ"
        assert np.array_equal(y, np.frombuffer(labels, np.uint8).astype(np.int64)), "labels differ"
        assert np.bincount(y).tolist() == [n // 10] * 10
        print(f"{group}: {n} images, pixels and labels identical to the IDX source (sha256 {hashlib.sha256(pixels).hexdigest()[:16]}…)")
PY
