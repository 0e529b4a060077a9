#!/usr/bin/env python3
"""Layerwise beside what a practitioner fits first in scikit-learn, on every data set this
script knows: scikit-learn's bundled breast-cancer and wine tables (columns in different
units), its 8x8 digits, and Fashion-MNIST at 100 and 1000 labels. The peers are fitted
with scikit-learn's defaults on exactly the labeled rows each results file records
(/data/labeled_indices and validation_indices), features min-max scaled per column on the
training rows: LogisticRegression(), LabelSpreading (rbf, knn) and self-training of
LogisticRegression (SelfTrainingClassifier). LabelSpreading rbf builds a dense N x N
kernel, so it is left out ("-") above 10,000 training rows.

The small tables are split once (numpy RandomState(0) permutation: breast cancer 450
train / 119 test, wine 140 / 38, digits 1,400 / 397); Fashion-MNIST uses its own 60,000 /
10,000 split (Datasets/fashion-mnist.h5, built by Scripts/build-fashion-mnist.sh when
missing). Each seed draws its own balanced labeled rows (`labeled: {per_class: N}`: 10
per class for breast cancer, digits and Fashion-MNIST at 100, 5 for wine, 100 for
Fashion-MNIST at 1000); 5 seeds on the small tables, 3 on Fashion-MNIST.

Pipelines (--pipeline): minimal (the default: `data:` alone, which runs the ladder sized
from the data), design (pretrain [64, 32] + classifier + fine_tune), design-vat (the same
with fine_tune.vat), ladder (`ladder: {}`).

Usage: Scripts/accuracy-table.py [--pipeline minimal|design|design-vat|ladder]
           [--tables breast_cancer,wine,digits,fashion_mnist_100,fashion_mnist_1000]
           [--seeds 0,1,2,3,4] [--fm-seeds 0,1,2] [--threads 2] [--binary PATH] [--out DIR]
           [-- --set k=v ...]
Prints one line per table and seed (with the wall time of the run: Layerwise with its own
baselines), then a markdown table of the means; needs a built layerwise (default
.build/release/layerwise). The Fashion-MNIST runs take about 7 minutes each.
"""
import argparse
import warnings
import os
import subprocess
import time

import h5py
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

# scikit-learn's defaults as a practitioner runs them: their convergence warnings are not ours to fix.
warnings.filterwarnings("ignore")
root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
ALL = ["breast_cancer", "wine", "digits", "fashion_mnist_100", "fashion_mnist_1000"]
ap = argparse.ArgumentParser()
ap.add_argument("--seeds", default="0,1,2,3,4", help="seeds of the small tables")
ap.add_argument("--fm-seeds", default="0,1,2", help="seeds of Fashion-MNIST")
ap.add_argument("--binary", default=os.path.join(root, ".build", "release", "layerwise"))
ap.add_argument("--out", default=os.path.join(root, "runs", "accuracy-table"))
ap.add_argument("--threads", default="2")
ap.add_argument("--tables", default=",".join(ALL), help="comma-separated subset of " + ",".join(ALL))
ap.add_argument("--pipeline", default="minimal", choices=["minimal", "design", "design-vat", "ladder"])
ap.add_argument("--rbf-max", type=int, default=10000, help="LabelSpreading rbf only up to this many training rows")
ap.add_argument("extra", nargs="*", help="more layerwise run arguments, e.g. --set data.scale=unit")
args = ap.parse_args()
args.out = os.path.abspath(args.out)
unknown = set(args.tables.split(",")) - set(ALL)
if unknown:
    ap.error(f"unknown tables {sorted(unknown)}; known: {', '.join(ALL)}")


def split_table(load, n_train):
    """A bundled scikit-learn table split once; written to OUT/NAME.h5 as /train, /test."""
    def make(name):
        d = load()
        order = np.random.RandomState(0).permutation(len(d.target))
        tr, te = order[:n_train], order[n_train:]
        X, y, Xt, yt = d.data[tr].astype(np.float32), d.target[tr], d.data[te].astype(np.float32), d.target[te]
        file = os.path.join(args.out, f"{name}.h5")
        with h5py.File(file, "w") as f:
            f["train/features"], f["train/labels"] = X, y.astype(np.int64)
            f["test/features"], f["test/labels"] = Xt, yt.astype(np.int64)
        return file, "features", X, y, Xt, yt
    return make


