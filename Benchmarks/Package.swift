// swift-tools-version: 6.0
import PackageDescription

// Speed of the training engine against PyTorch on the same machine (Benchmarks/run.sh).
// A package of its own so the main package's build and tests stay lean.
let package = Package(
    name: "LayerwiseBenchmarks",
    dependencies: [.package(name: "Layerwise", path: "..")],
    targets: [
        // Counts malloc-family calls by interposing them in the benchmark executable.
        .target(name: "MallocCounter"),
        .executableTarget(
            name: "EngineBenchmark",
            dependencies: ["MallocCounter", .product(name: "LayerwiseEngine", package: "Layerwise")],
            swiftSettings: [.unsafeFlags(["-Xcc", "-fno-math-errno"])])
    ],
    swiftLanguageModes: [.v5]
)
