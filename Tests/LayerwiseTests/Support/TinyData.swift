import Foundation
import LayerwiseHDF5
import XCTest

/// Small real fixtures for end-to-end tests: the first rows of the Fashion-MNIST
/// subset shipped in Datasets/, copied into a temporary folder with a pipeline file.
enum TinyData {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shipped = repoRoot.appendingPathComponent("Datasets/fashion-mnist-small.h5").path

    /// A fresh temporary folder, removed at the end of the test.
    static func folder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layerwise-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `tiny.h5` into `folder`: `train` rows and `test` rows of the shipped data
    /// (uint8 `[n, 784]`, int64 labels).
    @discardableResult
    static func write(
        into folder: URL, train: Int = 600, test: Int = 200,
        mutate: ((inout [UInt8], inout [Int64]) -> Void)? = nil
    ) throws -> String {
        let src = try H5File.open(shipped)
        var x = try src.root.dataset("/train/images").readRows(0..<train, as: UInt8.self)
        var y = try src.root.dataset("/train/labels").readRows(0..<train, as: Int64.self)
        mutate?(&x, &y)
        let tx = try src.root.dataset("/test/images").readRows(0..<test, as: UInt8.self)
        let ty = try src.root.dataset("/test/labels").readRows(0..<test, as: Int64.self)
        let path = folder.appendingPathComponent("tiny.h5").path
        let f = try H5File.create(path)
        let root = try f.root
        let tr = try root.createGroup("train"), te = try root.createGroup("test")
        try tr.write("images", x, shape: [train, 784])
        try tr.write("labels", y, shape: [train])
        try te.write("images", tx, shape: [test, 784])
        try te.write("labels", ty, shape: [test])
        return path
    }

    /// A small but complete pipeline over `tiny.h5` (every stage, a few epochs).
    static let pipeline = """
        name: tiny
        seed: 3
        data:
          train: tiny.h5:/train/images
          train_labels: tiny.h5:/train/labels
          test: tiny.h5:/test/images
          test_labels: tiny.h5:/test/labels
          labeled: {per_class: 20}
          validation: {fraction: 0.2}
        pretrain:
          layers: [32, 8]
          model: denoising
          epochs: 4
          batch_size: 64
          end_to_end: {epochs: 2}
        classifier:
          hidden: [16]
          epochs: 8
          batch_size: 16
          early_stopping: {patience: 5}
        fine_tune:
          epochs: 3
          batch_size: 16
        anomaly:
          threshold: {percentile: 95}
        output:
          results: out/results.h5
        """

    /// The same stages with `model: vae` (no end_to_end: a VAE trains as a whole).
    static let vaePipeline =
        pipeline
        .replacingOccurrences(of: "model: denoising", with: "model: vae\n  vae: {beta: 1.0, kl_warmup_epochs: 2}")
        .replacingOccurrences(of: "  end_to_end: {epochs: 2}\n", with: "")

    static func writePipeline(_ text: String = pipeline, into folder: URL, name: String = "p.yaml") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Runs the built `layerwise` executable (next to the test bundle) and captures its output.
enum CLI {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// The test runner lives in the build products folder (`.build/debug`, or any
    /// `--scratch-path`), beside the `layerwise` executable.
    static var executable: URL {
        let starts = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle(for: Marker.self).bundleURL]
        for start in starts {
            var dir = start
            for _ in 0..<3 {
                dir = dir.deletingLastPathComponent()
                let candidate = dir.appendingPathComponent("layerwise")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return starts[0].deletingLastPathComponent().appendingPathComponent("layerwise")
    }

    static func run(_ args: [String], in folder: URL? = nil) throws -> Result {
        try launch(executable, args, in: folder)
    }

    /// Runs python3 (as the shell finds it) with `args`; `environment` entries are added to ours.
    static func python(_ args: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        try launch(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + args, in: folder, environment: environment)
    }

    static func launch(
        _ program: URL, _ args: [String], in folder: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let p = Process()
        p.executableURL = program
        p.arguments = args
        if let folder { p.currentDirectoryURL = folder }
        var environment = environment
        // Scripts/sanitize.sh: LeakSanitizer stays on in the programs the tests start (the
        // test runner itself runs without it: XCTest's own leaks would drown the report).
        if let child = ProcessInfo.processInfo.environment["LAYERWISE_CHILD_ASAN_OPTIONS"] {
            environment["ASAN_OPTIONS"] = child + (environment["ASAN_OPTIONS"].map { ":" + $0 } ?? "")
        }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    private final class Marker {}
}
