#!/usr/bin/env python3
"""Independent reference numbers for a Layerwise results file, for the Swift tests.

Computed here with numpy and scikit-learn in float64, from the stored inputs only
(the test data, the stored weights and preprocessing), never from the numbers the
run derived from them. Prints one JSON object on stdout.

  reference.py metrics RESULTS.h5
      accuracy, macro F1, log loss and confusion matrix (scikit-learn) from
      /predictions/test/probability and /data/test_labels.
  reference.py anomaly RESULTS.h5 --train FILE.h5:/ds --test FILE.h5:/ds
                       [--train-labels FILE.h5:/ds] [--percentile Q]
      per-row mean squared reconstruction errors of the training and test rows
      through the stored autoencoder (preprocessing, encoder the decoder was trained
      with, decoder), numpy's percentile of the training errors, and the stored
      reconstruction rows recomputed.
  reference.py baseline RESULTS.h5 --train FILE.h5:/ds --train-labels FILE.h5:/ds
                        --test FILE.h5:/ds --test-labels FILE.h5:/ds
      scikit-learn's LogisticRegression() (its defaults, solved to convergence) fitted on the rows the run
      records as labeled and validation, scaled by the stored preprocessing; its test
      accuracy, macro F1, log loss and predictions.
  reference.py pseudo_labels RESULTS.h5 --train FILE.h5:/ds --train-labels FILE.h5:/ds
                             [--neighbors K] [--alpha A] [--iterations T]
      label spreading on the scaled training rows (numpy, float64: the symmetric
      k-nearest-neighbour graph, S = D^-1/2 W D^-1/2, F <- a S F + (1 - a) Y), from the
      labels of the rows the run records as labeled; the pseudo-labels and certainty
      weights, and how often scikit-learn's LabelSpreading(kernel="knn") agrees.
"""
import argparse
import json
import sys

import h5py
import numpy as np


def dataset(ref):
    path, _, ds = ref.rpartition(":")
    with h5py.File(path, "r") as f:
        return f[ds][:]


def activation(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "identity":
        return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise SystemExit(f"unknown activation {name!r}")


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def layers(f, group):
    """[(kernel [in, out] float64, bias, activation)] of group/layer_0, layer_1, …;
    a layer with `tied_to` and no kernel uses the named dataset transposed."""
    out = []
    while f"{group}/layer_{len(out)}" in f:
        g = f[f"{group}/layer_{len(out)}"]
        if "kernel" in g:
            k = g["kernel"][:].astype(np.float64)
        else:
            k = f[text(g.attrs["tied_to"])][:].astype(np.float64).T
        out.append((k, g["bias"][:].astype(np.float64), text(g.attrs["activation"])))
    return out


def forward(net, x):
    for k, b, act in net:
        x = activation(act, x @ k + b)
    return x


def scale(f, x):
    g = f["model/preprocessing"]
    kind = text(g.attrs["scale"])
    x = x.astype(np.float64).reshape(len(x), -1)
    if kind == "unit":
        return (x - g.attrs["min"]) / (g.attrs["max"] - g.attrs["min"])
    if kind == "standardize":
        return (x - g["mean"][:].astype(np.float64)) / g["std"][:].astype(np.float64)
    if kind == "minmax":
        lo, hi = g["min"][:].astype(np.float64), g["max"][:].astype(np.float64)
        return (x - lo) / (hi - lo)
    return x


def baseline(args):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score, log_loss

    with h5py.File(args.results, "r") as f:
        rows = np.sort(np.concatenate([f["data/labeled_indices"][:], f["data/validation_indices"][:]]))
        x = scale(f, dataset(args.train))[rows]
        test = scale(f, dataset(args.test))
    y = dataset(args.train_labels)[rows]
    ty = dataset(args.test_labels)
    # Its defaults but solved to convergence (the default 100 L-BFGS iterations stop short
    # on 784 features; Layerwise runs to the tolerance).
    model = LogisticRegression(max_iter=10000).fit(x, y)
    classes = sorted(set(ty) | set(y))
    p = np.zeros((len(test), max(classes) + 1))
    p[:, model.classes_] = model.predict_proba(test)
    pred = p.argmax(axis=1)
    print(json.dumps({
        "accuracy": accuracy_score(ty, pred),
        "macro_f1": f1_score(ty, pred, average="macro"),
        "log_loss": log_loss(ty, p[:, classes], labels=classes) if set(classes) <= set(model.classes_) else None,
        "predicted": pred.tolist(),
        "rows": len(rows),
    }))


def pseudo_labels(args):
    from sklearn.semi_supervised import LabelSpreading

    with h5py.File(args.results, "r") as f:
        x = scale(f, dataset(args.train))
        labeled = f["data/labeled_indices"][:]
        validation = f["data/validation_indices"][:]
    y = dataset(args.train_labels)
    n, k = len(x), args.neighbors
    classes = int(y.max()) + 1
    sq = (x * x).sum(axis=1)
    dist = sq[None, :] - 2 * x @ x.T  # the row's own squared norm left out: it does not change the order
    np.fill_diagonal(dist, np.inf)
    knn = np.argsort(dist, axis=1, kind="stable")[:, :k]
    w = np.zeros((n, n))
    w[np.repeat(np.arange(n), k), knn.ravel()] = 1
    w = np.maximum(w, w.T)
    d = 1 / np.sqrt(w.sum(axis=1))
    s = d[:, None] * w * d[None, :]
    known = np.full(n, -1)
    known[labeled] = y[labeled]
    target = np.zeros((n, classes))
    target[labeled, y[labeled]] = 1
    scores = target.copy()
    for _ in range(args.iterations):
        scores = args.alpha * s @ scores + (1 - args.alpha) * target
    p = scores / scores.sum(axis=1, keepdims=True)
    entropy = -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)).sum(axis=1)
    weights = 1 - entropy / np.log(max(classes, 2))
    labels = scores.argmax(axis=1)
    labels[labeled], weights[labeled] = y[labeled], 1
    weights[validation] = 0
    sk = LabelSpreading(kernel="knn", n_neighbors=k, alpha=args.alpha, max_iter=args.iterations, tol=0)
    sk.fit(x, known)
    unlabeled = known < 0
    print(json.dumps({
        "neighbors": knn.tolist(),
        "labels": labels.tolist(),
        "weights": weights.tolist(),
        "sklearn_agreement": float((sk.transduction_[unlabeled] == labels[unlabeled]).mean()),
    }))


