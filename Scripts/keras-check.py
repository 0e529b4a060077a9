#!/usr/bin/env python3
"""Checks a `layerwise export keras` file in Keras (any backend; the tests use jax).

usage: keras-check.py SNIPPET.py RESULTS.h5 INPUT.h5:/dataset
Runs the Python that `layerwise export keras` printed (it builds the Sequential model
and loads the weights), predicts the raw rows of the input dataset, and compares with
the probabilities Layerwise stored in RESULTS.h5 (/predictions/test/probability).
Prints `max_abs_diff <x>` and `argmax_agreement <y>`; exits 1 if the difference exceeds 1e-5.
"""
import sys
import h5py, numpy as np

snippet, results, source = sys.argv[1:4]
namespace = {}
exec(open(snippet).read(), namespace)
model = namespace["model"]
path, dataset = source.rsplit(":", 1)
with h5py.File(path) as f:
    x = f[dataset][:]
x = x.reshape(len(x), -1).astype(np.float32)
with h5py.File(results) as f:
    want = f["predictions/test/probability"][:]
got = np.asarray(model.predict(x, verbose=0, batch_size=256))
diff = float(np.abs(got - want).max())
print(f"max_abs_diff {diff:.3g}")
print(f"argmax_agreement {(got.argmax(1) == want.argmax(1)).mean():.6f}")
sys.exit(0 if diff <= 1e-5 else 1)
