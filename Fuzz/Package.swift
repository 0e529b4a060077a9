// swift-tools-version: 6.0
import PackageDescription

// libFuzzer targets, one per input Layerwise parses (Scripts/fuzz.sh builds and runs
// them). A package of its own, like Benchmarks/, so the main package's build and tests
// stay as they are. Each target is built with `swift build --sanitize fuzzer
// --sanitize address`: libFuzzer supplies `main`, and each target defines
// `LLVMFuzzerTestOneInput` calling the library function the CLI command calls.
let targets = ["fuzz-pipeline", "fuzz-idx", "fuzz-csv", "fuzz-npy", "fuzz-h5-data", "fuzz-h5-results", "fuzz-inspect"]

let package = Package(
    name: "LayerwiseFuzz",
    dependencies: [.package(name: "Layerwise", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "Layerwise", package: "Layerwise"),
                                                    .product(name: "LayerwiseEngine", package: "Layerwise")]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "Layerwise", package: "Layerwise"),
                                                   .product(name: "LayerwiseEngine", package: "Layerwise")],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    },
    swiftLanguageModes: [.v5]
)
