// swift-tools-version: 6.0
import PackageDescription

// MARK: - Targets, dependencies pointing one way
//
//   CLayerwiseHDF5 ─► LayerwiseHDF5 ─────────────────────────┐          CLayerwiseMPI (Open MPI) ─► LayerwiseMPI ─┐
//   CLayerwiseBLAS ─► CLayerwiseKernels ─► LayerwiseMath ─► LayerwiseNN ─► Layerwise ─────────────────────────────────┴─► LayerwiseCLI (`layerwise`)
//
// Only `LayerwiseHDF5` sees `CLayerwiseHDF5`; `CLayerwiseBLAS` (OpenBLAS's cblas.h) is seen by `CLayerwiseKernels`, whose
// pool splits every `cblas_sgemm`, and by `LayerwiseMath`; the element-wise kernels in
// `CLayerwiseKernels` serve `LayerwiseMath` and `LayerwiseNN`.
//
// No unsafe build flags anywhere, so the package can be a versioned dependency. The kernels
// still get fast math (reassociation, FMA, no errno, so `sqrtf` vectorizes) from a
// `#pragma float_control(precise, off)` in CLayerwiseKernels/internal.h, at SwiftPM's
// release level (-O2). The Swift targets' loops never vectorized square roots or exp
// (those loops are in the kernels); without -fno-math-errno they keep scalar ones.

let package = Package(
    name: "Layerwise",
    products: [
        .executable(name: "layerwise", targets: ["LayerwiseCLI"]),
        .library(name: "Layerwise", targets: ["Layerwise"]),
        // The engine alone, for Benchmarks/ (its own package) and other tools.
        .library(name: "LayerwiseEngine", targets: ["LayerwiseNN", "LayerwiseMath", "LayerwiseHDF5"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0")
    ],
    targets: [
        // MARK: System libraries (Debian: libhdf5-dev, libopenblas-dev; pkg-config via pkgconf)
        .systemLibrary(
            name: "CLayerwiseHDF5", path: "Sources/CLayerwiseHDF5", pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev", "pkgconf"])]),
        .systemLibrary(
            name: "CLayerwiseBLAS", path: "Sources/CLayerwiseBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkgconf"])]),
        .systemLibrary(
            name: "CLayerwiseZlib", path: "Sources/CLayerwiseZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Open MPI, for `mpirun -np N layerwise run …` (Debian: libopenmpi-dev, openmpi-bin).
        .systemLibrary(
            name: "CLayerwiseMPI", path: "Sources/CLayerwiseMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "pkgconf"])]),
        .target(name: "CLayerwiseKernels", dependencies: ["CLayerwiseBLAS"]),

        // MARK: Libraries
        .target(name: "LayerwiseHDF5", dependencies: ["CLayerwiseHDF5"]),
        .target(name: "LayerwiseMath", dependencies: ["CLayerwiseBLAS", "CLayerwiseKernels"]),
        .target(name: "LayerwiseNN", dependencies: ["LayerwiseMath", "CLayerwiseKernels"]),
        .target(
            name: "Layerwise",
            dependencies: ["LayerwiseHDF5", "LayerwiseMath", "LayerwiseNN", "CLayerwiseZlib", .product(name: "Yams", package: "Yams")]),
        // Open MPI for the command-line tool alone: the `Layerwise` library takes its
        // processes as a `Cluster` value and links no MPI.
        .target(name: "LayerwiseMPI", dependencies: ["Layerwise", "CLayerwiseMPI"]),

        // MARK: The command-line tool
        .executableTarget(
            name: "LayerwiseCLI",
            dependencies: ["Layerwise", "LayerwiseMPI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // MARK: Tests
        .testTarget(name: "LayerwiseHDF5Tests", dependencies: ["LayerwiseHDF5"]),
        .testTarget(
            name: "LayerwiseNNTests", dependencies: ["LayerwiseNN", "LayerwiseMath", "LayerwiseHDF5"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LayerwiseTests", dependencies: ["Layerwise", "LayerwiseHDF5"])
    ],
    swiftLanguageModes: [.v5]
)
