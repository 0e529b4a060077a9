#!/usr/bin/env python3
"""Logistic regression on the same labeled rows as a Layerwise run, for the README's
digits measurement: for each results file, scikit-learn's LogisticRegression() with its
default settings is fitted on exactly the rows the run's classifier saw
(/data/labeled_indices and /data/validation_indices), scaled as the run scaled them
(/model/preprocessing), and scored on the test set; printed beside the run's own test
accuracy (/metrics/test), with scikit-learn's LabelSpreading (rbf and knn kernels,
defaults) given every training row and the same labels.

usage: digits-baseline.py DATA.h5 RESULTS.h5 [RESULTS.h5 ...]
  DATA.h5 holds /train/features, /train/labels, /test/features, /test/labels
  (`layerwise import csv` of Scripts/digits-csv.py's files)."""
import sys

import h5py
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading

if len(sys.argv) < 3:
    sys.exit(__doc__)
with h5py.File(sys.argv[1]) as f:
    X = f["train/features"][:].astype(np.float64)
    y = f["train/labels"][:]
    Xt = f["test/features"][:].astype(np.float64)
    yt = f["test/labels"][:]


def scaled(a, p):
    kind = p.attrs["scale"]
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "unit":
        return (a - p.attrs["min"]) / (p.attrs["max"] - p.attrs["min"])
    if kind == "minmax":
        return (a - p["min"][:]) / (p["max"][:] - p["min"][:])
    if kind == "standardize":
        return (a - p["mean"][:]) / p["std"][:]
    return a


rows = []
print(f"{'seed':>4}  {'labeled':>7}  {'layerwise':>9}  {'logreg':>7}  {'difference':>10}  {'LS rbf':>7}  {'LS knn':>7}  results")
for path in sys.argv[2:]:
    with h5py.File(path) as r:
        idx = np.concatenate([r["data/labeled_indices"][:], r["data/validation_indices"][:]])
        p = r["model/preprocessing"]
        Xs, Xts = scaled(X, p), scaled(Xt, p)
        ours = float(r["metrics/test"].attrs["accuracy"])
        seed = int(r.attrs["seed"])
    theirs = LogisticRegression().fit(Xs[idx], y[idx]).score(Xts, yt)
    # LabelSpreading sees every training row, labeled only where the run's classifier was.
    partial = np.full(len(y), -1)
    partial[idx] = y[idx]
    rbf = LabelSpreading(kernel="rbf").fit(Xs, partial).score(Xts, yt)
    knn = LabelSpreading(kernel="knn").fit(Xs, partial).score(Xts, yt)
    rows.append((ours, theirs, rbf, knn))
    print(f"{seed:>4}  {len(idx):>7}  {ours:>9.4f}  {theirs:>7.4f}  {100 * (ours - theirs):>+9.1f}pt  {rbf:>7.4f}  {knn:>7.4f}  {path}")
ours, theirs, rbf, knn = np.array(rows).T
print(f"mean  {'':>7}  {ours.mean():>9.4f}  {theirs.mean():>7.4f}  {100 * (ours.mean() - theirs.mean()):>+9.1f}pt  "
      f"{rbf.mean():>7.4f}  {knn.mean():>7.4f}")
