#!/usr/bin/env python3
"""Writes the Wisconsin diagnostic breast-cancer table in the layout UCI publishes it
(`wdbc.data`: no header; an id, the diagnosis M or B, then 30 features in their own units,
from 0.001 to 4,254), for the README's walkthrough of a table as it is published. The 569
rows are scikit-learn's bundled copy of the UCI file (`sklearn.datasets.load_breast_cancer()`,
no download); that copy leaves out the ids, so each row gets a unique random 6- to 9-digit
id (numpy default_rng(0)), as the UCI file has.

  OUT/wdbc-train.data   450 rows
  OUT/wdbc-test.data    the other 119

The split is numpy RandomState(0)'s permutation of the rows, the one
Scripts/accuracy-table.py uses for breast cancer.

usage: breast-cancer-csv.py [--out DIR]"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_breast_cancer

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".")
a = ap.parse_args()

d = load_breast_cancer()
ids = 100_000 + np.random.default_rng(0).choice(999_900_000, len(d.target), replace=False)
order = np.random.RandomState(0).permutation(len(d.target))
os.makedirs(a.out, exist_ok=True)
for name, rows in [("wdbc-train.data", order[:450]), ("wdbc-test.data", order[450:])]:
    path = os.path.join(a.out, name)
    with open(path, "w") as f:
        for i in rows:
            # load_breast_cancer's target is 0 = malignant, 1 = benign.
            f.write(",".join([str(ids[i]), "B" if d.target[i] == 1 else "M"] + ["%g" % v for v in d.data[i]]) + "\n")
    print(f"{path}: {len(rows)} rows: id, diagnosis (M/B), 30 features")
