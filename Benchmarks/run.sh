#!/usr/bin/env bash
# Layerwise's engine vs PyTorch, same machine, same threads, same data, one invocation.
# usage: Benchmarks/run.sh [threads=2]
set -euo pipefail
cd "$(dirname "$0")"
threads="${1:-2}"
swift build -c release >/dev/null
lw=$(.build/release/EngineBenchmark --threads "$threads")
pt=$(python3 peer_pytorch.py --threads "$threads")
echo "$lw"; echo "$pt"
echo
printf "%-40s %12s %12s %7s %12s\n" network layerwise pytorch ratio allocs/step
while read -r _ name rate _ allocs _; do
  peer=$(echo "$pt" | awk -v n="$name" '$2 == n {print $3}')
  printf "%-40s %12s %12s %7.2f %12s\n" "$name" "$rate" "$peer" "$(awk -v a="$rate" -v b="$peer" 'BEGIN {print a / b}')" "$allocs"
done <<< "$lw"
