import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `classifier.pseudo_labels`: label spreading over the training rows' nearest-neighbour
/// graph, checked against numpy's float64 reading of the same equations and against
/// scikit-learn's LabelSpreading; then what the run does with them.
final class PseudoLabelTests: XCTestCase {
    func testSpreadLabelsMatchAnIndependentReferenceAndTrainTheHead() throws {
        let folder = try TinyData.folder(self)
        let h5 = try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let report = try Runner.run(
            pipelineFile: path,
            options: RunOptions(overrides: ["classifier.pseudo_labels={}", "anomaly=null"], threads: 1, quiet: true))
        let root = try H5File.open(report.resultsPath).root
        let labels = try root.dataset("data/pseudo_labels").read(as: Int32.self)
        let weights = try root.dataset("data/pseudo_label_weights").read(as: Float.self)
        XCTAssertEqual(labels.count, 600, "one per training row")
        let ref = try Reference.run([
            "pseudo_labels", report.resultsPath, "--train", "\(h5):/train/images", "--train-labels", "\(h5):/train/labels"
        ])
        let refLabels = try Reference.doubles(ref, "labels").map { Int32($0) }
        let refWeights = try Reference.doubles(ref, "weights")
        // Float32 distances may order a near tie differently from float64: allow 1 row in 200.
        let agree = zip(labels, refLabels).filter { $0 == $1 }.count
        XCTAssertGreaterThanOrEqual(agree, 597, "pseudo-labels equal to numpy's on \(agree) of 600 rows")
        var worst = 0.0
        for i in labels.indices where labels[i] == refLabels[i] { worst = max(worst, abs(Double(weights[i]) - refWeights[i])) }
        XCTAssertLessThan(worst, 1e-4, "certainty weights against numpy's")
        // scikit-learn's LabelSpreading(kernel="knn") builds a directed graph with self-loops: close, not equal
        // (measured 0.85 here, 0.94 on digits).
        XCTAssertGreaterThan(try Reference.double(ref, "sklearn_agreement"), 0.8)
        // Labeled rows keep their class at weight 1; validation rows are held out (weight 0).
        let trainLabels = try H5File.open(h5).root.dataset("train/labels").read(as: Int64.self)
        let labeled = try root.dataset("data/labeled_indices").read(as: Int64.self).map(Int.init)
        let validation = try root.dataset("data/validation_indices").read(as: Int64.self).map(Int.init)
        XCTAssertEqual(labeled.count, 160)
        for r in labeled {
            XCTAssertEqual(Int64(labels[r]), trainLabels[r])
            XCTAssertEqual(weights[r], 1)
        }
        for r in validation { XCTAssertEqual(weights[r], 0) }
        XCTAssertTrue(weights.allSatisfy { (0...1).contains($0) })
        // The stored accuracy is the agreement with the file's labels on the other rows the spreading reached.
        let known = Set(labeled + validation)
        let checked = labels.indices.filter { !known.contains($0) && weights[$0] > 0 }
        let right = checked.filter { Int64(labels[$0]) == trainLabels[$0] }.count
        guard case .double(let accuracy) = try root.group("data").attribute("pseudo_label_accuracy") else {
            return XCTFail("pseudo_label_accuracy")
        }
        XCTAssertEqual(accuracy, Double(right) / Double(checked.count), accuracy: 1e-12)
        XCTAssertGreaterThan(accuracy, 0.5, "ten classes of tiny images: well above chance")
        XCTAssertNotNil(report.metrics["accuracy"])
    }

    func testStreamedRowsAreRefusedAtLoadWithOneError() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let r = try CLI.run(
            ["run", path, "--threads", "1", "--set", "classifier.pseudo_labels={}", "--set", "data.in_memory=false"], in: folder)
        XCTAssertEqual(r.status, 2, r.stderr)
        // Refused at load, before any training.
        XCTAssertEqual(
            r.stderr, "error: \(path) (--set): classifier.pseudo_labels: needs every training row in memory, but data.in_memory is false\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }

    func testSettingsAreChecked() {
        XCTAssertEqual(TinyData.problems(["classifier.pseudo_labels={graph: codes, neighbors: 10, alpha: 0.5, iterations: 5}"]), [])
        XCTAssertEqual(
            TinyData.problems(["classifier.pseudo_labels={graph: code}"]),
            ["classifier.pseudo_labels.graph: 'code' is not one of inputs, codes (did you mean 'codes'?)"])
        XCTAssertEqual(TinyData.problems(["classifier.pseudo_labels={neighbors: 0}"]).count, 1)
        XCTAssertEqual(TinyData.problems(["classifier.pseudo_labels={alpha: 1.5}"]).count, 1)
        // A graph on codes needs an encoder; streamed rows cannot be spread over.
        XCTAssertEqual(
            TinyData.problems(["pretrain=null", "fine_tune=null", "anomaly=null", "classifier.pseudo_labels={graph: codes}"]),
            ["classifier.pseudo_labels.graph: codes needs a pretrain: stage (without one there are no codes; use inputs)"])
        XCTAssertEqual(
            TinyData.problems(["classifier.pseudo_labels={}", "data.in_memory=false"]),
            ["classifier.pseudo_labels: needs every training row in memory, but data.in_memory is false"])
    }
}
