import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `run --resume`: an interrupted run's finished stages are reused when their settings
/// are unchanged, and the results are those of an uninterrupted run.
final class ResumeTests: XCTestCase {
    let diverge = ["fine_tune.optimizer={name: sgd, learning_rate: 1e30}"]

    func run(_ folder: URL, _ overrides: [String], resume: Bool = false) throws -> RunReport {
        let path = try TinyData.writePipeline(into: folder)
        return try Runner.run(pipelineFile: path, options: RunOptions(overrides: overrides, threads: 1, quiet: true, resume: resume))
    }

    /// Interrupts a run in fine-tuning (its loss overflows: exit code 3) and returns the checkpoint left behind.
    func interrupted(_ folder: URL, _ extra: [String] = []) throws -> Checkpoint {
        try TinyData.write(into: folder)
        XCTAssertThrowsError(try run(folder, diverge + extra)) { XCTAssertTrue($0 is DivergedError, "\($0)") }
        let results = folder.appendingPathComponent("out/results.h5").path
        XCTAssertFalse(FileManager.default.fileExists(atPath: results), "no results file from an interrupted run")
        let c = Checkpoint.load(resultsPath: results)
        XCTAssertNotNil(c.snapshot("pretrain"))
        XCTAssertNotNil(c.snapshot("classifier"))
        XCTAssertNil(c.snapshot("fine_tune"), "the stage that diverged left no snapshot")
        return c
    }

    func arrays(_ path: String) throws -> [String: [Float]] {
        let root = try H5File.open(path).root
        var out: [String: [Float]] = [:]
        for p in [
            "model/encoder/layer_0/kernel", "model/encoder/layer_1/kernel", "model/decoder/layer_1/kernel",
            "model/head/layer_1/kernel", "predictions/test/probability", "embeddings/test", "anomaly/test_error",
            "metrics/pretrain/layer_0/loss", "metrics/classifier/loss", "metrics/fine_tune/loss"
        ] {
            out[p] = try root.dataset(p).read(as: Float.self)
        }
        return out
    }

    func seconds(_ path: String, _ stage: String) throws -> Double {
        guard case .double(let s) = try H5File.open(path).root.group("metrics/timing").attribute("\(stage)_seconds") else { return -1 }
        return s
    }

    func testResumedRunEqualsAnUninterruptedOne() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        let saved = try interrupted(a)
        let resumed = try run(a, [], resume: true)
        try TinyData.write(into: b)
        let fresh = try run(b, [])
        let got = try arrays(resumed.resultsPath), want = try arrays(fresh.resultsPath)
        for (k, v) in want { XCTAssertEqual(got[k]?.map(\.bitPattern), v.map(\.bitPattern), k) }
        // Pretraining and the head were not run again: their timings are the interrupted run's.
        XCTAssertEqual(
            try seconds(resumed.resultsPath, "pretrain_layer_0"),
            saved.snapshot("pretrain")?.timings.first { $0.stage == "pretrain_layer_0" }?.seconds)
        XCTAssertEqual(
            try seconds(resumed.resultsPath, "classifier"),
            saved.snapshot("classifier")?.timings.first { $0.stage == "classifier" }?.seconds)
        XCTAssertFalse(FileManager.default.fileExists(atPath: saved.path), "the checkpoint goes when the run completes")
    }

    func testChangedSettingsRunTheirStageAgain() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        let saved = try interrupted(a)
        let resumed = try run(a, ["pretrain.epochs=2"], resume: true)
        try TinyData.write(into: b)
        let fresh = try run(b, ["pretrain.epochs=2"])
        XCTAssertEqual(try arrays(resumed.resultsPath)["metrics/pretrain/layer_0/loss"]?.count, 2)
        for (k, v) in try arrays(fresh.resultsPath) {
            XCTAssertEqual(try arrays(resumed.resultsPath)[k]?.map(\.bitPattern), v.map(\.bitPattern), k)
        }
        XCTAssertNotEqual(
            try seconds(resumed.resultsPath, "pretrain_layer_0"),
            saved.snapshot("pretrain")?.timings.first { $0.stage == "pretrain_layer_0" }?.seconds)
    }

    func testWithoutResumeTheCheckpointIsNotRead() throws {
        let a = try TinyData.folder(self)
        let saved = try interrupted(a)
        let again = try run(a, [])
        XCTAssertNotEqual(
            try seconds(again.resultsPath, "pretrain_layer_0"),
            saved.snapshot("pretrain")?.timings.first { $0.stage == "pretrain_layer_0" }?.seconds)
    }
}
