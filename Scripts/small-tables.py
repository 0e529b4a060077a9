#!/usr/bin/env python3
"""Layerwise's design pipeline on two small real tables with columns in different units
(scikit-learn's bundled breast-cancer and wine sets), beside what a practitioner fits
first on exactly the labeled rows each results file records (/data/labeled_indices and
validation_indices): scikit-learn's LogisticRegression(), LabelSpreading (rbf, knn) and
self-training of LogisticRegression (SelfTrainingClassifier),
features min-max scaled per column on the training rows.

Each table is split once (numpy RandomState(0) permutation: breast cancer 450 train /
119 test, wine 140 / 38); each seed draws its own balanced labeled rows
(`labeled: {per_class: N}`: 10 per class for breast cancer, 5 for wine).

Usage: Scripts/small-tables.py [--pipeline design|design-vat|ladder|minimal] [--seeds 0,1,2,3,4] [--binary PATH] [--out DIR]
                               [-- --set k=v ...]
Prints one row per table and seed, then the means; needs a built layerwise
(default .build/release/layerwise).
"""
import argparse
import os
import subprocess
import time

import h5py
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ap = argparse.ArgumentParser()
ap.add_argument("--seeds", default="0,1,2,3,4")
ap.add_argument("--binary", default=os.path.join(root, ".build", "release", "layerwise"))
ap.add_argument("--out", default=os.path.join(root, "runs", "small-tables"))
ap.add_argument("--threads", default="2")
ap.add_argument("--tables", default="", help="comma-separated subset of breast_cancer,wine,digits")
ap.add_argument("--pipeline", default="design", choices=["design", "design-vat", "ladder", "minimal"],
                help="design: pretrain [64, 32] + classifier + fine_tune; design-vat: the same with fine_tune.vat: {}; "
                     "ladder: ladder: {}; minimal: data: only")
ap.add_argument("extra", nargs="*", help="more layerwise run arguments, e.g. --set data.scale=unit")
args = ap.parse_args()
args.out = os.path.abspath(args.out)

TABLES = {"breast_cancer": (load_breast_cancer, 450, 10), "wine": (load_wine, 140, 5), "digits": (load_digits, 1400, 10)}
if args.tables:
    TABLES = {k: v for k, v in TABLES.items() if k in args.tables.split(",")}
PIPELINE = """name: {name}
seed: 0
data:
  train: {file}:/train/features
  train_labels: {file}:/train/labels
  test: {file}:/test/features
  test_labels: {file}:/test/labels
  labeled: {{per_class: {per_class}}}
{stages}output:
  results: {out}/{{name}}-{{seed}}/results.h5
"""

DESIGN = "pretrain:\n  layers: [64, 32]\nclassifier: {{}}\n"
STAGES = {"design": DESIGN + "fine_tune: {{}}\n", "design-vat": DESIGN + "fine_tune: {{vat: {{}}}}\n",
          "ladder": "ladder: {{}}\n", "minimal": ""}
PIPELINE = PIPELINE.replace("{stages}", STAGES[args.pipeline])
os.makedirs(args.out, exist_ok=True)
summary = []
for name, (load, n_train, per_class) in TABLES.items():
    d = load()
    order = np.random.RandomState(0).permutation(len(d.target))
    tr, te = order[:n_train], order[n_train:]
    X, y, Xt, yt = d.data[tr].astype(np.float32), d.target[tr], d.data[te].astype(np.float32), d.target[te]
    file = os.path.join(args.out, f"{name}.h5")
    with h5py.File(file, "w") as f:
        f["train/features"], f["train/labels"] = X, y.astype(np.int64)
        f["test/features"], f["test/labels"] = Xt, yt.astype(np.int64)
    pipeline = os.path.join(args.out, f"{name}.yaml")
    with open(pipeline, "w") as f:
        f.write(PIPELINE.format(name=name, file=file, per_class=per_class, out=args.out))
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1)
    Xs, Xts = (X - lo) / span, (Xt - lo) / span
    for seed in [int(s) for s in args.seeds.split(",")]:
        t0 = time.time()
        subprocess.run([args.binary, "run", pipeline, "--quiet", "--threads", args.threads, "--set", f"seed={seed}"]
                       + args.extra, check=True, stdout=subprocess.DEVNULL)
        seconds = time.time() - t0
        with h5py.File(os.path.join(args.out, f"{name}-{seed}", "results.h5"), "r") as f:
            ours = float(f["metrics/test"].attrs["accuracy"])
            idx = np.concatenate([f["data/labeled_indices"][:], f["data/validation_indices"][:]]).astype(int)
        lr = LogisticRegression().fit(Xs[idx], y[idx]).score(Xts, yt)
        partial = np.full(len(y), -1)
        partial[idx] = y[idx]
        rbf = LabelSpreading(kernel="rbf").fit(Xs, partial).score(Xts, yt)
        knn = LabelSpreading(kernel="knn").fit(Xs, partial).score(Xts, yt)
        st = SelfTrainingClassifier(LogisticRegression()).fit(Xs, partial).score(Xts, yt)
        summary.append((name, seed, ours, lr, rbf, knn, st, seconds))
        print(f"{name} seed {seed}: layerwise {100 * ours:.2f}  logistic regression {100 * lr:.2f}  "
              f"LabelSpreading rbf {100 * rbf:.2f}  knn {100 * knn:.2f}  self-training LR {100 * st:.2f}  "
              f"({seconds:.1f} s, {len(idx)} labeled rows)", flush=True)
print(f"\n| data (train, labels, test) | Layerwise {args.pipeline} pipeline | logistic regression | LabelSpreading rbf | "
      "LabelSpreading knn | self-training LR | s per run |")
print("|---|---|---|---|---|---|---|")
for name, (load, n_train, per_class) in TABLES.items():
    rows = np.array([r[2:] for r in summary if r[0] == name])
    n_classes = len(np.unique(load().target))
    n_test = len(load().target) - n_train
    m = rows.mean(axis=0)
    print(f"| {name} ({n_train}, {per_class * n_classes}, {n_test}) | {100 * m[0]:.2f} | {100 * m[1]:.2f} | "
          f"{100 * m[2]:.2f} | {100 * m[3]:.2f} | {100 * m[4]:.2f} | {m[5]:.1f} |")
