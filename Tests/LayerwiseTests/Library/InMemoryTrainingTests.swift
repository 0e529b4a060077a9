import Foundation
import Layerwise
import LayerwiseHDF5
import XCTest

/// The library API for a program that has arrays, not files: `Pipeline(yaml:data:)`,
/// `train()`, `predict`, `save(to:)`. The arrays are the rows of a file the same pipeline
/// also runs from, so both runs must agree bit for bit.
final class InMemoryTrainingTests: XCTestCase {
    /// The tiny pipeline's stages, its data section without the dataset keys.
    static let stages = TinyData.pipeline
        .replacingOccurrences(of: "  train: tiny.h5:/train/images\n  train_labels: tiny.h5:/train/labels\n", with: "")
        .replacingOccurrences(of: "  test: tiny.h5:/test/images\n  test_labels: tiny.h5:/test/labels\n", with: "")
        .replacingOccurrences(of: "data:\n", with: "data:\n  scale: unit\n")

    func arrays(_ path: String) throws -> InMemoryData {
        let root = try H5File.open(path).root
        func matrix(_ name: String) throws -> FeatureMatrix {
            let d = try root.dataset(name)
            return try FeatureMatrix(rows: d.shape[0], columns: d.shape[1], values: try d.read(as: Float.self))
        }
        return InMemoryData(
            train: try matrix("/train/images"), trainLabels: try root.dataset("/train/labels").read(as: Int32.self),
            test: try matrix("/test/images"), testLabels: try root.dataset("/test/labels").read(as: Int32.self))
    }

    func testArraysTrainAsTheFileDoesAndTheSavedFileMatches() throws {
        let folder = try TinyData.folder(self)
        let h5 = try TinyData.write(into: folder)
        // The file run: uint8 ÷ 255; the arrays are floats 0…255, scaled by their min and max (0, 255).
        let text = TinyData.pipeline.replacingOccurrences(of: "data:\n", with: "data:\n  scale: unit\n")
        let fileRun = try Runner.run(
            try Pipeline.parse(
                text, file: folder.appendingPathComponent("p.yaml").path,
                baseDirectory: folder), options: RunOptions(threads: 1, quiet: true))
        let memory = try Pipeline(yaml: Self.stages, data: try arrays(h5), name: "tiny")
        let run = try memory.train(options: RunOptions(threads: 1, quiet: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.resultsPath), "train() writes nothing until save(to:)")
        let accuracy = try XCTUnwrap(run.metrics["accuracy"])
        XCTAssertEqual(accuracy, try XCTUnwrap(fileRun.metrics["accuracy"]))
        XCTAssertGreaterThan(accuracy, 0.25, "200 labels of 10 classes, a few epochs: well above chance (0.1)")

        let saved = try run.save(to: folder.appendingPathComponent("memory/results.h5").path)
        try ResultsBytes.assertSame(
            saved, fileRun.resultsPath, groups: ["/model", "/predictions", "/metrics/test"],
            present: ["/model/encoder/layer_0/kernel", "/predictions/test/probability"])

        // predict() on the test rows gives the probabilities the run stored for them.
        let stored = try H5File.open(saved).root.dataset("/predictions/test/probability").read(as: Float.self)
        let p = try run.predict(try arrays(h5).test!)
        XCTAssertEqual(p.classCount, 10)
        XCTAssertEqual(p.probabilities, stored)
        let labels = try H5File.open(saved).root.dataset("/predictions/test/label").read(as: Int32.self)
        XCTAssertEqual(p.classes, labels.map(Int.init))
    }

    func testBadArraysAndKeysAreUserErrors() throws {
        let x = try FeatureMatrix(rows: 4, columns: 2, values: [0, 1, 1, 0, 0.5, 0.5, 1, 1])
        XCTAssertThrowsError(try FeatureMatrix(rows: 3, columns: 2, values: [1, 2])) {
            XCTAssertTrue("\($0)".contains("2 values for 3 × 2"), "\($0)")
        }
        XCTAssertThrowsError(try FeatureMatrix([[1, 2], [3]])) { XCTAssertTrue("\($0)".contains("row 1 has 1 values"), "\($0)") }
        let short = InMemoryData(train: x, trainLabels: [0, 1, -1])
        XCTAssertThrowsError(try Pipeline(yaml: "classifier: {epochs: 1}\n", data: short).train()) {
            XCTAssertTrue("\($0)".contains("<memory>:/train_labels: 3 labels for 4 feature rows"), "\($0)")
        }
        XCTAssertThrowsError(try Pipeline(yaml: "data: {train: a.h5:/x}\nclassifier: {}\n", data: short)) {
            XCTAssertTrue("\($0)".contains("data.train: leave it out"), "\($0)")
        }
        let nan = InMemoryData(train: try FeatureMatrix(rows: 2, columns: 1, values: [0, .nan]), trainLabels: [0, 1])
        XCTAssertThrowsError(try Pipeline(yaml: "data: {labeled: {all: true}}\nclassifier: {epochs: 1}\n", data: nan).train()) {
            XCTAssertTrue("\($0)".contains("row 1, column 0 is nan"), "\($0)")
        }
        let run = try Pipeline(
            yaml: "data: {labeled: {all: true}}\nclassifier: {epochs: 1, hidden: []}\n",
            data: InMemoryData(train: x, trainLabels: [0, 1, 0, 1])
        ).train()
        XCTAssertThrowsError(try run.predict(try FeatureMatrix(rows: 1, columns: 3, values: [0, 0, 0]))) {
            XCTAssertTrue("\($0)".contains("3 features per row, but the model takes 2"), "\($0)")
        }
    }
}
