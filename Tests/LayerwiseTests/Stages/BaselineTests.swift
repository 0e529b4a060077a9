import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `evaluate.baseline: labels_only`: the run's classifier network trained on the labels
/// alone, beside the semi-supervised result.
final class BaselineTests: XCTestCase {
    func run(_ folder: URL, _ overrides: [String]) throws -> RunReport {
        let path = try TinyData.writePipeline(into: folder)
        return try Runner.run(pipelineFile: path, options: RunOptions(overrides: overrides, threads: 1, quiet: true))
    }

    /// The baseline is, bit for bit, the pipeline's own labels-only variant: no pretrain:,
    /// no fine_tune:, the encoder's widths put in front of the head (all ReLU here).
    func testTheBaselineIsThePipelineWithoutPretraining() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        try TinyData.write(into: a)
        try TinyData.write(into: b)
        let semi = try run(a, ["evaluate.baseline=labels_only", "classifier.early_stopping=null"])
        let alone = try run(
            b,
            [
                "pretrain=null", "fine_tune=null", "anomaly=null", "classifier.hidden=[32, 8, 16]",
                "classifier.early_stopping=null"
            ])
        let g = try H5File.open(semi.resultsPath).root.group("metrics/baseline")
        let want = try H5File.open(alone.resultsPath).root.group("metrics/test")
        for key in ["accuracy", "macro_f1", "log_loss"] {
            XCTAssertEqual(try g.attribute(key), try want.attribute(key), key)
        }
        let acc = try XCTUnwrap(semi.metrics["accuracy"]), base = try XCTUnwrap(alone.metrics["accuracy"])
        XCTAssertEqual(semi.metrics["baseline_accuracy"], base)
        XCTAssertEqual(semi.metrics["accuracy_gain"], acc - base)
        XCTAssertEqual(try g.attribute("accuracy_gain"), .double(acc - base))
        // Its curves sit beside the stage's others, and the summary says what the unlabeled data bought.
        XCTAssertEqual(try H5File.open(semi.resultsPath).root.dataset("metrics/baseline/loss").shape, [8])
        XCTAssertTrue(semi.summary.contains(String(format: "accuracy gain          %+.2f points", 100 * (acc - base))), semi.summary)
        // compare shows both.
        let c = try Comparison(paths: [semi.resultsPath])
        XCTAssertTrue(c.rows.contains("baseline/accuracy") && c.rows.contains("baseline/accuracy_gain"), "\(c.rows)")
    }

    func testBaselineKeysAreCheckedAgainstThePipeline() {
        func problems(_ overrides: [String]) -> [String] {
            do {
                _ = try Pipeline.parse(TinyData.pipeline, file: "p.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"), overrides: overrides)
                return []
            } catch let e as PipelineError { return e.problems.map { "\($0.keyPath): \($0.message)" } } catch { return ["\(error)"] }
        }
        XCTAssertEqual(problems(["evaluate.baseline=labels_only"]), [])
        XCTAssertEqual(
            problems(["evaluate.baseline=everything"]),
            ["evaluate.baseline: 'everything' is not one of labels_only, none"])
        XCTAssertEqual(
            problems(["evaluate.baseline=labels_only", "data.test=null", "data.test_labels=null"]).first,
            "evaluate.baseline: needs a classifier: stage and data.test with data.test_labels (the baseline is that network trained on the labels alone, evaluated on the test set)"
        )
        XCTAssertEqual(
            problems(["evaluate.expect={accuracy_gain: \">= 0.01\"}"]),
            ["evaluate.expect.accuracy_gain: is measured only with evaluate.baseline: labels_only"])
        XCTAssertEqual(problems(["evaluate.expect={accuracy_gain: \">= 0.01\"}", "evaluate.baseline=labels_only"]), [])
    }
}
