#!/usr/bin/env bash
# Streaming and MPI against Layerwise's own in-memory, one-process runs, same machine,
# one invocation. usage: Benchmarks/streaming.sh [rounds=3] [data folder=/tmp/layerwise-rows]
#
# 1. Memory: peak RSS (/usr/bin/time -v) of one streamed pretraining epoch over 600,000
#    and 6,000,000 rows of 784 uint8 features (written by Benchmarks/make-rows.py, 0.5 and
#    4.8 GB, not in git), and of the in-memory run over the 600,000 rows.
# 2. Throughput: streamed vs in memory over the 600,000 rows (the file in the page cache),
#    pretraining samples/s, `rounds` alternating rounds, medians and the median ratio.
# 3. MPI: `mpirun -np 2 … --threads 1` vs one process `--threads 1`, the Fashion-MNIST
#    recipe's greedy pretraining (Benchmarks/mpi.yaml), alternating rounds, medians; and
#    one process at `--threads 2`, what the same two cores give without MPI.
# Samples/s are read from the results files (/metrics/timing, every pretrained layer's).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
data="${2:-/tmp/layerwise-rows}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
swift build -c release >/dev/null
bin=.build/release/layerwise
mkdir -p "$data"
[ -f Datasets/fashion-mnist.h5 ] || Scripts/build-fashion-mnist.sh >/dev/null
for n in 600000 6000000; do
  [ -f "$data/rows-$n.h5" ] || python3 Benchmarks/make-rows.py "$n" "$data/rows-$n.h5" >/dev/null
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Pretraining samples/s of a results file: all layers' rows over all layers' seconds.
rate() {
  python3 - "$1" <<'EOF'
import sys, h5py
t = h5py.File(sys.argv[1], "r")["/metrics/timing"].attrs
layers = sorted({k[:-len("_seconds")] for k in t if k.startswith("pretrain_layer_") and k.endswith("_seconds")})
seconds = [float(t[f"{l}_seconds"]) for l in layers]
print(sum(float(t[f"{l}_samples_per_second"]) * s for l, s in zip(layers, seconds)) / sum(seconds))
EOF
}
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}'; }
stream=(run Benchmarks/streaming.yaml --quiet --threads 1)

echo "== memory: peak RSS of one pretraining epoch (784-64, batch 256, 1 thread)"
small=$(rss $bin "${stream[@]}" --set data.train="$data/rows-600000.h5:/train/images" --set output.results="$out/a.h5")
large=$(rss $bin "${stream[@]}" --set data.train="$data/rows-6000000.h5:/train/images" --set output.results="$out/b.h5")
memory=$(rss $bin "${stream[@]}" --set data.train="$data/rows-600000.h5:/train/images" --set data.in_memory=true \
  --set output.results="$out/c.h5")
printf "%-40s %10s\n" "streamed, 600,000 rows" "$((small / 1024)) MiB"
printf "%-40s %10s\n" "streamed, 6,000,000 rows" "$((large / 1024)) MiB"
printf "%-40s %10s\n" "in memory, 600,000 rows" "$((memory / 1024)) MiB"
python3 -c "print(f'10x the rows: RSS x{$large / $small:.3f}')"

echo "== throughput: 600,000 rows, 784-512, batch 256, 1 thread; $rounds alternating rounds"
log="$out/throughput"
for r in $(seq "$rounds"); do
  for m in true false; do
    $bin "${stream[@]}" --set data.train="$data/rows-600000.h5:/train/images" --set data.in_memory=$m \
      --set pretrain.layers="[512]" --set output.results="$out/t.h5" >/dev/null
    echo "$r $m $(rate "$out/t.h5")" >>"$log"
  done
done

echo "== MPI: Benchmarks/mpi.yaml (784-512-256-64 greedy, 2 epochs a layer, batch 256); $rounds alternating rounds"
mlog="$out/mpi"
for r in $(seq "$rounds"); do
  $bin run Benchmarks/mpi.yaml --quiet --threads 1 --set output.results="$out/one.h5" >/dev/null
  echo "$r one $(rate "$out/one.h5")" >>"$mlog"
  mpirun -np 2 $bin run Benchmarks/mpi.yaml --quiet --threads 1 --set output.results="$out/two.h5" >/dev/null
  echo "$r two $(rate "$out/two.h5")" >>"$mlog"
  # What two cores give this workload within one process: the machine's own ceiling.
  $bin run Benchmarks/mpi.yaml --quiet --threads 2 --set output.results="$out/threads.h5" >/dev/null
  echo "$r threads $(rate "$out/threads.h5")" >>"$mlog"
done

python3 - "$log" "$mlog" <<'EOF'
import sys, statistics
def table(path, a, b, names):
    rate = {}
    for line in open(path):
        r, k, v = line.split()
        rate.setdefault(k, {})[int(r)] = float(v)
    ratios = [rate[b][r] / rate[a][r] for r in rate[a] if r in rate[b]]
    for k, name in ((a, names[0]), (b, names[1])):
        print(f"{name:<40} {statistics.median(rate[k].values()):>10.0f} samples/s")
    print(f"{'ratio (median of rounds)':<40} {statistics.median(ratios):>10.3f}   ({min(ratios):.3f}-{max(ratios):.3f})")
print("throughput, 784-512 on 600,000 rows:")
table(sys.argv[1], "true", "false", ["in memory", "streamed"])
print("MPI, pretraining samples/s:")
table(sys.argv[2], "one", "two", ["one process, 1 thread", "mpirun -np 2, 1 thread each"])
print("the same two cores in one process:")
table(sys.argv[2], "one", "threads", ["one process, 1 thread", "one process, 2 threads"])
EOF
