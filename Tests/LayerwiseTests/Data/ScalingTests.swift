import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `data.scale: auto` (the default): uint8 rows divide by 255, any other type scales per
/// feature with the training rows' column minima and maxima, so a table whose columns
/// have different units keeps every column's spread.
final class ScalingTests: XCTestCase {
    /// Two classes in three columns of very different units: a 0–0.01 column, a
    /// 1,000–4,000 column, and a 0–50 one; the class moves each.
    func writeTable(into folder: URL) throws -> (path: String, train: [Float]) {
        var rng = SystemRandomNumberGenerator()
        func rows(_ n: Int) -> ([Float], [Int64]) {
            var x: [Float] = [], y: [Int64] = []
            for i in 0..<n {
                let c = Float(i % 2)
                x += [
                    Float.random(in: 0...0.008, using: &rng) + 0.002 * c,
                    Float.random(in: 1000...3500, using: &rng) + 500 * c,
                    Float.random(in: 0...40, using: &rng) + 10 * c
                ]
                y.append(Int64(c))
            }
            return (x, y)
        }
        let (x, y) = rows(300), (tx, ty) = rows(100)
        let path = folder.appendingPathComponent("table.h5").path
        let root = try H5File.create(path).root
        let tr = try root.createGroup("train"), te = try root.createGroup("test")
        try tr.write("features", x, shape: [300, 3])
        try tr.write("labels", y, shape: [300])
        try te.write("features", tx, shape: [100, 3])
        try te.write("labels", ty, shape: [100])
        return (path, x)
    }

    static let pipeline = """
        name: table
        data:
          train: table.h5:/train/features
          train_labels: table.h5:/train/labels
          test: table.h5:/test/features
          test_labels: table.h5:/test/labels
          labeled: {per_class: 10}
        pretrain: {layers: [8], epochs: 2}
        classifier: {epochs: 20}
        output:
          results: runs/{name}/results.h5
        """

    func testAutoScalesFloatColumnsEachByItsOwnRangeAndRecordsIt() throws {
        let folder = try TinyData.folder(self)
        let (_, x) = try writeTable(into: folder)
        let file = try TinyData.writePipeline(Self.pipeline, into: folder)
        let report = try Runner.run(pipelineFile: file, options: RunOptions(threads: 1, quiet: true))
        XCTAssertTrue(report.summary.contains("minmax (auto"), report.summary)
        let pre = try H5File.open(report.resultsPath).root.group("model/preprocessing")
        XCTAssertEqual(try pre.attribute("scale"), .string("minmax"))
        let lo = try pre.dataset("min").read(as: Float.self), hi = try pre.dataset("max").read(as: Float.self)
        // Each column's extremes over the 300 training rows, found here by a plain scan.
        for c in 0..<3 {
            let column = stride(from: c, to: x.count, by: 3).map { x[$0] }
            XCTAssertEqual(lo[c], column.min(), "column \(c)")
            XCTAssertEqual(hi[c], column.max(), "column \(c)")
        }
        // New rows are scaled the same way: predict reproduces the run's test predictions.
        let r = try CLI.run(["predict", report.resultsPath, "table.h5:/test/features", "-o", "p.h5"], in: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(
            try H5File.open(folder.appendingPathComponent("p.h5").path).root.dataset("label").read(as: Int32.self),
            try H5File.open(report.resultsPath).root.dataset("predictions/test/label").read(as: Int32.self))
    }

    func testValidateSaysWhichScalingAutoChose() throws {
        let folder = try TinyData.folder(self)
        _ = try writeTable(into: folder)
        let file = try TinyData.writePipeline(Self.pipeline, into: folder)
        XCTAssertTrue(try Runner.validate(pipelineFile: file, overrides: []).contains("scale: minmax (auto"))
        XCTAssertTrue(try Runner.validate(pipelineFile: file, overrides: ["data.scale=standardize"]).contains("scale: standardize"))
        try TinyData.write(into: folder)
        let images = try TinyData.writePipeline(into: folder, name: "images.yaml")
        XCTAssertTrue(try Runner.validate(pipelineFile: images, overrides: []).contains("scale: unit (auto: x/255"))
    }

    func testAMisspeltScaleIsAnErrorWithADidYouMean() throws {
        let folder = try TinyData.folder(self)
        _ = try writeTable(into: folder)
        let file = try TinyData.writePipeline(Self.pipeline, into: folder)
        expectUserError(["data.scale", "did you mean 'auto'"]) {
            _ = try Runner.validate(pipelineFile: file, overrides: ["data.scale=atuo"])
        }
    }
}

/// `evaluate.metrics` selects what the results file and the summary hold.
final class EvaluateMetricsTests: XCTestCase {
    func testOnlyTheListedMetricsAreWrittenAndPrinted() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let file = try TinyData.writePipeline(
            TinyData.pipeline + "\nevaluate:\n  metrics: [accuracy, macro_f1]\n  expect: {log_loss: \"<= 100\"}\n",
            into: folder)
        let report = try Runner.run(pipelineFile: file, options: RunOptions(threads: 1, quiet: true))
        let test = try H5File.open(report.resultsPath).root.group("metrics/test")
        XCTAssertNotNil(try? test.attribute("accuracy"))
        XCTAssertNotNil(try? test.attribute("macro_f1"))
        XCTAssertNil(try? test.attribute("log_loss"))
        XCTAssertFalse(try H5File.open(report.resultsPath).root.exists("metrics/test/confusion_matrix"))
        XCTAssertTrue(report.summary.contains("test macro_f1"), report.summary)
        XCTAssertFalse(report.summary.contains("test log_loss"), report.summary)
        // A gate on a metric the list leaves out is still measured.
        XCTAssertEqual(report.outcome.expectationFailures, [])
        XCTAssertNotNil(report.metrics["log_loss"])
    }
}