def fashion_mnist(name):
    file = os.path.join(root, "Datasets", "fashion-mnist.h5")
    if not os.path.exists(file):
        subprocess.run(["bash", os.path.join(root, "Scripts", "build-fashion-mnist.sh")], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(file, "r") as f:
        X, y = f["train/images"][:].astype(np.float32), f["train/labels"][:]
        Xt, yt = f["test/images"][:].astype(np.float32), f["test/labels"][:]
    return file, "images", X, y, Xt, yt


# name: (make, labels per class, seeds)
TABLES = {
    "breast_cancer": (split_table(load_breast_cancer, 450), 10, args.seeds),
    "wine": (split_table(load_wine, 140), 5, args.seeds),
    "digits": (split_table(load_digits, 1400), 10, args.seeds),
    "fashion_mnist_100": (fashion_mnist, 10, args.fm_seeds),
    "fashion_mnist_1000": (fashion_mnist, 100, args.fm_seeds),
}
TABLES = {k: v for k, v in TABLES.items() if k in args.tables.split(",")}
PIPELINE = """name: {name}
seed: 0
data:
  train: {file}:/train/{ds}
  train_labels: {file}:/train/labels
  test: {file}:/test/{ds}
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
summary, shapes = [], {}
for name, (make, per_class, seeds) in TABLES.items():
    file, ds, X, y, Xt, yt = make(name)
    shapes[name] = (len(y), per_class * len(np.unique(y)), len(yt))
    pipeline = os.path.join(args.out, f"{name}.yaml")
    with open(pipeline, "w") as f:
        f.write(PIPELINE.format(name=name, file=file, ds=ds, per_class=per_class, out=args.out))
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1)
    Xs, Xts = (X - lo) / span, (Xt - lo) / span
    for seed in [int(s) for s in seeds.split(",")]:
        t0 = time.time()
        subprocess.run([args.binary, "run", pipeline, "--quiet", "--threads", args.threads, "--set", f"seed={seed}"]
                       + args.extra, check=True, stdout=subprocess.DEVNULL)
        seconds = time.time() - t0
        with h5py.File(os.path.join(args.out, f"{name}-{seed}", "results.h5"), "r") as f:
            ours = float(f["metrics/test"].attrs["accuracy"])
            idx = np.concatenate([f["data/labeled_indices"][:], f["data/validation_indices"][:]]).astype(int)
            labels_only = f.get("metrics/baseline/labels_only")
            stored = labels_only.attrs["accuracy"] if labels_only is not None else np.nan
        lr = LogisticRegression().fit(Xs[idx], y[idx]).score(Xts, yt)
        partial = np.full(len(y), -1)
        partial[idx] = y[idx]
        rbf = LabelSpreading(kernel="rbf").fit(Xs, partial).score(Xts, yt) if len(y) <= args.rbf_max else np.nan
        knn = LabelSpreading(kernel="knn").fit(Xs, partial).score(Xts, yt)
        st = SelfTrainingClassifier(LogisticRegression()).fit(Xs, partial).score(Xts, yt)
        summary.append((name, seed, ours, float(stored), lr, rbf, knn, st, seconds))
        print(f"{name} seed {seed}: layerwise {100 * ours:.2f}  labels only {100 * float(stored):.2f}  "
              f"logistic regression {100 * lr:.2f}  LabelSpreading rbf {100 * rbf:.2f}  knn {100 * knn:.2f}  "
              f"self-training LR {100 * st:.2f}  ({seconds:.1f} s, {len(idx)} labeled rows)", flush=True)


def cell(v):
    return "-" if np.isnan(v) else f"{100 * v:.2f}"


print(f"\n| data (train, labels, test) | seeds | Layerwise {args.pipeline} pipeline | labels-only network | "
      "logistic regression | LabelSpreading rbf | LabelSpreading knn | self-training LR | s per run |")
print("|---|---|---|---|---|---|---|---|---|")
for name in TABLES:
    rows = np.array([r[2:] for r in summary if r[0] == name])
    m = rows.mean(axis=0)
    n_train, labels, n_test = shapes[name]
    print(f"| {name} ({n_train:,}, {labels:,}, {n_test:,}) | {len(rows)} | {cell(m[0])} | {cell(m[1])} | {cell(m[2])} | "
          f"{cell(m[3])} | {cell(m[4])} | {cell(m[5])} | {m[6]:.1f} |")
