import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Pipelines that crashed or hung Layerwise (a mutation fuzzing run, and the same kinds
/// made by hand): each is now one schema error, found quickly. Fuzz/ `fuzz-pipeline` goes
/// on looking for more.
final class PipelineRobustnessTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyData.folder(self)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `pretrain.layers: null` (or a tab, or nothing) passed the schema and trapped in
    /// `Network.init` on an encoder of no layers.
    func testAnEmptyEncoderIsASchemaError() throws {
        for value in ["null", "~", "\t", "", "[]"] {
            let text = TinyData.pipeline.replacingOccurrences(of: "layers: [32, 8]", with: "layers: \(value)")
            expectUserError(["p.yaml:11:", "pretrain.layers"]) { _ = try Pipeline.parse(text, file: "p.yaml", baseDirectory: folder) }
        }
        try TinyData.write(into: folder)
        let p = try TinyData.writePipeline(TinyData.pipeline.replacingOccurrences(of: "layers: [32, 8]", with: "layers:\t"), into: folder)
        try expectCLIFailure(["run", p, "--quiet"], mentions: ["pretrain.layers"], in: folder)
        try expectCLIFailure(["validate", p], mentions: ["pretrain.layers"], in: folder)
    }

    /// Aliases of aliases: 30 lines standing for 2^31 values, which writing the resolved
    /// pipeline (or reading a list of them) never finished.
    func testAnAliasBombIsRefused() throws {
        var lines = ["a0: &a0 [x, x]"]
        for i in 1..<31 { lines.append("a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]") }
        let bomb = lines.joined(separator: "\n") + "\n"
        let start = Date()
        expectUserError(["YAML values"]) {
            _ = try Pipeline.parse(bomb + TinyData.pipeline + "\nevaluate: {metrics: *a30}\n", file: "p.yaml", baseDirectory: folder)
        }
        // The same through --set: one flow list defining and doubling its own anchors.
        let flow = "[&a0 [x, x]" + (1..<31).map { ", &a\($0) [*a\($0 - 1), *a\($0 - 1)]" }.joined() + "]"
        expectUserError(["YAML values"]) {
            _ = try Pipeline.parse(TinyData.pipeline, file: "p.yaml", baseDirectory: folder, overrides: ["evaluate.metrics=\(flow)"])
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// `matrix:` of twelve axes is 10^12 runs: counted before any is built.
    func testAHugeMatrixIsRefused() throws {
        let keys = [
            "seed", "name", "pretrain.epochs", "pretrain.batch_size", "classifier.epochs", "classifier.batch_size",
            "fine_tune.epochs", "fine_tune.batch_size", "pretrain.weight_decay", "classifier.dropout",
            "pretrain.optimizer.learning_rate", "classifier.optimizer.learning_rate"
        ]
        let matrix = keys.map { "  \($0): [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]" }.joined(separator: "\n")
        let p = try TinyData.writePipeline(TinyData.pipeline + "\nmatrix:\n" + matrix + "\n", into: folder)
        let start = Date()
        expectUserError(["matrix", "combinations"]) { _ = try Pipeline.loadAll(file: p) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// `batch_size: 10^14` asked the engine for buffers of 10^14 rows (an allocation
    /// failure, then abort). A batch never holds more rows than there are: it now trains
    /// exactly as `batch_size` = the number of rows does, byte for byte.
    func testABatchLargerThanTheDataIsOneBatchOfEveryRow() throws {
        try TinyData.write(into: folder)
        let p = try TinyData.writePipeline(into: folder)
        func run(_ batch: String, _ out: String) throws -> [String: [UInt8]] {
            let sets =
                ["pretrain.batch_size", "pretrain.end_to_end.batch_size", "classifier.batch_size", "fine_tune.batch_size"]
                .map { "\($0)=\(batch)" } + ["output.results=\(out)"]
            let r = try Runner.run(pipelineFile: p, options: RunOptions(overrides: sets, threads: 1, quiet: true))
            return try ResultsBytes.of(r.resultsPath, groups: ["model", "predictions", "embeddings", "anomaly", "metrics"])
        }
        let huge = try run("100000000000000", "huge.h5"), rows = try run("600", "rows.h5")
        XCTAssertEqual(Set(huge.keys), Set(rows.keys))
        for (k, v) in rows { XCTAssertTrue(huge[k] == v, "\(k) differs") }
    }

    /// A key quoted with a line break in it (`"a\nb": 1`) made its "unknown key" problem
    /// two lines of output: each problem is now one line, its control characters escaped.
    func testAProblemIsOneLineWhateverTheKeySays() throws {
        let text = TinyData.pipeline + "\n\"sede\\nerror: fake\": 1\n"
        expectUserError(["unknown key 'sede\\nerror: fake'"]) { _ = try Pipeline.parse(text, file: "p.yaml", baseDirectory: folder) }
    }
}
