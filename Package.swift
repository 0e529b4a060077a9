// swift-tools-version: 6.0
import PackageDescription

// MARK: - Targets, dependencies pointing one way
//
//   CHDF5 ─► HDF5 ─────────────────────────┐   CMPI (Open MPI) ─► Layerwise
//   CBLAS ─► CKernels ─► LinearAlgebra ─► NeuralNet ─► Layerwise ─► LayerwiseCLI (`layerwise`)
//
// Only `HDF5` sees `CHDF5`; `CBLAS` (OpenBLAS's cblas.h) is seen by `CKernels`, whose
// pool splits every `cblas_sgemm`, and by `LinearAlgebra`; the element-wise kernels in
// `CKernels` serve `LinearAlgebra` and `NeuralNet`.

// Element-wise kernels must vectorize: `sqrtf` blocks it unless errno is off.
let fastMath: [CSetting] = [.unsafeFlags(["-O3", "-ffast-math", "-fno-math-errno"])]
let swiftFast: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

let package = Package(
    name: "Layerwise",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "layerwise", targets: ["LayerwiseCLI"]),
        .library(name: "Layerwise", targets: ["Layerwise"]),
        // The engine alone, for Benchmarks/ (its own package) and other tools.
        .library(name: "LayerwiseEngine", targets: ["NeuralNet", "LinearAlgebra", "HDF5"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // MARK: System libraries (Debian: libhdf5-dev, libopenblas-dev; pkg-config via pkgconf)
        .systemLibrary(
            name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev", "pkgconf"])]),
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkgconf"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Open MPI, for `mpirun -np N layerwise run …` (Debian: libopenmpi-dev, openmpi-bin).
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "pkgconf"])]),
        .target(name: "CKernels", dependencies: ["CBLAS"], cSettings: fastMath),

        // MARK: Libraries
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CKernels"], swiftSettings: swiftFast),
        .target(name: "NeuralNet", dependencies: ["LinearAlgebra", "CKernels"], swiftSettings: swiftFast),
        .target(
            name: "Layerwise",
            dependencies: ["HDF5", "LinearAlgebra", "NeuralNet", "CZlib", "CMPI", .product(name: "Yams", package: "Yams")]),

        // MARK: The command-line tool
        .executableTarget(
            name: "LayerwiseCLI",
            dependencies: ["Layerwise", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // MARK: Tests
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "LinearAlgebra", "HDF5"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LayerwiseTests", dependencies: ["Layerwise", "HDF5"]),
    ],
    swiftLanguageModes: [.v5]
)
