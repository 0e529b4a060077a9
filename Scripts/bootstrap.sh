#!/usr/bin/env bash
# Installs what Layerwise needs on a fresh Debian machine (idempotent; quick when
# everything is already there). `--test` adds what the test suite uses to check
# files with other tools: h5dump (hdf5-tools), chromium (renders the HTML report),
# the Fashion-MNIST IDX source (dataset-fashion-mnist), h5py, scikit-learn (reference
# metrics in the tests) and Keras with the jax backend (from PyPI).
set -euo pipefail

packages=(libhdf5-dev libopenblas-dev pkgconf zlib1g-dev libopenmpi-dev openmpi-bin)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(hdf5-tools dataset-fashion-mnist chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]] && command -v python3 >/dev/null; then
  python3 -c "import h5py, yaml, sklearn" 2>/dev/null || python3 -m pip install -q h5py pyyaml scikit-learn \
    || { echo "bootstrap: could not install h5py, pyyaml and scikit-learn from PyPI (the reference tests need them)" >&2; exit 1; }
  # Keras (jax backend) loads `layerwise export keras` files in KerasExportTests.
  KERAS_BACKEND=jax python3 -c "import keras, jax" 2>/dev/null \
    || python3 -m pip install -q "keras==3.15.1" "jax==0.10.2" \
    || { echo "bootstrap: could not install keras and jax from PyPI (KerasExportTests need them)" >&2; exit 1; }
fi
