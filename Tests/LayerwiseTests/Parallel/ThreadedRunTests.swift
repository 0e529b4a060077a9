import Foundation
import LayerwiseHDF5
import LayerwiseMath
import XCTest
@testable import Layerwise

/// `run` with 2 threads: the README promises "same seed and thread count → identical
/// results", and every other end-to-end test runs with 1. The pipeline is the tiny one
/// with a 784-128-16 encoder trained at batch 256, so its products (256·784·128 = 25.7M
/// multiply-adds) and element-wise kernels (256·128 = 32,768 values) are big enough for
/// the engine to split them over the 2 threads; the head has dropout.
final class ThreadedRunTests: XCTestCase {
    let wide = ["pretrain.layers=[128, 16]", "pretrain.batch_size=256", "classifier.dropout=0.2"]
    let compared = ["model", "predictions", "embeddings", "reconstructions", "anomaly", "metrics"]

    override func tearDown() { BLAS.setThreads(1) }

    func run(_ folder: URL, _ overrides: [String], resume: Bool = false) throws -> RunReport {
        let path = try TinyData.writePipeline(into: folder)
        return try Runner.run(pipelineFile: path, options: RunOptions(overrides: wide + overrides, threads: 2, quiet: true, resume: resume))
    }

    func assertSame(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try ResultsBytes.of(a, groups: compared), y = try ResultsBytes.of(b, groups: compared)
        for g in [
            "model/encoder/layer_0/kernel", "model/head/layer_1/kernel", "model/pretrained_encoder/layer_0/kernel",
            "predictions/test/probability", "predictions/test/label", "embeddings/test", "anomaly/test_error",
            "metrics/fine_tune/loss"
        ] {
            XCTAssertNotNil(x[g], "\(g) written", file: file, line: line)
        }
        XCTAssertEqual(Set(x.keys), Set(y.keys), file: file, line: line)
        for (k, v) in x.sorted(by: { $0.key < $1.key }) { XCTAssertTrue(y[k] == v, "\(k) differs", file: file, line: line) }
    }

    func testSameSeedAtTwoThreadsIsByteIdentical() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let a = try run(folder, ["output.results=a.h5"])
        XCTAssertEqual(BLAS.threads, 2)
        let b = try run(folder, ["output.results=b.h5"])
        try assertSame(a.resultsPath, b.resultsPath)
    }

    /// A fine-tuning that diverges (exit 3) at 2 threads, resumed at 2 threads, writes
    /// what an uninterrupted 2-thread run writes.
    func testResumeAtTwoThreadsEqualsAnUninterruptedRun() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        try TinyData.write(into: a)
        XCTAssertThrowsError(try run(a, ["fine_tune.optimizer={name: sgd, learning_rate: 1e30}"])) {
            XCTAssertTrue($0 is DivergedError, "\($0)")
        }
        let checkpoint = Checkpoint.load(resultsPath: a.appendingPathComponent("out/results.h5").path)
        XCTAssertNotNil(checkpoint.snapshot("pretrain"))
        XCTAssertNotNil(checkpoint.snapshot("classifier"))
        let resumed = try run(a, [], resume: true)
        try TinyData.write(into: b)
        let fresh = try run(b, [])
        try assertSame(resumed.resultsPath, fresh.resultsPath)
        // The head was not trained again: its timing is the interrupted run's.
        guard case .double(let s) = try H5File.open(resumed.resultsPath).root.group("metrics/timing").attribute("classifier_seconds") else {
            return XCTFail("classifier timing")
        }
        XCTAssertEqual(s, checkpoint.snapshot("classifier")?.timings.first { $0.stage == "classifier" }?.seconds)
    }
}
