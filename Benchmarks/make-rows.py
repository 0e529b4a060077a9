#!/usr/bin/env python3
"""Writes a large unlabeled training set for the streaming benchmark (not committed).

usage: python3 Benchmarks/make-rows.py ROWS OUT.h5

/train/images: uint8 [ROWS, 784] in chunks of 1337 rows (1 MiB, as `layerwise import`
writes them), uncompressed: Fashion-MNIST's training images (Datasets/fashion-mnist.h5),
repeated, each copy shifted by up to 2 pixels and given a little noise, so no two rows
are the same. /train/labels: int64, -1 (unlabeled) except the original 60,000 rows' own.
/test: Fashion-MNIST's test set.
"""
import sys
import h5py
import numpy as np

rows, out = int(sys.argv[1]), sys.argv[2]
src = h5py.File("Datasets/fashion-mnist.h5", "r")
images = src["/train/images"][:].reshape(-1, 28, 28)
labels = src["/train/labels"][:]
rng = np.random.default_rng(0)
with h5py.File(out, "w") as f:
    x = f.create_dataset("/train/images", shape=(rows, 784), dtype="u1", chunks=(1337, 784))
    y = np.full(rows, -1, dtype=np.int64)
    y[: min(rows, len(labels))] = labels[: min(rows, len(labels))]
    f["/train/labels"] = y
    f["/test/images"] = src["/test/images"][:]
    f["/test/labels"] = src["/test/labels"][:]
    block = 60_000
    for start in range(0, rows, block):
        n = min(block, rows - start)
        k = start // block
        shifted = images if k == 0 else np.roll(images, (rng.integers(-2, 3), rng.integers(-2, 3)), axis=(1, 2))
        noisy = shifted[:n].astype(np.int16) + (0 if k == 0 else rng.integers(-8, 9, size=(n, 28, 28)))
        x[start:start + n] = np.clip(noisy, 0, 255).astype(np.uint8).reshape(n, 784)
print(f"{out}: {rows} rows")
