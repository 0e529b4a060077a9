#!/usr/bin/env bash
# The byte-identical guard for refactors: runs every pipeline in Pipelines/ with a
# release build of BASE_COMMIT and with one of the current tree, and compares each pair
# of results files with Scripts/compare-results.py (every dataset's dtype, shape and
# bytes, every attribute; not /metrics/timing, the root attributes `created` and
# `layerwise_version`, nor the output path inside the stored pipeline text).
#
# usage: Scripts/compare-results.sh [BASE_COMMIT]      (default: d846cb6)
#
# 1. BASE is checked out as a git worktree in .build-guard/src-<commit> and built with
#    `swift build -c release` (the current Package.resolved is copied in, so both sides
#    use the same dependency versions); the current tree is built with
#    `swift build -c release`.
# 2. Every Pipelines/*.yaml runs with both binaries, `--threads 1 --quiet`, results into
#    .build-guard/runs/base-<commit>-<plan>/ and .build-guard/runs/current/ through
#    `--set output.results=…/<pipeline>/{name}/results.h5`. Pipelines on the full
#    Fashion-MNIST (Datasets/fashion-mnist.h5, built by Scripts/build-fashion-mnist.sh
#    when absent) are shortened with --set, for the stages each one has:
#    pretrain.epochs=1, pretrain.end_to_end.epochs=1, classifier.epochs=3,
#    fine_tune.epochs=2, ladder.epochs=1. A `matrix:` pipeline runs whole (every combination: `--set`
#    cannot narrow a matrix), each combination to its own {name} folder.
#    Exit code 1 from a run (a missed evaluate.expect gate, expected with so few
#    epochs) is accepted; anything else is reported as a failed run.
# 3. Prints one line per pipeline: `identical`, or the differing paths with max |Δ|.
#
# The base build and base runs are cached: for the same commit and the same pipelines
# and settings, a second invocation only builds and runs the current tree.
# Exit code: 0 all identical, 1 a difference or a failed run, 2 a build or set-up failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
say() { echo "compare-results: $*" >&2; }
die() { say "error: $*"; exit 2; }

base_ref="${1:-d846cb6}"
base="$(git rev-parse --verify --quiet "$base_ref^{commit}")" || die "unknown commit '$base_ref'"
short="${base:0:12}"
guard="$root/.build-guard"
src="$guard/src-$short"
mkdir -p "$guard"
python3 -c "import h5py, numpy" 2>/dev/null || die "python3 with h5py and numpy is needed (Scripts/bootstrap.sh --test)"

# Builds in `dir` with `swift build -c release`, its output in `log`.
build() {
  local dir=$1 log=$2 t0=$SECONDS
  if ! (cd "$dir" && swift build -c release) >"$log" 2>&1; then
    tail -20 "$log" >&2
    die "swift build -c release failed in $dir (log: $log)"
  fi
  say "built $dir in $((SECONDS - t0)) s"
}

# 1. Binaries.
if [[ ! -f $guard/built-$short || ! -x $src/.build/release/layerwise ]]; then
  if [[ -d $src && "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$base" ]]; then
    git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
  fi
  git worktree prune
  if [[ ! -d $src ]]; then
    git worktree add --detach --quiet "$src" "$base" || die "git worktree add $src $base failed"
  fi
  if [[ -f Package.resolved ]]; then cp Package.resolved "$src/Package.resolved"; fi
  say "building base $short in $src"
  build "$src" "$guard/build-base-$short.log"
  touch "$guard/built-$short"
else
  say "base $short already built ($src/.build/release/layerwise)"
fi
build "$root" "$guard/build-current.log"
base_bin="$src/.build/release/layerwise"
current_bin="$root/.build/release/layerwise"

