import Foundation
import LayerwiseHDF5
import XCTest

/// `layerwise run` through the built executable: `--resume` after a diverged run, and
/// an existing results file left byte for byte by a re-run that fails (bad input: exit
/// 2; divergence: exit 3).
final class RunCLITests: XCTestCase {
    let diverge = ["--set", "fine_tune.optimizer={name: sgd, learning_rate: 1e30}"]
    let compared = ["model", "predictions", "embeddings", "reconstructions", "anomaly", "metrics"]

    /// `layerwise run p.yaml --threads 1 ARGS…` in `folder`.
    func run(_ folder: URL, _ args: [String]) throws -> CLI.Result {
        let path = try TinyData.writePipeline(into: folder)
        return try CLI.run(["run", path, "--threads", "1"] + args, in: folder)
    }

    func testResumeAfterADivergedFineTuning() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        try TinyData.write(into: a)
        let results = a.appendingPathComponent("out/results.h5"), checkpoint = a.appendingPathComponent("out/results.checkpoint.h5")
        let failed = try run(a, diverge)
        XCTAssertEqual(failed.status, 3, failed.stderr)
        XCTAssertTrue(failed.stderr.hasPrefix("error: fine-tune: the loss became NaN/Inf in epoch 1"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: results.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.path))

        let resumed = try run(a, ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resume: pretrain, end_to_end, classifier from \(checkpoint.path)"), resumed.stdout)
        // Only fine-tuning ran: no epoch line of pretraining, end-to-end or the head.
        for stage in ["[pretrain", "[end-to-end", "[classifier]"] {
            XCTAssertFalse(resumed.stdout.contains(stage), "\(stage) ran again: \(resumed.stdout)")
        }
        XCTAssertTrue(resumed.stdout.contains("[fine-tune] epoch 3/3"), resumed.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint.path), "the checkpoint goes with a complete run")

        try TinyData.write(into: b)
        let fresh = try run(b, ["--quiet"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let got = try ResultsBytes.of(results.path, groups: compared)
        let want = try ResultsBytes.of(b.appendingPathComponent("out/results.h5").path, groups: compared)
        XCTAssertNotNil(want["model/encoder/layer_0/kernel"])
        XCTAssertEqual(Set(got.keys), Set(want.keys))
        for (k, v) in want.sorted(by: { $0.key < $1.key }) { XCTAssertTrue(got[k] == v, "\(k) differs from an uninterrupted run") }
    }

    /// A complete run, then a failing re-run to the same results path: the file is
    /// untouched and nothing half-written is left beside it.
    func assertFailedRerunKeepsTheResults(
        _ args: [String], code: Int32, mentions: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let first = try run(folder, ["--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr, file: file, line: line)
        let results = folder.appendingPathComponent("out/results.h5")
        let before = try Data(contentsOf: results)
        let again = try run(folder, ["--quiet"] + args)
        XCTAssertEqual(again.status, code, again.stderr, file: file, line: line)
        XCTAssertTrue(again.stderr.hasPrefix("error: ") && again.stderr.contains(mentions), again.stderr, file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: results), before, "results.h5 changed", file: file, line: line)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
        XCTAssertEqual(left.filter { $0 != "results.h5" && $0 != "results.checkpoint.h5" }, [], "left behind", file: file, line: line)
    }

    func testResultsSurviveARerunOnBadInput() throws {
        try assertFailedRerunKeepsTheResults(["--set", "data.test=tiny.h5:/test/nope"], code: 2, mentions: "/test/nope")
    }

    func testResultsSurviveARerunThatDiverges() throws {
        try assertFailedRerunKeepsTheResults(diverge, code: 3, mentions: "NaN/Inf")
    }
}
