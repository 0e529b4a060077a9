#!/usr/bin/env python3
"""Writes scikit-learn's bundled digits dataset (1,797 images of 8x8 pixels, values
0-16, 10 classes; `sklearn.datasets.load_digits()`, no download) as two CSV files, for
the README's "your own data" walkthrough:

  OUT/digits-train.csv   the first 1,400 rows
  OUT/digits-test.csv    the remaining 397 rows

Each has a header line `pixel_0,...,pixel_63,label` and one row per image, numbers
written as numpy.savetxt writes them by default (`%.18e`, so labels read 0.0, 1.0, ...),
the way most users export an array.

usage: digits-csv.py [--out DIR] [--train-rows 1400] [--fmt %.18e]"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".")
ap.add_argument("--train-rows", type=int, default=1400)
ap.add_argument("--fmt", default="%.18e", help="numpy.savetxt format of every value (default: savetxt's own)")
a = ap.parse_args()

digits = load_digits()
table = np.column_stack([digits.data, digits.target.astype(np.float64)])
header = ",".join([f"pixel_{i}" for i in range(digits.data.shape[1])] + ["label"])
os.makedirs(a.out, exist_ok=True)
for name, rows in [("digits-train.csv", table[:a.train_rows]), ("digits-test.csv", table[a.train_rows:])]:
    path = os.path.join(a.out, name)
    np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt=a.fmt)
    print(f"{path}: {rows.shape[0]} rows x {rows.shape[1] - 1} features + label")