# 2. The plan: each pipeline with its --set overrides.
shopt -s nullglob
pipelines=(Pipelines/*.yaml)
((${#pipelines[@]})) || die "no pipelines in Pipelines/"
declare -A extra
for p in "${pipelines[@]}"; do
  sets=()
  if grep -q 'fashion-mnist\.h5' "$p"; then
    if grep -q '^pretrain:' "$p"; then
      sets+=(--set pretrain.epochs=1)
      if grep -qE '^[[:space:]]+end_to_end:' "$p"; then sets+=(--set pretrain.end_to_end.epochs=1); fi
    fi
    if grep -q '^classifier:' "$p"; then sets+=(--set classifier.epochs=3); fi
    if grep -q '^fine_tune:' "$p"; then sets+=(--set fine_tune.epochs=2); fi
    if grep -q '^ladder:' "$p"; then sets+=(--set ladder.epochs=1); fi
  fi
  extra[$p]="${sets[*]:-}"
  note=""
  if grep -q '^matrix:' "$p"; then note=" (matrix: every combination)"; fi
  say "plan: $(basename "$p") --threads 1 --quiet ${extra[$p]}$note"
done

if grep -lq 'fashion-mnist\.h5' "${pipelines[@]}" && [[ ! -f Datasets/fashion-mnist.h5 ]]; then
  say "building Datasets/fashion-mnist.h5"
  t0=$SECONDS
  Scripts/build-fashion-mnist.sh >"$guard/build-fashion-mnist.log" 2>&1 \
    || { tail -20 "$guard/build-fashion-mnist.log" >&2; die "Scripts/build-fashion-mnist.sh failed"; }
  say "built Datasets/fashion-mnist.h5 in $((SECONDS - t0)) s"
fi

# The base runs are cached under a key of the commit and everything the runs read.
plan_key="$( {
  echo "$base"
  for p in "${pipelines[@]}"; do echo "$p ${extra[$p]}"; cat "$p"; done
  echo "run --threads 1 --quiet --set output.results=…/{name}/results.h5"
  ls -l --time-style=+%s Datasets/*.h5 2>/dev/null | awk '{print $5, $6, $7}'
} | sha256sum | cut -c1-12)"
base_runs="$guard/runs/base-$short-$plan_key"
current_runs="$guard/runs/current"

# Runs every pipeline with binary $1 into folder $2 (results, .log and .rc per pipeline).
run_all() {
  local bin=$1 out=$2 p stem rc t0
  rm -rf "$out"
  mkdir -p "$out"
  for p in "${pipelines[@]}"; do
    stem="$(basename "$p" .yaml)"
    t0=$SECONDS
    # shellcheck disable=SC2086  # extra[] holds whole "--set k=v" words
    "$bin" run "$p" --threads 1 --quiet ${extra[$p]} --set "output.results=$out/$stem/{name}/results.h5" \
      >"$out/$stem.log" 2>&1 && rc=0 || rc=$?
    echo "$rc" >"$out/$stem.rc"
    say "  $stem: exit $rc, $((SECONDS - t0)) s"
  done
}

if [[ -f $base_runs/done ]]; then
  say "base runs cached in $base_runs"
else
  say "running the pipelines with base $short"
  run_all "$base_bin" "$base_runs"
  touch "$base_runs/done"
fi
say "running the pipelines with the current tree"
run_all "$current_bin" "$current_runs"

# 3. Compare.
status=0
for p in "${pipelines[@]}"; do
  stem="$(basename "$p" .yaml)"
  rb="$(cat "$base_runs/$stem.rc")"
  rc="$(cat "$current_runs/$stem.rc")"
  if ((rb > 1 || rc > 1)); then
    echo "$(basename "$p"): run failed (base exit $rb, current exit $rc; logs: $base_runs/$stem.log, $current_runs/$stem.log)"
    status=1
    continue
  fi
  if [[ $rb != "$rc" ]]; then
    echo "$(basename "$p"): exit codes differ (base $rb, current $rc)"
    status=1
  fi
  python3 Scripts/compare-results.py --label "$(basename "$p")" "$base_runs/$stem" "$current_runs/$stem" || status=1
done
say "$((SECONDS - started)) s in all; $([[ $status == 0 ]] && echo "all identical" || echo "DIFFERENCES")"
exit $status
