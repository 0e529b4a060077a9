#!/usr/bin/env python3
"""Reference fits of scikit-learn's LogisticRegression() for LogisticRegressionTests.

Usage: logistic_reference.py OUT_DIR

For digits, breast cancer and wine: a stratified 70/30 split (random_state=0),
min-max scaling fitted on the train rows, then two fits with sklearn's defaults
(lbfgs, L2, C=1, tol=1e-4, max_iter=100): on a small labeled subset and on the
whole train set, and again with tol=1e-8 (near the optimum). X is rounded to float32 before sklearn sees it, so both sides fit
the same numbers. Writes raw little-endian files per case and cases.json.
"""
import json
import os
import sys
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def labeled_subset(y, rng, per_class=None, total=None):
    if per_class is not None:
        return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                                       for c in np.unique(y)]))
    return np.sort(rng.choice(len(y), total, replace=False))


def main(out):
    os.makedirs(out, exist_ok=True)
    tables = [("digits", load_digits(), dict(per_class=10)),
              ("cancer", load_breast_cancer(), dict(total=20)),
              ("wine", load_wine(), dict(total=15))]
    cases = []
    for name, data, subset in tables:
        x, y = data.data.astype(np.float64), data.target.astype(np.int32)
        classes = int(y.max()) + 1
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
        lo, hi = xtr.min(axis=0), xtr.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        xtr = ((xtr - lo) / span).astype(np.float32)
        xte = ((xte - lo) / span).astype(np.float32)
        rng = np.random.default_rng(0)
        for kind, rows in (("small", labeled_subset(ytr, rng, **subset)), ("full", np.arange(len(ytr)))):
            xf, yf = xtr[rows], ytr[rows]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                model = LogisticRegression().fit(xf.astype(np.float64), yf)
            proba = np.zeros((len(yte), classes))
            proba[:, model.classes_] = model.predict_proba(xte.astype(np.float64))
            case = f"{name}_{kind}"
            prefix = os.path.join(out, case)
            xf.tofile(prefix + "_xfit.f32")
            yf.astype("<i4").tofile(prefix + "_yfit.i32")
            xte.tofile(prefix + "_xtest.f32")
            yte.astype("<i4").tofile(prefix + "_ytest.i32")
            model.predict(xte.astype(np.float64)).astype("<i4").tofile(prefix + "_pred.i32")
            proba.astype("<f8").tofile(prefix + "_proba.f64")
            tight = LogisticRegression(tol=1e-8, max_iter=10000).fit(xf.astype(np.float64), yf)
            proba[:, tight.classes_] = tight.predict_proba(xte.astype(np.float64))
            proba.astype("<f8").tofile(prefix + "_proba_tight.f64")
            cases.append(dict(name=case, features=int(x.shape[1]), classes=classes, fit_rows=int(len(yf)),
                              test_rows=int(len(yte)), present=int(len(model.classes_)),
                              sklearn_iterations=int(np.max(model.n_iter_)),
                              sklearn_converged=not any(issubclass(w.category, ConvergenceWarning) for w in caught)))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
