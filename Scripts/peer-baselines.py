#!/usr/bin/env python3
"""What a practitioner fits in scikit-learn, on exactly the rows a Layerwise run used.

For each results file: the datasets it names (/data@train, @train_labels, @test,
@test_labels), the labeled rows it drew (/data/labeled_indices and validation_indices:
every labeled row, as Layerwise's own baselines use them), the scaling it fitted
(/model/preprocessing: unit, minmax or standardize). Then, on those rows with that
scaling, scikit-learn's defaults:

- LogisticRegression() on the labeled rows;
- LabelSpreading(kernel="knn") and LabelSpreading(kernel="rbf") on every training row,
  the labeled ones carrying their label (rbf builds a dense N x N matrix, so it is left
  out, "-", above --rbf-max training rows).

Prints one line per file, then one markdown row per pipeline name (the mean over its
files, e.g. seeds): Layerwise's test accuracy, its stored logistic-regression and
labels-only baselines, and the peers.

Usage: Scripts/peer-baselines.py RESULTS.h5 [...] [--pipelines DIR] [--rbf-max N] [--json]
"""
import argparse
import json
import os
from collections import OrderedDict

import h5py
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def dataset(ref, bases):
    """'file.h5:/group/ds' as Layerwise records it: as the pipeline wrote it, so a relative
    path is relative to the pipeline's folder (--pipelines), tried before the results file's."""
    path, _, name = text(ref).rpartition(":")
    if not os.path.isabs(path):
        found = [os.path.join(b, path) for b in bases if os.path.exists(os.path.join(b, path))]
        if not found:
            raise SystemExit(f"error: {path}: not found beside {' or '.join(bases)}; give the pipeline's folder with --pipelines")
        path = found[0]
    with h5py.File(path, "r") as f:
        return f[name][:]


def scaler(f):
    p = f["model/preprocessing"]
    kind = text(p.attrs["scale"])
    if kind == "unit":
        lo, hi = float(p.attrs["min"]), float(p.attrs["max"])
        return kind, lambda x: (x - lo) / (hi - lo if hi > lo else 1)
    if kind == "minmax":
        lo, hi = p["min"][:], p["max"][:]
        span = np.where(hi > lo, hi - lo, 1)
        return kind, lambda x: (x - lo) / span
    if kind == "standardize":
        mean, std = p["mean"][:], p["std"][:]
        return kind, lambda x: (x - mean) / np.where(std > 0, std, 1)
    return kind, lambda x: x


def attr(f, group, key):
    return float(f[group].attrs[key]) if group in f and key in f[group].attrs else float("nan")


def peers(path, rbf_max, pipelines):
    base = [pipelines, os.path.dirname(os.path.abspath(path))]
    with h5py.File(path, "r") as f:
        d = f["data"].attrs
        X = dataset(d["train"], base).astype(np.float32)
        y = dataset(d["train_labels"], base).astype(np.int64)
        Xt = dataset(d["test"], base).astype(np.float32)
        yt = dataset(d["test_labels"], base).astype(np.int64)
        rows = np.concatenate([f["data/labeled_indices"][:], f["data/validation_indices"][:]]).astype(np.int64)
        kind, scale = scaler(f)
        refs = (text(d["train"]), text(d["test"]))
        out = OrderedDict(
            pipeline=text(f.attrs["pipeline_name"]), seed=int(f.attrs["seed"]), file=path, scale=kind, labeled=len(rows),
            layerwise=attr(f, "metrics/test", "accuracy"),
            stored_logistic_regression=attr(f, "metrics/baseline/logistic_regression", "accuracy"),
            stored_labels_only=attr(f, "metrics/baseline/labels_only", "accuracy"))
    # Runs that drew the same rows from the same data with the same scaling (seeds of
    # different pipelines) share their peers: computed once.
    key = (*refs, kind, rows.tobytes(), len(X) <= rbf_max)
    if key in cache:
        out.update(cache[key])
        return out
    X, Xt = scale(X), scale(Xt)
    out["logistic_regression"] = LogisticRegression().fit(X[rows], y[rows]).score(Xt, yt)
    partial = np.full(len(y), -1)
    partial[rows] = y[rows]
    out["label_spreading_knn"] = LabelSpreading(kernel="knn").fit(X, partial).score(Xt, yt)
    out["label_spreading_rbf"] = (
        LabelSpreading(kernel="rbf").fit(X, partial).score(Xt, yt) if len(X) <= rbf_max else float("nan"))
    cache[key] = {k: out[k] for k in ["logistic_regression", "label_spreading_knn", "label_spreading_rbf"]}
    return out


cache = {}


def pct(v):
    return "-" if np.isnan(v) else f"{100 * v:.2f}"


ap = argparse.ArgumentParser()
ap.add_argument("results", nargs="+")
ap.add_argument("--rbf-max", type=int, default=20000, help="largest training set for the rbf kernel (N x N floats)")
ap.add_argument("--json", action="store_true")
ap.add_argument("--pipelines", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Pipelines"),
                help="the folder relative data paths in the results files start from (default: Pipelines/)")
args = ap.parse_args()

rows = []
for p in args.results:
    r = peers(p, args.rbf_max, args.pipelines)
    rows.append(r)
    if not args.json:
        print(f"{r['pipeline']} seed {r['seed']} ({r['labeled']} labeled, {r['scale']}): layerwise {pct(r['layerwise'])}  "
              f"logistic regression {pct(r['logistic_regression'])} (stored {pct(r['stored_logistic_regression'])})  "
              f"labels only {pct(r['stored_labels_only'])}  LabelSpreading knn {pct(r['label_spreading_knn'])}  "
              f"rbf {pct(r['label_spreading_rbf'])}", flush=True)
if args.json:
    print(json.dumps(rows, indent=1))
else:
    cols = ["layerwise", "stored_labels_only", "logistic_regression", "label_spreading_knn", "label_spreading_rbf"]
    print("\n| pipeline | seeds | Layerwise | labels-only network | logistic regression | LabelSpreading knn | LabelSpreading rbf |")
    print("|---|---|---|---|---|---|---|")
    for name in OrderedDict((r["pipeline"], 0) for r in rows):
        mine = [r for r in rows if r["pipeline"] == name]
        means = [np.mean([r[c] for r in mine]) for c in cols]
        seeds = ", ".join(str(r["seed"]) for r in mine)
        print(f"| {name} | {seeds} | " + " | ".join(pct(m) for m in means) + " |")
