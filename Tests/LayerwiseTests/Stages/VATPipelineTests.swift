import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `fine_tune.vat`: what a run does with it (the engine's step is checked against
/// finite differences and PyTorch in LayerwiseNNTests/Gradients/VATTests.swift).
final class VATPipelineTests: XCTestCase {
    /// The epochs count every training row but the validation ones, and ε is 0.2 times
    /// their root-mean-square length, computed here from the file's pixels.
    func testEpochsAndEpsilonAreSizedFromEveryTrainingRow() throws {
        let folder = try TinyData.folder(self)
        let h5 = try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let r = try CLI.run(
            ["run", path, "--threads", "1", "--set", "fine_tune.vat={}", "--set", "anomaly=null", "--set", "fine_tune.epochs=2"],
            in: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = try H5File.open(folder.appendingPathComponent("out/results.h5").path).root
        let validation = Set(try results.dataset("data/validation_indices").read(as: Int64.self).map(Int.init))
        XCTAssertFalse(validation.isEmpty)
        guard case .string(let scale) = try results.group("model/preprocessing").attribute("scale") else {
            return XCTFail("model/preprocessing@scale")
        }
        XCTAssertEqual(scale, "unit", "uint8 pixels are divided by 255")
        let pixels = try H5File.open(h5).root.dataset("train/images").read(as: UInt8.self)
        var sum = 0.0, rows = 0
        for row in 0..<600 where !validation.contains(row) {
            rows += 1
            for j in 0..<784 { let v = Double(pixels[row * 784 + j]) / 255; sum += v * v }
        }
        let epsilon = 0.2 * (sum / Double(rows)).squareRoot()
        let note = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.contains("vat.epsilon not set") }, r.stdout)
        XCTAssertTrue(note.contains(String(format: "%.3g", epsilon)), "\(note) against \(epsilon)")
        // Every step pairs a batch of 16 of those rows with 16 labeled ones: the curve has one value per epoch.
        let loss = try results.dataset("metrics/fine_tune/loss").read(as: Float.self)
        XCTAssertEqual(loss.count, 2)
        XCTAssertEqual(try results.dataset("metrics/fine_tune/val_accuracy").read(as: Float.self).count, 2)
    }

    /// Left unset, fine-tuning's epochs reach 500 steps over every training row but the validation ones.
    func testDataSizedEpochsCountEveryTrainingRow() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let r = try CLI.run(["validate", path, "--set", "fine_tune.vat={}", "--set", "fine_tune.epochs=null"], in: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        // 600 rows, 40 held out for validation: 560 rows = 35 batches of 16, ⌈500 / 35⌉ = 15 epochs, raised to
        // the fixed 30 (without VAT: the 160 labeled rows, 10 batches, 50 epochs).
        XCTAssertTrue(
            r.stdout.contains("fine_tune.epochs not set: 30 (35 batches of 16 per epoch = 1050 optimizer steps; at least 500)"),
            r.stdout)
        let without = try CLI.run(["validate", path, "--set", "fine_tune.epochs=null"], in: folder)
        XCTAssertTrue(
            without.stdout.contains("fine_tune.epochs not set: 50 (10 batches of 16 per epoch = 500 optimizer steps"), without.stdout)
    }

    func testSettingsAreChecked() throws {
        XCTAssertEqual(TinyData.problems(["fine_tune.vat={epsilon: 1.5, xi: 0.05, weight: 2, iterations: 2}"]), [])
        XCTAssertEqual(TinyData.problems(["fine_tune.vat={epsilon: 0}"]).count, 1)
        XCTAssertEqual(TinyData.problems(["fine_tune.vat={xi: 2}"]).count, 1)
        XCTAssertEqual(
            TinyData.problems(["fine_tune.vat={weigth: 2}"]), ["fine_tune.vat.weigth: unknown key 'weigth' (did you mean 'weight'?)"])
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let r = try CLI.run(["run", path, "--set", "fine_tune.vat={}", "--set", "data.in_memory=false"], in: folder)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(
            r.stderr, "error: \(path) (--set): fine_tune.vat: needs every training row in memory, but data.in_memory is false\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }
}
