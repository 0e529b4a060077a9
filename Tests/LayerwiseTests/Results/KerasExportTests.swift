import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `layerwise export keras` loaded by real Keras (jax backend, installed by
/// `Scripts/bootstrap.sh --test`): its test-set probabilities match Layerwise's to 1e-5,
/// from raw inputs (the scaling is folded into the first layer), under both file names
/// Keras tells apart (`.weights.h5`: Keras 3's layout; `.h5`: the legacy one).
final class KerasExportTests: XCTestCase {
    func roundTrip(_ overrides: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let report = try Runner.run(pipelineFile: path, options: RunOptions(overrides: overrides, threads: 1, quiet: true))
        for name in ["model.weights.h5", "legacy.h5"] {
            let out = folder.appendingPathComponent(name).path
            let export = try CLI.run(["export", "keras", report.resultsPath, "-o", out])
            XCTAssertEqual(export.status, 0, export.stderr, file: file, line: line)
            // stdout is the Python alone (`> model.py` runs); the status line is on stderr.
            let snippet = export.stdout
            XCTAssertTrue(snippet.contains("model.load_weights(\"\(out)\")"), export.stdout, file: file, line: line)
            XCTAssertTrue(export.stderr.hasPrefix("wrote \(out): "), export.stderr, file: file, line: line)
            // As in the README: the backend line comes first (Keras reads it at import).
            XCTAssertTrue(
                snippet.hasPrefix("import os; os.environ.setdefault(\"KERAS_BACKEND\", \"jax\")\nimport keras\n"),
                snippet, file: file, line: line)
            let snippetPath = folder.appendingPathComponent("build_\(name).py").path
            try snippet.write(toFile: snippetPath, atomically: true, encoding: .utf8)

            let check = try CLI.python(
                [
                    TinyData.repoRoot.appendingPathComponent("Scripts/keras-check.py").path, snippetPath, report.resultsPath,
                    folder.appendingPathComponent("tiny.h5").path + ":/test/images"
                ],
                environment: ["KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"])
            let text = check.stdout
            XCTAssertEqual(check.status, 0, "\(name): \(text)\(check.stderr.suffix(2000))", file: file, line: line)
            let diff = text.split(separator: "\n").first { $0.hasPrefix("max_abs_diff ") }.flatMap { Double($0.dropFirst(13)) }
            XCTAssertNotNil(diff, text, file: file, line: line)
            XCTAssertLessThanOrEqual(diff ?? 1, 1e-5, "\(name): \(text)", file: file, line: line)
            print("keras round trip \(name): \(text.split(separator: "\n").joined(separator: ", "))")
        }
    }

    func testUnitScaledReLUModelMatchesInKeras() throws {
        try roundTrip([])
    }

    func testStandardizedModelWithOtherActivationsMatchesInKeras() throws {
        try roundTrip([
            "data.scale=standardize", "pretrain.activation=tanh", "pretrain.output_activation=identity",
            "pretrain.loss=mse", "classifier.activation=leaky_relu", "classifier.hidden=[16, 12]"
        ])
    }

    func testBadInputIsOneErrorLineAndNoFile() throws {
        let folder = try TinyData.folder(self)
        let data = try TinyData.write(into: folder)
        let out = folder.appendingPathComponent("m.weights.h5").path
        for args in [
            ["export", "keras", data, "-o", out],
            ["export", "keras", folder.appendingPathComponent("none.h5").path, "-o", out],
            ["export", "keras", data, "-o", folder.appendingPathComponent("m.keras").path],
            ["export", "keras", data, "-o", folder.appendingPathComponent("no/such/dir/m.weights.h5").path]
        ] {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, args.joined(separator: " "))
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
