#!/usr/bin/env python3
"""PCA reconstruction-error baseline for Pipelines/fashion-mnist-anomaly.yaml, on the
same split: for each class c, fit PCA with k components (k = the autoencoder's
bottleneck, 32) on the 6,000 training images of c (pixels / 255), score the 10,000
test images by mean squared reconstruction error, and compute ROC AUC with the
other nine classes as positives.
usage: pca-anomaly-baseline.py [--data Datasets/fashion-mnist.h5] [--components 32]
Prints one line per class and the mean."""
import argparse
import h5py, numpy as np
from scipy.stats import rankdata

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="Datasets/fashion-mnist.h5")
ap.add_argument("--components", type=int, default=32)
a = ap.parse_args()
with h5py.File(a.data) as f:
    X = f["train/images"][:].reshape(-1, 784).astype(np.float64) / 255
    Y = f["train/labels"][:]
    Xt = f["test/images"][:].reshape(-1, 784).astype(np.float64) / 255
    Yt = f["test/labels"][:]

def auc(scores, positive):
    r = rankdata(scores)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return (r[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)

aucs = []
for c in range(10):
    Xc = X[Y == c]
    mean = Xc.mean(0)
    _, _, vt = np.linalg.svd(Xc - mean, full_matrices=False)
    V = vt[:a.components].T
    R = (Xt - mean) @ V @ V.T + mean
    err = ((R - Xt) ** 2).mean(1)
    aucs.append(auc(err, Yt != c))
    print(f"class {c}: PCA({a.components}) ROC AUC {aucs[-1]:.4f}")
print(f"mean: {np.mean(aucs):.4f}")
