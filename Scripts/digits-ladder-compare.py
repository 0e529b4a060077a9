#!/usr/bin/env python3
"""Runs Pipelines/digits-ladder.yaml for several seeds and compares its test accuracy
with scikit-learn's LogisticRegression (defaults) fitted on the same labeled rows
(/data/labeled_indices and validation_indices of each results file) with the same
scaling (unit: the training set's global min-max).

Usage: Scripts/digits-ladder-compare.py [--seeds 0,1,2,3,4] [--binary PATH] [-- --set k=v ...]
Needs Datasets/digits.h5 (Scripts/build-digits.py) and a built layerwise (default
.build/release/layerwise).
"""
import argparse
import os
import subprocess
import sys
import time

import h5py
import numpy as np
from sklearn.linear_model import LogisticRegression

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ap = argparse.ArgumentParser()
ap.add_argument("--seeds", default="0,1,2,3,4")
ap.add_argument("--binary", default=os.path.join(root, ".build", "release", "layerwise"))
ap.add_argument("--pipeline", default=os.path.join(root, "Pipelines", "digits-ladder.yaml"))
ap.add_argument("--threads", default="1")
ap.add_argument("extra", nargs="*", help="more layerwise run arguments, e.g. --set ladder.epochs=50")
args = ap.parse_args()

with h5py.File(os.path.join(root, "Datasets", "digits.h5"), "r") as f:
    X, y = f["train/features"][:], f["train/labels"][:]
    Xt, yt = f["test/features"][:], f["test/labels"][:]
lo, hi = X.min(), X.max()
X, Xt = (X - lo) / (hi - lo), (Xt - lo) / (hi - lo)

rows = []
for seed in [int(s) for s in args.seeds.split(",")]:
    out = os.path.join(root, "runs", f"digits-compare-{seed}", "results.h5")
    cmd = [args.binary, "run", args.pipeline, "--quiet", "--threads", args.threads, "--set", f"seed={seed}",
           "--set", f"output.results={out}"] + args.extra
    t0 = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    seconds = time.time() - t0
    with h5py.File(out, "r") as f:
        acc = float(f["metrics/test"].attrs["accuracy"])
        base = float(f["metrics/baseline"].attrs["accuracy"]) if "metrics/baseline" in f else float("nan")
        idx = np.concatenate([f["data/labeled_indices"][:], f["data/validation_indices"][:]]).astype(int)
    lr = LogisticRegression().fit(X[idx], y[idx]).score(Xt, yt)
    rows.append((seed, acc, lr, base, seconds))
    print(f"seed {seed}: ladder {acc:.4f}  logistic regression {lr:.4f}  gain {100 * (acc - lr):+.1f} points  "
          f"labels-only network {base:.4f}  ({seconds:.0f} s, {len(idx)} labeled rows)", flush=True)
a = np.array([r[1:4] for r in rows])
print(f"mean: ladder {a[:, 0].mean():.4f}  logistic regression {a[:, 1].mean():.4f}  "
      f"gain {100 * (a[:, 0].mean() - a[:, 1].mean()):+.1f} points  labels-only network {np.nanmean(a[:, 2]):.4f}")
sys.exit(0 if a[:, 0].mean() - a[:, 1].mean() >= 0.05 else 1)
