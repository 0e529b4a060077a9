import Foundation
import LayerwiseHDF5
import XCTest

/// Bad pipelines and bad data through the real `layerwise` binary: one `error:` line
/// naming the key path or dataset, the promised exit code, and no results file.
final class PipelineErrorTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
    }

    /// Runs `pipeline` (after `edit`) and checks the failure contract.
    func expectFailure(
        _ edit: (String) -> String, _ args: [String] = [], code: Int32 = 2, mentions: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try TinyData.writePipeline(edit(TinyData.pipeline), into: folder)
        let r = try CLI.run(["run", path, "--quiet"] + args)
        XCTAssertEqual(r.status, code, r.stderr, file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty, file: file, line: line)
        for l in lines { XCTAssertTrue(l.hasPrefix("error: "), String(l), file: file, line: line) }
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "stderr lacks '\(m)': \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stderr.contains("Fatal error"), file: file, line: line)
        let out = folder.appendingPathComponent("out")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        XCTAssertTrue(left.filter { $0.hasSuffix(".h5") || $0.hasSuffix(".tmp") }.isEmpty, "left behind: \(left)", file: file, line: line)
    }

    func testUnknownKeyWithSuggestionAndLine() throws {
        try expectFailure(
            { $0.replacingOccurrences(of: "  epochs: 4\n", with: "  epoch: 4\n") },
            mentions: ["p.yaml:13:3:", "pretrain.epoch", "did you mean 'epochs'"])
    }

    func testWrongType() throws {
        try expectFailure(
            { $0.replacingOccurrences(of: "layers: [32, 8]", with: "layers: 32") },
            mentions: ["pretrain.layers", "expected a list"])
    }

    func testNegativeLearningRateFromSet() throws {
        try expectFailure(
            { $0 }, ["--set", "classifier.optimizer.learning_rate=-0.01"],
            mentions: ["classifier.optimizer.learning_rate", "(--set)", "must be > 0"])
    }

    func testTwoProblemsTwoLines() throws {
        let path = try TinyData.writePipeline(
            TinyData.pipeline.replacingOccurrences(of: "  epochs: 4\n", with: "  epochs: -4\n  sede: 1\n"), into: folder)
        let r = try CLI.run(["run", path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 2, r.stderr)
    }

    func testUnfreezeMoreLayersThanTheEncoderHas() throws {
        try expectFailure({ $0 }, ["--set", "fine_tune.unfreeze=5"], mentions: ["fine_tune.unfreeze"])
    }

    func testMissingDataset() throws {
        try expectFailure(
            { $0.replacingOccurrences(of: "/train/labels", with: "/train/lables") },
            mentions: ["tiny.h5", "lables"])
    }

    func testMissingFile() throws {
        try expectFailure({ $0.replacingOccurrences(of: "test: tiny.h5", with: "test: nope.h5") }, mentions: ["nope.h5"])
    }

    func testLabelsOutOfRange() throws {
        try TinyData.write(into: folder) { _, y in y[17] = 12_000_000 }
        try expectFailure({ $0 }, mentions: ["tiny.h5:/train/labels", "label 12000000 at row 17 is out of range"])
        try TinyData.write(into: folder) { _, y in y[5] = -3 }
        try expectFailure({ $0 }, mentions: ["label -3 at row 5"])
    }

    func testLabelsOfTheWrongElementType() throws {
        do {
            let root = try H5File.create(folder.appendingPathComponent("floaty.h5").path).root
            try root.write("y", [Float](repeating: 1.5, count: 600), shape: [600])
        }
        // Floats are labels only when whole (the rule of LabelValue).
        try expectFailure(
            { $0.replacingOccurrences(of: "train_labels: tiny.h5:/train/labels", with: "train_labels: floaty.h5:/y") },
            mentions: ["p.yaml:5:17: data.train_labels: floaty.h5:/y", "label 1.5 at row 0 is not a whole number"])
    }

    func testFeaturesAndLabelsOfDifferentLengths() throws {
        try expectFailure(
            { $0.replacingOccurrences(of: "train_labels: tiny.h5:/train/labels", with: "train_labels: tiny.h5:/test/labels") },
            mentions: ["tiny.h5:/test/labels", "200 labels for 600 feature rows"])
    }

    func testFewerLabeledRowsPerClassThanAsked() throws {
        try expectFailure({ $0 }, ["--set", "data.labeled.per_class=1000"], mentions: ["data.labeled.per_class", "fewer than the 1000"])
    }

    func testNaNInFeatures() throws {
        let path = folder.appendingPathComponent("nan.h5").path
        var x = [Float](repeating: 0.5, count: 40 * 784)
        x[3 * 784 + 7] = .nan
        do {  // closed before the CLI opens it (HDF5 locks files open for writing)
            let root = try H5File.create(path).root
            try root.write("x", x, shape: [40, 784])
            try root.write("y", (0..<40).map { Int64($0 % 2) }, shape: [40])
        }
        let pipeline = "data: {train: 'nan.h5:/x', train_labels: 'nan.h5:/y'}\npretrain: {layers: [4]}\noutput: {results: out/r.h5}\n"
        try expectFailure({ _ in pipeline }, mentions: ["nan.h5:/x", "row 3", "column 7"])
    }

    func testOutputFolderThatCannotBeWritten() throws {
        let blocker = folder.appendingPathComponent("blocked")
        try Data().write(to: blocker)  // a file where the output folder should be
        try expectFailure({ $0 }, ["--set", "output.results=blocked/r.h5"], mentions: ["output.results"])
    }

    func testMalformedYAML() throws {
        try expectFailure({ $0 + "\n  bad: [1, 2\n" }, mentions: ["p.yaml:", "not valid YAML"])
    }

    func testMissedExpectationExitsOne() throws {
        let path = try TinyData.writePipeline(TinyData.pipeline + "\nevaluate: {expect: {accuracy: \">= 0.999\"}}\n", into: folder)
        let r = try CLI.run([
            "run", path, "--quiet", "--set", "pretrain.epochs=1", "--set", "classifier.epochs=1", "--set", "fine_tune.epochs=0"
        ])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("accuracy >= 0.999: FAILED (accuracy = 0."), r.stdout)
        XCTAssertTrue(r.stderr.hasPrefix("error: evaluate.expect: accuracy >= 0.999 failed: accuracy = 0."), r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }

    func testDivergedRunExitsThree() throws {
        let r = try CLI.run([
            "run", try TinyData.writePipeline(into: folder), "--quiet",
            "--set", "pretrain.optimizer={name: sgd, learning_rate: 1.0e+12}", "--set", "pretrain.model=basic",
            "--set", "pretrain.loss=mse", "--set", "pretrain.output_activation=identity"
        ])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: pretrain layer"), r.stderr)
        XCTAssertTrue(r.stderr.contains("epoch 1"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }

    func testValidateChecksDataWithoutTraining() throws {
        let path = try TinyData.writePipeline(into: folder)
        let ok = try CLI.run(["validate", path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("600 rows × 784 features"), ok.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        let bad = try CLI.run(["validate", path, "--set", "data.test_labels=tiny.h5:/test/nothing"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("nothing"), bad.stderr)
    }

    /// Early stopping with no validation rows could never stop: an error at its line.
    func testEarlyStoppingWithoutValidationRows() throws {
        try expectFailure(
            { $0.replacingOccurrences(of: "validation: {fraction: 0.2}", with: "validation: {fraction: 0}") },
            mentions: [
                "p.yaml:20:19: classifier.early_stopping: watches the validation rows, but data.validation.fraction is 0",
                "give data.validation a fraction above 0, or remove classifier.early_stopping"
            ])
    }
}
