import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `evaluate.baseline`: logistic regression and the run's classifier network trained on
/// the labels alone, beside the semi-supervised result; the gain is over the stronger.
final class BaselineTests: XCTestCase {
    func run(_ folder: URL, _ overrides: [String]) throws -> RunReport {
        let path = try TinyData.writePipeline(into: folder)
        return try Runner.run(pipelineFile: path, options: RunOptions(overrides: overrides, threads: 1, quiet: true))
    }

    /// The baseline is, bit for bit, the pipeline's own labels-only variant trained for the
    /// epochs it chose: no pretrain:, no fine_tune:, the encoder's widths put in front of the
    /// head (all ReLU here), every drawn labeled row kept (no validation split).
    func testTheBaselineIsThePipelineWithoutPretrainingAtTheChosenEpochs() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        try TinyData.write(into: a)
        try TinyData.write(into: b)
        let semi = try run(a, ["evaluate.baseline=labels_only", "classifier.early_stopping=null"])
        let g = try H5File.open(semi.resultsPath).root.group("metrics/baseline/labels_only")
        let chosen = try H5File.open(semi.resultsPath).root.dataset("metrics/baseline/labels_only/loss").shape[0]
        XCTAssertTrue((1...8).contains(chosen), "at most classifier.epochs: \(chosen)")
        guard case .string(let settings) = try g.attribute("settings") else { return XCTFail("settings") }
        XCTAssertTrue(
            settings.contains(
                "on the 200 labeled rows (validation rows included), \(chosen) epochs: the best accuracy of epochs 1 to 8 on the 40 validation rows"
            ), settings)
        let alone = try run(
            b,
            [
                "pretrain=null", "fine_tune=null", "anomaly=null", "classifier.hidden=[32, 8, 16]",
                "classifier.early_stopping=null", "data.validation=null", "classifier.epochs=\(chosen)", "evaluate.baseline=none"
            ])
        let want = try H5File.open(alone.resultsPath).root.group("metrics/test")
        for key in ["accuracy", "macro_f1", "log_loss"] {
            XCTAssertEqual(try g.attribute(key), try want.attribute(key), key)
        }
        let acc = try XCTUnwrap(semi.metrics["accuracy"]), base = try XCTUnwrap(alone.metrics["accuracy"])
        XCTAssertEqual(semi.metrics["baseline_accuracy"], base)
        XCTAssertEqual(semi.metrics["accuracy_gain"], acc - base)
        let test = try H5File.open(semi.resultsPath).root.group("metrics/test")
        XCTAssertEqual(try test.attribute("accuracy_gain"), .double(acc - base))
        XCTAssertEqual(try test.attribute("gain_over"), .string("labels_only"))
        // The summary says what the unlabeled data bought.
        XCTAssertEqual(
            summaryValue(semi.summary, "accuracy gain"), String(format: "%+.2f points over labels-only network", 100 * (acc - base)))
        // compare shows both.
        let c = try Comparison(paths: [semi.resultsPath])
        XCTAssertTrue(c.rows.contains("baseline/labels_only/accuracy") && c.rows.contains("test/accuracy_gain"), "\(c.rows)")
    }

    /// Without validation rows the epochs come from stratified 5-fold cross-validation on the labeled rows.
    func testWithoutValidationRowsTheEpochsAreCrossValidated() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let report = try run(folder, ["evaluate.baseline=labels_only", "classifier.early_stopping=null", "data.validation=null"])
        let root = try H5File.open(report.resultsPath).root
        guard case .string(let settings) = try root.group("metrics/baseline/labels_only").attribute("settings") else {
            return XCTFail("settings")
        }
        let chosen = try root.dataset("metrics/baseline/labels_only/loss").shape[0]
        XCTAssertTrue(
            settings.hasSuffix(
                "\(chosen) epochs: the best mean accuracy of epochs 1 to 8 in 5-fold cross-validation on the labeled rows"),
            settings)
    }

    /// Logistic regression on the rows the results file records (labeled and validation),
    /// scaled as it records, agrees with scikit-learn's `LogisticRegression()` fitted on
    /// the same rows; the gain is over the stronger baseline, to the last bit.
    func testLogisticRegressionMatchesScikitLearnOnTheRecordedRows() throws {
        let folder = try TinyData.folder(self)
        let h5 = try TinyData.write(into: folder)
        let report = try run(folder, ["pretrain.epochs=1", "pretrain.end_to_end=null", "fine_tune=null", "anomaly=null"])
        let root = try H5File.open(report.resultsPath).root
        let g = try root.group("metrics/baseline/logistic_regression")
        let ref = try Reference.run([
            "baseline", report.resultsPath, "--train", "\(h5):/train/images", "--train-labels", "\(h5):/train/labels",
            "--test", "\(h5):/test/images", "--test-labels", "\(h5):/test/labels"
        ])
        XCTAssertEqual(try Reference.double(ref, "rows"), 200, "20 per class, validation rows included")
        guard case .double(let accuracy) = try g.attribute("accuracy"), case .double(let logLoss) = try g.attribute("log_loss") else {
            return XCTFail("accuracy, log_loss")
        }
        XCTAssertEqual(accuracy, try Reference.double(ref, "accuracy"), accuracy: 0.005 + 1e-9, "within half a point: one row of 200")
        XCTAssertEqual(logLoss, try Reference.double(ref, "log_loss"), accuracy: 0.01 * logLoss)
        XCTAssertGreaterThan(accuracy, 0.6, "200 labeled images of 10 classes")
        let strongest = max(accuracy, try XCTUnwrap(report.metrics["baseline_accuracy"]))
        XCTAssertEqual(report.metrics["baseline_accuracy"], strongest)
        XCTAssertEqual(try XCTUnwrap(report.metrics["accuracy_gain"]), try XCTUnwrap(report.metrics["accuracy"]) - strongest)
        XCTAssertEqual(
            summaryValue(report.summary, "logistic regression accuracy"), String(format: "%.4f (on the same labeled rows)", accuracy))
    }

    func testBaselineKeysAreCheckedAgainstThePipeline() {
        XCTAssertEqual(TinyData.problems(["evaluate.baseline=labels_only"]), [])
        XCTAssertEqual(TinyData.problems(["evaluate.baseline=[logistic_regression, labels_only]"]), [])
        XCTAssertEqual(
            TinyData.problems(["evaluate.baseline=everything"]),
            ["evaluate.baseline: 'everything' is not one of logistic_regression, labels_only, none"])
        XCTAssertEqual(
            TinyData.problems(["evaluate.baseline=[logistic_regresion]"]),
            [
                "evaluate.baseline[0]: 'logistic_regresion' is not one of logistic_regression, labels_only (did you mean 'logistic_regression'?)"
            ])
        XCTAssertEqual(
            TinyData.problems(["evaluate.baseline=labels_only", "data.test=null", "data.test_labels=null"]).first,
            "evaluate.baseline: needs a classifier: or ladder: stage and data.test with data.test_labels (each baseline is fitted on the labeled rows and evaluated on the test set)"
        )
        // Left to its default, a run without a labeled test set simply has no baselines.
        XCTAssertEqual(TinyData.problems(["data.test=null", "data.test_labels=null"]), [])
        XCTAssertEqual(
            TinyData.problems(["evaluate.expect={accuracy_gain: \">= 0.01\"}", "evaluate.baseline=none"]),
            ["evaluate.expect.accuracy_gain: is measured only with a baseline (evaluate.baseline: none turns them off)"])
        XCTAssertEqual(TinyData.problems(["evaluate.expect={accuracy_gain: \">= 0.01\"}"]), [])
    }
}
