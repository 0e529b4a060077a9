#!/usr/bin/env bash
# Layerwise's engine vs PyTorch, same machine, same threads, same data, one invocation.
# usage: Benchmarks/run.sh [threads=2] [rounds=5]
#
# The two alternate: each round times every network once in Layerwise, then once in
# PyTorch, so both see the same load when the machine's speed drifts (a shared host
# drifts by ±15 % over minutes; other builds on the same cores cost PyTorch's spinning
# OpenMP threads far more than ours). The table gives each side's median over rounds
# and the median of the per-round ratios.
set -euo pipefail
cd "$(dirname "$0")"
threads="${1:-2}"
rounds="${2:-5}"
# Other runnable threads right now (the 1-minute load average also counts our own
# previous runs): the fewest of five samples of /proc/loadavg's running count, minus
# the sampling process itself; brief kernel threads make single samples noisy.
busy() {
  local fewest=999 n
  for _ in 1 2 3 4 5; do
    n=$(($(cut -d' ' -f4 /proc/loadavg | cut -d/ -f1) - 1))
    [ "$n" -lt "$fewest" ] && fewest=$n
    sleep 0.2
  done
  echo "$fewest"
}
busy_before=$(busy)
swift build -c release >/dev/null
peer=1
if ! python3 -c 'import torch, h5py' 2>/dev/null; then
  peer=0
  echo "note: python3 cannot import torch and h5py (pip install torch h5py): Layerwise alone"
fi
load_before=$(cut -d' ' -f1 /proc/loadavg)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for round in $(seq "$rounds"); do
  .build/release/EngineBenchmark --threads "$threads" --runs 1 | sed "s/^/$round /" >>"$log"
  if [ "$peer" = 1 ]; then
    python3 peer_pytorch.py --threads "$threads" --runs 1 | sed "s/^/$round /" >>"$log"
  fi
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
audit=$(.build/release/EngineBenchmark --threads "$threads" --audit)

python3 - "$log" "$threads" "$rounds" "$load_before" "$load_after" "$busy_before" <<'EOF'
import sys, statistics
path, threads, rounds, before, after, busy = sys.argv[1:]
rate, allocs = {}, {}
for line in open(path):
    # "<round> layerwise|pytorch <network> <samples/s> samples/s [<allocs> allocs/step]"
    f = line.split()
    rate.setdefault((f[1], f[2]), {})[int(f[0])] = float(f[3])
    if f[1] == "layerwise":
        allocs[f[2]] = max(allocs.get(f[2], 0.0), float(f[5]))
print(f"{threads} threads, batch 256, forward + backward + Adam; {rounds} alternating rounds "
      f"of 40 steps; load average {before} before, {after} after; {busy} other threads runnable at the start")
print(f"{'network':<40} {'layerwise':>10} {'pytorch':>10} {'ratio':>7} {'ratios min-max':>15} {'allocs/step':>12}")
for net in allocs:
    lw, pt = rate[("layerwise", net)], rate.get(("pytorch", net), {})
    ratios = [lw[r] / pt[r] for r in lw if r in pt]
    if ratios:
        peer = f"{statistics.median(pt.values()):>10.0f} {statistics.median(ratios):>7.2f} {min(ratios):>7.2f}-{max(ratios):<7.2f}"
    else:
        peer = f"{'-':>10} {'-':>7} {'-':>15}"
    print(f"{net:<40} {statistics.median(lw.values()):>10.0f} {peer} {allocs[net]:>12.1f}")
if int(busy) > 0:
    print(f"note: the machine was busy ({busy} other threads runnable): other work shares the cores, "
          "so absolute rates are low and ratios favour whichever side suffers less from contention")
EOF
echo "malloc calls per steady-state step on the other training paths:"
echo "$audit" | sed 's/^audit /  /'
