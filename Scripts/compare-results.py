#!/usr/bin/env python3
"""Compares Layerwise results files object by object, for refactors that must not
change results (Scripts/compare-results.sh runs it on every pipeline).

usage: compare-results.py [--label TEXT] [--strict-pipeline] A B

A and B are two results files, or two folders: every *.h5 / *.hdf5 below them is
paired by its path relative to the folder (a file on one side only is a difference).

Walks every group and dataset of both files (/data, /model, /metrics, /predictions,
/embeddings, /reconstructions, /anomaly and anything else) and compares
  - which objects exist, and whether each is a group or a dataset;
  - every dataset's dtype, shape, storage (chunking, compression) and raw bytes;
  - every attribute of every object: its type and raw bytes (text for strings).
Left out, because they differ between any two runs:
  - /metrics/timing (wall times and rates) and everything below it;
  - the root attributes `created` (the run's start time) and `layerwise_version`;
  - in the root attribute `pipeline` (the pipeline as run), the value of
    output.results, which names the output folder (--strict-pipeline compares it too).

Prints one line: `LABEL: identical`, or `LABEL: N differences: path (max |Δ| x), ...`
(attributes as `path@name`). Exit code 0 identical, 1 different, 2 unreadable input.
"""
import argparse
import os
import re
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    sys.exit(f"compare-results.py: {e}; install h5py (Scripts/bootstrap.sh --test, or pip install h5py)")

SKIPPED_TREES = ("/metrics/timing",)
SKIPPED_ROOT_ATTRS = {"created", "layerwise_version"}


def mask_output_path(text):
    """The pipeline YAML with output.results's value replaced by a placeholder."""
    out, in_output = [], False
    for line in text.split("\n"):
        if re.match(r"^output:\s*(#.*)?$", line):
            in_output = True
        elif re.match(r"^\S", line):
            in_output = False
            if re.match(r"^output:\s*\{", line):  # flow style: output: {results: x, save: [...]}
                line = re.sub(r"(\bresults:\s*)(\"[^\"]*\"|'[^']*'|[^,}]*)", r"\1<output.results>", line)
        if in_output and re.match(r"^\s+results:", line):
            line = re.sub(r"^(\s+results:).*$", r"\1 <output.results>", line)
        out.append(line)
    return "\n".join(out)


def skipped(path):
    return any(path == t or path.startswith(t + "/") for t in SKIPPED_TREES)


def objects(f):
    """Every object's path → 'group' or 'dataset' (root included), skipped trees left out."""
    found = {"/": "group"}

    def visit(name, obj):
        path = "/" + name
        if not skipped(path):
            found[path] = "dataset" if isinstance(obj, h5py.Dataset) else "group"

    f.visititems(visit)
    return found


def number_delta(a, b):
    """max |a − b| over numeric arrays of equal shape, or None if not numeric."""
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        return None
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.size == 0:
        return 0.0
    nan_x, nan_y = np.isnan(x), np.isnan(y)
    if (nan_x != nan_y).any():
        return float("nan")
    d = np.abs(np.where(nan_x, 0, x) - np.where(nan_y, 0, y))
    return float(np.nanmax(d))


def fmt(delta, prefix="max |Δ|"):
    if delta is None:
        return ""
    if delta != delta:
        return f" ({prefix}: NaN in one, not the other)"
    return f" ({prefix} {delta:.3g})"


