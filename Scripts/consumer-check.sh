#!/usr/bin/env bash
# Builds Examples/consumer against this checkout the way a user's package gets Layerwise:
# a `git clone` of HEAD, tagged with `layerwiseVersion`, depended on by `file://` URL at
# that version. Runs it on scikit-learn's digits (Scripts/digits-csv.py) and checks that
# its binary links no MPI library.
#
# usage: Scripts/consumer-check.sh            (needs python3 with scikit-learn)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="$(sed -n 's/^public let layerwiseVersion = "\(.*\)"/\1/p' "$root/Sources/Layerwise/Version.swift")"
git clone -q "$root" "$work/layerwise"
git -C "$work/layerwise" tag "$version"
cp -R "$root/Examples/consumer" "$work/consumer"
python3 "$root/Scripts/digits-csv.py" --out "$work/data" >/dev/null
cd "$work/consumer"
LAYERWISE_URL="file://$work/layerwise" swift build -c release 2>&1 | tail -3
binary="$(LAYERWISE_URL="file://$work/layerwise" swift build -c release --show-bin-path)/consumer"
echo "consumer-check: Layerwise $version from file://$work/layerwise"
if ldd "$binary" | grep -i mpi; then
  echo "consumer-check: error: the consumer links an MPI library (above)" >&2
  exit 1
fi
echo "consumer-check: ldd shows no MPI library"
"$binary" "$work/data/digits-train.csv" 10