def metrics(args):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss

    with h5py.File(args.results, "r") as f:
        p = f["predictions/test/probability"][:].astype(np.float64)
        y = f["data/test_labels"][:]
    classes = list(range(p.shape[1]))
    pred = p.argmax(axis=1)   # first maximum on ties, as Layerwise
    print(json.dumps({
        "accuracy": accuracy_score(y, pred),
        "macro_f1": f1_score(y, pred, average="macro"),
        "micro_f1": f1_score(y, pred, average="micro"),
        "log_loss": log_loss(y, p, labels=classes),
        "confusion_matrix": confusion_matrix(y, pred, labels=classes).tolist(),
        "predicted": pred.tolist(),
        "min_true_probability": float(p[np.arange(len(y)), y].min()),
    }))


def anomaly(args):
    with h5py.File(args.results, "r") as f:
        enc = "model/pretrained_encoder" if "model/pretrained_encoder" in f else "model/encoder"
        ae = layers(f, enc) + layers(f, "model/decoder")
        train = scale(f, dataset(args.train))
        if args.train_labels:
            normal = f["anomaly"].attrs["normal_classes"]
            train = train[np.isin(dataset(args.train_labels), normal)]
        test = scale(f, dataset(args.test))
        idx = f["reconstructions/test"].attrs["test_indices"] if "reconstructions/test" in f else []

        def errors(x):
            return ((forward(ae, x) - x) ** 2).mean(axis=1)

        train_error = errors(train)
        out = {
            "train_error": train_error.tolist(),
            "test_error": errors(test).tolist(),
            "reconstructions": forward(ae, test[idx]).ravel().tolist(),
            "reconstruction_inputs": test[idx].ravel().tolist(),
        }
        if args.percentile is not None:
            # numpy's default ("linear", type 7): Layerwise documents the same rule.
            out["threshold"] = float(np.percentile(train_error, args.percentile, method="linear"))
            # The same rule on the errors the run stored, to check the rule apart from the errors.
            stored = f["anomaly/train_error"][:].astype(np.float64)
            out["threshold_of_stored_errors"] = float(np.percentile(stored, args.percentile, method="linear"))
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("metrics")
    m.add_argument("results")
    a = sub.add_parser("anomaly")
    a.add_argument("results")
    a.add_argument("--train", required=True)
    a.add_argument("--test", required=True)
    a.add_argument("--train-labels")
    a.add_argument("--percentile", type=float)
    b = sub.add_parser("baseline")
    b.add_argument("results")
    for k in ["--train", "--train-labels", "--test", "--test-labels"]:
        b.add_argument(k, required=True)
    q = sub.add_parser("pseudo_labels")
    q.add_argument("results")
    q.add_argument("--train", required=True)
    q.add_argument("--train-labels", required=True)
    q.add_argument("--neighbors", type=int, default=7)
    q.add_argument("--alpha", type=float, default=0.2)
    q.add_argument("--iterations", type=int, default=30)
    args = ap.parse_args()
    {"metrics": metrics, "anomaly": anomaly, "baseline": baseline, "pseudo_labels": pseudo_labels}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