def canonical_attr(value):
    """(kind, bytes, array) of an attribute value, comparable across files."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return ("str", value.encode(), None)
    arr = np.asarray(value)
    if arr.dtype.kind == "O":  # array of strings
        items = [v.decode() if isinstance(v, bytes) else str(v) for v in arr.ravel()]
        return (f"str{list(arr.shape)}", "\x00".join(items).encode(), None)
    return (f"{arr.dtype.str}{list(arr.shape)}", arr.tobytes(), arr)


def compare_attrs(path, shown, a, b, diffs):
    """Attributes of the objects at `path` (shown as `shown` in messages)."""
    names_a, names_b = set(a.attrs.keys()), set(b.attrs.keys())
    for name in sorted(names_a | names_b):
        if path == "/" and name in SKIPPED_ROOT_ATTRS:
            continue
        where = f"{shown}@{name}"
        if name not in names_b:
            diffs.append(f"{where} (only in A)")
            continue
        if name not in names_a:
            diffs.append(f"{where} (only in B)")
            continue
        va, vb = a.attrs[name], b.attrs[name]
        if path == "/" and name == "pipeline" and not ARGS.strict_pipeline:
            va, vb = mask_output_path(str(va)), mask_output_path(str(vb))
        ka, ba, xa = canonical_attr(va)
        kb, bb, xb = canonical_attr(vb)
        if ka != kb:
            diffs.append(f"{where} (type {ka} vs {kb})")
        elif ba != bb:
            delta = number_delta(xa, xb) if xa is not None else None
            diffs.append(f"{where}" + (fmt(delta, "|Δ|") if delta is not None else " (text differs)"))


def storage(d):
    return (d.chunks, d.compression, d.compression_opts, d.shuffle)


def compare_files(fa, fb, prefix=""):
    diffs = []
    with h5py.File(fa, "r") as a, h5py.File(fb, "r") as b:
        oa, ob = objects(a), objects(b)
        for path in sorted(set(oa) | set(ob)):
            where = prefix + path
            if path not in ob:
                diffs.append(f"{where} (only in A)")
                continue
            if path not in oa:
                diffs.append(f"{where} (only in B)")
                continue
            if oa[path] != ob[path]:
                diffs.append(f"{where} ({oa[path]} in A, {ob[path]} in B)")
                continue
            compare_attrs(path, where, a[path], b[path], diffs)
            if oa[path] == "dataset":
                da, db = a[path], b[path]
                if da.dtype != db.dtype:
                    diffs.append(f"{where} (dtype {da.dtype} vs {db.dtype})")
                elif da.shape != db.shape:
                    diffs.append(f"{where} (shape {da.shape} vs {db.shape})")
                else:
                    xa, xb = da[()], db[()]
                    if np.asarray(xa).tobytes() != np.asarray(xb).tobytes():
                        diffs.append(where + (fmt(number_delta(np.asarray(xa), np.asarray(xb))) or " (bytes differ)"))
                    if storage(da) != storage(db):
                        diffs.append(f"{where} (storage {storage(da)} vs {storage(db)})")
    return diffs


def results_files(folder):
    found = []
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if name.endswith((".h5", ".hdf5")):
                found.append(os.path.relpath(os.path.join(dirpath, name), folder))
    return sorted(found)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--label", help="name printed before the verdict (default: A)")
    ap.add_argument("--strict-pipeline", action="store_true",
                    help="compare the root `pipeline` attribute including output.results")
    ARGS = ap.parse_args()
    label = ARGS.label or ARGS.a
    diffs = []
    try:
        if os.path.isdir(ARGS.a) and os.path.isdir(ARGS.b):
            fa, fb = results_files(ARGS.a), results_files(ARGS.b)
            if not fa and not fb:
                print(f"{label}: no results files in {ARGS.a} or {ARGS.b}")
                return 2
            several = len(set(fa) | set(fb)) > 1
            for rel in sorted(set(fa) | set(fb)):
                if rel not in fb:
                    diffs.append(f"{rel} (only in A)")
                elif rel not in fa:
                    diffs.append(f"{rel} (only in B)")
                else:
                    diffs += compare_files(os.path.join(ARGS.a, rel), os.path.join(ARGS.b, rel),
                                           prefix=f"{rel}:" if several else "")
            count = f" ({len(set(fa) | set(fb))} files)" if several else ""
        else:
            diffs = compare_files(ARGS.a, ARGS.b)
            count = ""
    except (OSError, KeyError) as e:
        print(f"{label}: cannot compare: {e}")
        return 2
    if diffs:
        print(f"{label}{count}: {len(diffs)} difference{'s' if len(diffs) > 1 else ''}: " + ", ".join(diffs))
        return 1
    print(f"{label}{count}: identical")
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
