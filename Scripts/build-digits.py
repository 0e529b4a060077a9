#!/usr/bin/env python3
"""Writes Datasets/digits.h5 from scikit-learn's bundled digits (offline, 1,797 8x8
images, 64 features 0-16, 10 classes): /train/features [1400, 64] float32,
/train/labels [1400] int64, /test/features and /test/labels (the other 397 rows).
The split is a fixed permutation (numpy RandomState(0)); the file is not in git.

Usage: Scripts/build-digits.py [OUT.h5]
"""
import os
import sys

import h5py
import numpy as np
from sklearn.datasets import load_digits

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Datasets", "digits.h5")
digits = load_digits()
order = np.random.RandomState(0).permutation(len(digits.target))
train, test = order[:1400], order[1400:]
tmp = out + ".tmp.h5"
with h5py.File(tmp, "w") as f:
    f.attrs["source"] = "sklearn.datasets.load_digits(); rows split by numpy RandomState(0).permutation: 1400 train, 397 test"
    for name, rows in (("train", train), ("test", test)):
        f[f"{name}/features"] = digits.data[rows].astype(np.float32)
        f[f"{name}/labels"] = digits.target[rows].astype(np.int64)
        f[f"{name}/source_index"] = rows.astype(np.int64)
os.replace(tmp, out)
print(f"{out}: {len(train)} train, {len(test)} test rows x 64 features")
