#!/usr/bin/env bash
# The test suite under sanitizers, in a build folder of its own (.build-asan; .build is
# left as it is).
#
# usage: Scripts/sanitize.sh [swift test arguments, e.g. --filter CorruptInputTests]
#
# - Swift: -sanitize=address (AddressSanitizer + LeakSanitizer). swiftc has no
#   -sanitize=undefined on Linux ("unsupported option '-sanitize=undefined' for target
#   'x86_64-unknown-linux-gnu'"; the script checks and says so): Swift itself traps on
#   overflow, out-of-bounds and bad unwraps, in debug and release builds alike.
# - C (the CLayerwiseKernels element-wise kernels, Yams' libyaml): -fsanitize=address,undefined
#   with -fno-sanitize-recover=undefined, so a finding ends its test. The UBSan handlers
#   come with the ASan runtime swiftc links.
# - The `layerwise` binary the CLI tests start is built the same way and inherits the
#   options below, so it is checked too.
#
# Leaks are looked for in the `layerwise` processes the tests start; those found in system
# libraries are suppressed, narrowly and each explained, in Scripts/lsan-suppressions.txt.
# Exit status: swift test's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
echo 'print(1)' > "$probe/t.swift"
if swiftc -sanitize=undefined "$probe/t.swift" -o "$probe/t" 2>"$probe/err"; then
  echo "sanitize.sh: note: this swiftc accepts -sanitize=undefined; it is not used here yet" >&2
else
  echo "sanitize.sh: Swift's -sanitize=undefined is not available here: $(head -1 "$probe/err")" >&2
fi

flags=(--scratch-path .build-asan -Xswiftc -sanitize=address
       -Xcc -fsanitize=address,undefined -Xcc -fno-sanitize-recover=undefined -Xcc -fno-omit-frame-pointer)
swift build --build-tests "${flags[@]}" 2>&1 | grep -vE 'warning: Cannot export|^\[' || true

asan="strict_string_checks=1:detect_stack_use_after_return=1"
# LeakSanitizer checks every `layerwise` process the tests start (Tests/LayerwiseTests/
# Support/TinyData.swift passes these options on), not the xctest runner: there XCTest and
# Foundation's Process leak weak-reference side tables (swift_weakAssign) that hold every
# test case and what its teardown blocks captured — some 380 reports of the harness, none
# of Layerwise's. The fuzz targets (Scripts/fuzz.sh) check the library for leaks per input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:$asan}"
export LAYERWISE_CHILD_ASAN_OPTIONS="${LAYERWISE_CHILD_ASAN_OPTIONS:-detect_leaks=1:$asan}"
export LSAN_OPTIONS="suppressions=$root/Scripts/lsan-suppressions.txt:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}"
# Sanitizer reports, not Swift's own crash backtracer, for a crash under test.
export SWIFT_BACKTRACE=enable=no
swift test --skip-build "${flags[@]}" --disable-swift-testing "$@"
