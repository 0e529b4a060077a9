import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Every pipeline shipped in Pipelines/ passes the schema (the Fashion-MNIST ones need
/// Datasets/fashion-mnist.h5 to run, but a typo in them should not wait for that).
final class ShippedPipelinesTests: XCTestCase {
    func testEveryShippedPipelineParses() throws {
        let folder = TinyData.repoRoot.appendingPathComponent("Pipelines")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 9, "\(files)")
        var models: Set<String> = []
        for name in files {
            let runs = try Pipeline.loadAll(file: folder.appendingPathComponent(name).path, overrides: [])
            XCTAssertFalse(runs.isEmpty, name)
            if let m = runs.first?.config.pretrain?.model.kind.rawValue { models.insert(m) }
            if name == "fashion-mnist-anomaly.yaml" {
                XCTAssertEqual(runs.count, 10, "one run per normal class")
                XCTAssertEqual(Set(runs.compactMap { $0.config.anomaly?.normalClasses }), Set((0..<10).map { [$0] }))
            }
        }
        // A Fashion-MNIST pipeline for each pretraining model the README reports.
        XCTAssertTrue(models.isSuperset(of: ["denoising", "rbm", "vae", "contractive", "sparse", "basic"]), "\(models)")
    }

    /// Pipelines/default.yaml as shipped, on the shipped Datasets/fashion-mnist-small.h5
    /// (450 labels + 50 validation, 5,000 unlabeled images, 1,000 test images), its
    /// results written to a temporary folder. The floors are a point under seed 0's
    /// measurement, far above the file's own gate (0.60).
    func testDefaultPipelineReachesItsAccuracyOnTheShippedData() throws {
        let folder = try TinyData.folder(self)
        let pipeline = TinyData.repoRoot.appendingPathComponent("Pipelines/default.yaml").path
        let results = folder.appendingPathComponent("default.h5").path
        let report = try Runner.run(
            pipelineFile: pipeline, options: RunOptions(overrides: ["output.results=\(results)"], threads: 1, quiet: true))
        XCTAssertEqual(report.resultsPath, results)
        XCTAssertEqual(report.exitCode, 0)
        // Release build, 1 thread, seeds 0 / 1 / 2: accuracy 0.800 / 0.798 / 0.795, macro-F1 0.802 / 0.800 / 0.796;
        // the labels-only baseline (its head regularised and its epochs cross-validated as the pipeline's own)
        // 0.782 / 0.789 / 0.791, so the unlabeled images buy +1.8 / +0.9 / +0.4 points over the same network;
        // logistic regression on the same 500 labeled rows 0.805 / 0.771 / 0.809. This is seed 0 (a debug build:
        // +0.9 points over the labels-only network); the summary's gain is over the stronger baseline.
        let accuracy = try XCTUnwrap(report.metrics["accuracy"])
        XCTAssertGreaterThan(accuracy, 0.785)
        XCTAssertGreaterThan(try XCTUnwrap(report.metrics["macro_f1"]), 0.785)
        let baselines = try H5File.open(results).root.group("metrics/baseline")
        guard case .double(let labelsOnly) = try baselines.group("labels_only").attribute("accuracy"),
            case .double(let logistic) = try baselines.group("logistic_regression").attribute("accuracy")
        else { return XCTFail("both baselines in /metrics/baseline") }
        XCTAssertGreaterThan(accuracy - labelsOnly, 0, "the unlabeled images buy something over the same network")
        XCTAssertEqual(try XCTUnwrap(report.metrics["accuracy_gain"]), accuracy - max(labelsOnly, logistic), accuracy: 1e-12)
    }
}
