import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// The test metrics a run writes, recomputed independently: by scikit-learn from the
/// stored probabilities and true classes, and by hand on small cases where micro- and
/// macro-averaging differ and the confusion matrix is not symmetric.
final class MetricsReferenceTests: XCTestCase {
    func attribute(_ g: H5Group, _ name: String) throws -> Double {
        guard case .double(let v) = try g.attribute(name) else { throw Reference.Failure(description: "\(g.path) lacks \(name)") }
        return v
    }

    /// A real `run`: accuracy, macro-F1, log loss and the confusion matrix in
    /// /metrics/test agree with scikit-learn's accuracy_score, f1_score(average='macro'),
    /// log_loss and confusion_matrix (rows = true class) on /predictions/test/probability
    /// and /data/test_labels.
    func testRunMetricsMatchScikitLearn() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let report = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true))
        let ref = try Reference.run(["metrics", report.resultsPath])
        let root = try H5File.open(report.resultsPath).root
        let m = try root.group("metrics/test")

        // Accuracy and macro-F1 are ratios of the same integer counts: only the order of
        // the final sums can differ (1e-12 is ~10⁴ ulps of numbers ≤ 1).
        XCTAssertEqual(try attribute(m, "accuracy"), try Reference.double(ref, "accuracy"), accuracy: 1e-12)
        let macro = try Reference.double(ref, "macro_f1"), micro = try Reference.double(ref, "micro_f1")
        XCTAssertEqual(try attribute(m, "macro_f1"), macro, accuracy: 1e-12)
        // The check can tell macro- from micro-averaging on this run (micro-F1 = accuracy here).
        XCTAssertGreaterThan(abs(macro - micro), 1e-3, "this run cannot tell macro-F1 from micro-F1")
        // Log loss: the mean of the same 200 float64 logs of float32 probabilities (measured
        // difference 2e-15). Rows sum to 1 only within ~1e-6 in float32, so a reference
        // that renormalizes rows (older scikit-learn) may move it by up to ~1e-6; a wrong
        // formula (log2, mean over all classes, a missed row) is off by > 0.1.
        XCTAssertEqual(try attribute(m, "log_loss"), try Reference.double(ref, "log_loss"), accuracy: 1e-6)
        // Layerwise clips at 1e-7 (Keras's epsilon), scikit-learn does not: they agree only
        // while no true-class probability is that small, which holds on this run.
        XCTAssertGreaterThan(try Reference.double(ref, "min_true_probability"), 1e-7)

        // Confusion matrix: exact counts, row = true class, column = predicted class.
        let cm = try root.dataset("metrics/test/confusion_matrix").read(as: Int64.self)
        guard let rows = ref["confusion_matrix"] as? [[NSNumber]] else { return XCTFail("reference confusion_matrix") }
        let want = rows.flatMap { $0.map(\.int64Value) }
        XCTAssertEqual(try root.dataset("metrics/test/confusion_matrix").shape, [10, 10])
        XCTAssertEqual(cm, want)
        let transposed = (0..<10).flatMap { c in (0..<10).map { r in want[r * 10 + c] } }
        XCTAssertNotEqual(transposed, want, "this run's confusion matrix is symmetric: the check cannot see a transpose")

        // The stored labels are numpy's argmax of the stored probabilities.
        let predicted = try Reference.doubles(ref, "predicted").map { Int32($0) }
        XCTAssertEqual(try root.dataset("predictions/test/label").read(as: Int32.self), predicted)
    }

    /// Ten rows of three classes, worked by hand (and checked with scikit-learn 1.9.1):
    ///
    ///     true 0 0 0 0 0 0 1 1 2 2
    ///     pred 0 0 0 0 0 0 0 1 0 2      confusion [[6 0 0]
    ///                                              [1 1 0]
    ///                                              [1 0 1]]
    ///
    /// F1 per class = 2·tp / (true + predicted): 12/14, 2/3, 2/3, so macro-F1 = 46/63 =
    /// 0.7302, while micro-F1 = accuracy = 0.8. Log loss = −(3 ln .5 + 3 ln .8 + 2 ln .4 +
    /// ln .3 + ln .2) / 10 = 0.73949.
    func testThreeClassesByHand() {
        let p: [Float] = [
            0.5, 0.25, 0.25, 0.5, 0.25, 0.25, 0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.4, 0.3, 0.3,
            0.4, 0.3, 0.3, 0.6, 0.3, 0.1, 0.25, 0.5, 0.25, 0.7, 0.1, 0.2, 0.1, 0.1, 0.8
        ]
        let m = ClassificationMetrics(probabilities: p, labels: [0, 0, 0, 0, 0, 0, 1, 1, 2, 2], classes: 3)
        XCTAssertEqual(m.confusion, [[6, 0, 0], [1, 1, 0], [1, 0, 1]], "row = true class, column = predicted")
        XCTAssertEqual(m.accuracy, 0.8, accuracy: 1e-15)
        XCTAssertEqual(m.macroF1, 46.0 / 63.0, accuracy: 1e-15)
        let ln = { (x: Double) in Foundation.log(x) }
        let logLoss = -(3 * ln(0.5) + 3 * ln(0.8) + 2 * ln(0.4) + ln(0.3) + ln(0.2)) / 10
        // The inputs are float32: 0.1, 0.3, 0.4, 0.8 are off by ≤ 6e-8 relative, so each log by ≤ 6e-8.
        XCTAssertEqual(m.logLoss, logLoss, accuracy: 1e-7)
    }

    /// Four classes: class 3 is neither true nor predicted (left out of the mean, as
    /// scikit-learn does over the labels present), class 2 is true but never predicted
    /// (F1 0, kept). Row 0 ties classes 0 and 1: the first wins (numpy's argmax).
    ///
    ///     true 0 0 1 1 2
    ///     pred 0 1 1 1 0     F1: 2/4, 4/5, 0 → macro (0.5 + 0.8 + 0) / 3 = 0.43333
    ///
    /// (0.325 if class 3 counted as 0, 0.65 if class 2 were dropped.) Log loss =
    /// −(ln .4 + ln .2 + ln .8 + ln .6 + ln .2) / 5 = 0.97383.
    func testAbsentClassLeftOutNeverPredictedClassCountsAsZero() {
        let p: [Float] = [
            0.4, 0.4, 0.1, 0.1, 0.2, 0.7, 0.05, 0.05, 0.1, 0.8, 0.05, 0.05,
            0.3, 0.6, 0.05, 0.05, 0.5, 0.3, 0.2, 0
        ]
        let m = ClassificationMetrics(probabilities: p, labels: [0, 0, 1, 1, 2], classes: 4)
        XCTAssertEqual(m.confusion, [[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
        XCTAssertEqual(m.accuracy, 0.6, accuracy: 1e-15)
        XCTAssertEqual(m.macroF1, 1.3 / 3, accuracy: 1e-15)
        let logLoss = -[0.4, 0.2, 0.8, 0.6, 0.2].map { Foundation.log($0) }.reduce(0, +) / 5
        XCTAssertEqual(m.logLoss, logLoss, accuracy: 1e-7)  // float32 inputs, as above
    }

    /// A true class given probability 0 costs −ln(1e-7) = 16.118 (the documented clip),
    /// not infinity.
    func testLogLossClipsAtKerasEpsilon() {
        let m = ClassificationMetrics(probabilities: [1, 0, 0.5, 0.5], labels: [1, 0], classes: 2)
        XCTAssertEqual(m.logLoss, (-Foundation.log(1e-7) - Foundation.log(0.5)) / 2, accuracy: 1e-12)
        XCTAssertEqual(m.confusion, [[1, 0], [1, 0]])
    }
}
