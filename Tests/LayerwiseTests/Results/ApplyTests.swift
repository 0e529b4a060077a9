import Foundation
import LayerwiseHDF5
import XCTest

/// `encode`, `predict` and `score` reproduce exactly what `run` stored for the same data.
final class ApplyTests: XCTestCase {
    func runTiny(_ folder: URL, _ extra: [String] = [], pipeline: String = TinyData.pipeline) throws {
        let path = try TinyData.writePipeline(pipeline, into: folder)
        let r = try CLI.run(["run", path, "--quiet", "--threads", "1"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func floats(_ file: URL, _ path: String) throws -> [Float] {
        try H5File.open(file.path).root.dataset(path).read(as: Float.self)
    }

    func check(_ folder: URL, line: UInt = #line) throws {
        let results = folder.appendingPathComponent("out/results.h5")
        for (cmd, out) in [("predict", "p.h5"), ("encode", "e.h5"), ("score", "s.h5")] {
            let r = try CLI.run([cmd, "out/results.h5", "tiny.h5:/test/images", "-o", out, "--threads", "1"], in: folder)
            XCTAssertEqual(r.status, 0, r.stderr, line: line)
        }
        let p = folder.appendingPathComponent("p.h5"), e = folder.appendingPathComponent("e.h5"), s = folder.appendingPathComponent("s.h5")
        func same(_ a: [Float], _ b: [Float], _ what: String) {
            // Bit-identical, not merely close; report the largest difference, not the arrays.
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertTrue(a.count == b.count && a.map(\.bitPattern) == b.map(\.bitPattern), "\(what): max diff \(worst)", line: line)
        }
        same(try floats(p, "probability"), try floats(results, "predictions/test/probability"), "probability")
        XCTAssertEqual(
            try H5File.open(p.path).root.dataset("label").read(as: Int32.self),
            try H5File.open(results.path).root.dataset("predictions/test/label").read(as: Int32.self), line: line)
        same(try floats(e, "codes"), try floats(results, "embeddings/test"), "codes")
        same(try floats(s, "error"), try floats(results, "anomaly/test_error"), "error")
        XCTAssertEqual(
            try H5File.open(s.path).root.dataset("flag").read(as: UInt8.self),
            try H5File.open(results.path).root.dataset("anomaly/test_flag").read(as: UInt8.self), line: line)
    }

    func testReproducesStoredPredictionsEmbeddingsAndScores() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        try runTiny(folder)
        try check(folder)
    }

    func testTiedWeightsWithoutFineTuning() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        try runTiny(
            folder,
            [
                "--set", "pretrain.tied_weights=true", "--set", "pretrain.end_to_end.epochs=0",
                "--set", "fine_tune.epochs=0"
            ])
        try check(folder)
    }

    /// The other pretraining models save the same Dense layout, so applying them is the same code.
    func testVAEAndDBNModelsReproduceToo() throws {
        for pipeline in [TinyData.vaePipeline, TinyData.pipeline.replacingOccurrences(of: "model: denoising", with: "model: rbm")] {
            let folder = try TinyData.folder(self)
            try TinyData.write(into: folder)
            try runTiny(folder, pipeline: pipeline)
            try check(folder)
        }
    }

    func testRejectsInputOfAnotherWidth() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        try runTiny(folder)
        do {
            try H5File.create(folder.appendingPathComponent("narrow.h5").path).root
                .write("x", [Float](repeating: 0.5, count: 10 * 100), shape: [10, 100])
        }
        for cmd in ["encode", "predict", "score"] {
            let r = try CLI.run([cmd, "out/results.h5", "narrow.h5:/x", "-o", "o.h5"], in: folder)
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(
                r.stderr.hasPrefix("error: narrow.h5:/x: 100 features per row, but the model in out/results.h5 takes 784"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("o.h5").path))
        }
        let notResults = try CLI.run(["predict", "tiny.h5", "tiny.h5:/test/images", "-o", "o.h5"], in: folder)
        XCTAssertEqual(notResults.status, 2)
        XCTAssertTrue(notResults.stderr.contains("not a Layerwise results file"), notResults.stderr)
    }

    /// An `-o` naming one of the command's inputs, however spelled, is refused before anything is
    /// written: the results or data file is left byte for byte as it was.
    func testOutputThatIsAnInputIsRefused() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        try runTiny(folder)
        let files = ["out/results.h5", "tiny.h5"]
        let before = try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        for args in [
            ["predict", "out/results.h5", "tiny.h5:/test/images", "-o", "./out/results.h5"],
            ["encode", "out/results.h5", "tiny.h5:/test/images", "-o", "tiny.h5"],
            ["export", "keras", "out/results.h5", "-o", "out/../out/results.h5"],
            ["report", "out/results.h5", "-o", folder.appendingPathComponent("out/results.h5").path]
        ] {
            let r = try CLI.run(args, in: folder)
            XCTAssertEqual(r.status, 2, args.joined(separator: " "))
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: -o: ") && r.stderr.contains("is the input file"), r.stderr)
        }
        XCTAssertEqual(try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }, before)
    }
}
