#!/usr/bin/env python3
"""Builds Datasets/fashion-mnist-small.h5, the small real dataset the default pipeline
runs on, from Debian's dataset-fashion-mnist package (original IDX files).

Selection: the first 500 training images of each class (5,000, in original order)
and the first 100 test images of each class (1,000). Layout (SPEC §1):
/train/images uint8 [5000, 784], /train/labels int64 [5000], /train/source_index
int64 [5000] (row in the original IDX file), and the same under /test.
"""
import gzip, os, sys
import h5py, numpy as np

SRC = "/usr/share/datasets/fashion-mnist"
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Datasets", "fashion-mnist-small.h5")

def idx(name, magic, header):
    data = gzip.open(os.path.join(SRC, name)).read()
    assert int.from_bytes(data[:4], "big") == magic, f"{name}: bad magic"
    return np.frombuffer(data, np.uint8, offset=header)

def first_per_class(labels, n):
    return np.sort(np.concatenate([np.where(labels == c)[0][:n] for c in range(10)]))

tmp = OUT + ".tmp"
with h5py.File(tmp, "w") as f:
    for group, prefix, per_class in [("train", "train", 500), ("test", "t10k", 100)]:
        images = idx(f"{prefix}-images-idx3-ubyte.gz", 0x803, 16).reshape(-1, 784)
        labels = idx(f"{prefix}-labels-idx1-ubyte.gz", 0x801, 8).astype(np.int64)
        rows = first_per_class(labels, per_class)
        g = f.create_group(group)
        g.create_dataset("images", data=images[rows], chunks=(500, 784), compression="gzip", compression_opts=9, shuffle=True)
        g.create_dataset("labels", data=labels[rows], compression="gzip", shuffle=True)
        g.create_dataset("source_index", data=rows.astype(np.int64), compression="gzip", shuffle=True)
        g.attrs["source"] = f"{SRC}/{prefix}-images-idx3-ubyte.gz"
    f.attrs["description"] = "Fashion-MNIST subset: first 500 train / 100 test images per class (Zalando Research, MIT license)"
os.replace(tmp, OUT)
print(OUT, os.path.getsize(OUT), "bytes")
