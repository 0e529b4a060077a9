import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Results files whose layers, preprocessing or figures crashed `encode`, `predict`,
/// `score`, `report` or `export keras`: each is now one user-facing error, or a report
/// without the figure it cannot draw. Fuzz/ `fuzz-h5-results` goes on looking for more.
final class CorruptResultsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyData.folder(self)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A results file written from scratch: `layers` are (rows, cols) of Dense layers.
    func writeResults(
        _ name: String = "r.h5", features: Int64 = 4, encoder: [(Int, Int)], head: [(Int, Int)] = [],
        decoder: [(Int, Int)] = [], scale: String = "none", mean: Int = 0
    ) throws -> String {
        let p = path(name)
        let root = try H5File.create(p).root
        try root.setAttribute("format", "layerwise-results")
        let pre = try root.createGroup("model/preprocessing")
        try pre.setAttribute("scale", scale)
        try pre.setAttribute("n_features", features)
        if scale == "standardize" {
            try pre.write("mean", [Float](repeating: 0, count: mean), shape: [mean])
            try pre.write("std", [Float](repeating: 1, count: mean), shape: [mean])
        }
        for (group, layers) in [("encoder", encoder), ("head", head), ("decoder", decoder)] {
            for (i, (r, c)) in layers.enumerated() {
                let g = try root.createGroup("model/\(group)/layer_\(i)")
                try g.write("kernel", [Float](repeating: 0.1, count: r * c), shape: [r, c])
                try g.write("bias", [Float](repeating: 0, count: c), shape: [c])
                try g.setAttribute("activation", "relu")
            }
        }
        return p
    }

    /// Layers that do not chain, a first layer of another width than n_features, or a
    /// scaler of the wrong length trapped in the engine's preconditions (or indexed past
    /// an array) when applied.
    func testInconsistentLayersAreRefused() throws {
        let input = try TinyData.write(into: folder) + ":/test/images"
        let bad: [(String, String, String)] = [
            (try writeResults("chain.h5", features: 784, encoder: [(784, 8), (5, 3)]), "encoder/layer_1 takes 5 inputs", "encode"),
            (try writeResults("head.h5", features: 784, encoder: [(784, 8)], head: [(7, 10)]), "head/layer_0 takes 7 inputs", "predict"),
            (try writeResults("dec.h5", features: 784, encoder: [(784, 8)], decoder: [(8, 700)]), "decoder/layer_0 gives 700", "score"),
            (try writeResults("width.h5", features: 16, encoder: [(784, 8)]), "n_features = 16", "encode"),
            (try writeResults("zero.h5", features: 0, encoder: [(784, 8)]), "n_features = 0", "encode"),
            (try writeResults("std.h5", features: 784, encoder: [(784, 8)], scale: "standardize", mean: 3), "3 means", "encode")
        ]
        for (results, message, command) in bad {
            let kind = Apply.Kind(rawValue: command)!
            expectUserError([message]) { _ = try Apply.run(kind, results: results, input: input, output: path("o.h5"), threads: 1) }
            expectUserError([message]) { _ = try KerasExport.run(results: results, output: path("k.weights.h5")) }
        }
        try expectCLIFailure(["score", "dec.h5", input, "-o", "o.h5"], mentions: ["decoder/layer_0 gives 700"], in: folder)
    }

    /// Report figures from values at Float's extremes and counts at Int64's: the
    /// picture scaling (hi − lo overflowed Float, then Int(NaN) trapped) and the confusion
    /// matrix's row sums (Int64 overflow).
    func testReportOfExtremeValues() throws {
        let p = try writeResults(encoder: [(4, 2)])
        do {
            let root = try H5File.open(p, mode: .readWrite).root
            try root.createGroup("reconstructions").write("test", [-3e38, 3e38, 0, 1, 3e38, -3e38, .nan, 2] as [Float], shape: [2, 4])
            try root.group("reconstructions").write("test_input", [3e38, -3e38, 1, 0, 0, 0, 0, 0] as [Float], shape: [2, 4])
            try root.createGroup("metrics/test").write("confusion_matrix", [Int64.max, Int64.max, 1, -5], shape: [2, 2])
            try root.createGroup("embeddings").write("test", [Float](repeating: 1, count: 3 * 2000), shape: [3, 2000])
        }
        let out = try HTMLReport.run(results: p, output: path("report.html"))
        XCTAssertTrue(out.contains("sections"), out)
        let html = try String(contentsOfFile: path("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("2000-d codes: too wide for the PCA view"))
    }

    /// A checkpoint whose fingerprint matches (same settings, same data file names) but
    /// whose model no longer fits the data (re-imported with 100 features instead of 784)
    /// would have put an encoder of 784 inputs before data of 100 and trapped in the
    /// engine; `--resume` now runs every stage.
    func testACheckpointThatNoLongerFitsTheDataIsNotReused() throws {
        try TinyData.write(into: folder)
        let p = try TinyData.writePipeline(into: folder)
        let diverge = ["fine_tune.optimizer={name: sgd, learning_rate: 1e30}"]
        XCTAssertThrowsError(try Runner.run(pipelineFile: p, options: RunOptions(overrides: diverge, threads: 1, quiet: true)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/results.checkpoint.h5")))
        let src = try H5File.open(TinyData.shipped).root
        do {
            let root = try H5File.create(path("tiny.h5")).root
            for (g, n) in [("train", 600), ("test", 200)] {
                let x = try src.dataset("/\(g)/images").readRows(0..<n, as: UInt8.self)
                let narrow = (0..<n).flatMap { x[($0 * 784)..<($0 * 784 + 100)] }
                try root.createGroup(g).write("images", narrow, shape: [n, 100])
                try root.group(g).write("labels", try src.dataset("/\(g)/labels").readRows(0..<n, as: Int64.self), shape: [n])
            }
        }
        let report = try Runner.run(pipelineFile: p, options: RunOptions(threads: 1, quiet: true, resume: true))
        XCTAssertEqual(try H5File.open(report.resultsPath).root.dataset("model/encoder/layer_0/kernel").shape, [100, 32])
    }
}
