// swift-tools-version: 6.0
import PackageDescription

// A package that depends on Layerwise the way any other does: by URL, at a version.
// LAYERWISE_URL points it at another clone (CI: a tagged clone of the checkout it tests,
// `file:///…`); the version rule is the same either way.
let layerwise = Context.environment["LAYERWISE_URL"] ?? "https://github.com/layerwise/layerwise.git"

let package = Package(
    name: "consumer",
    dependencies: [.package(url: layerwise, from: "0.1.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [.product(name: "Layerwise", package: "layerwise")])
    ]
)
