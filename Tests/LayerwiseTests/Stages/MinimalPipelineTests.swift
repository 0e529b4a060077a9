import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// A pipeline with `data:` and no stage runs the ladder network with its widths and
/// schedule sized from the data (docs/pipeline.md, "The shortest pipeline").
final class MinimalPipelineTests: XCTestCase {
    static let pipeline = """
        data:
          train: tiny.h5:/train/images
          train_labels: tiny.h5:/train/labels
          test: tiny.h5:/test/images
          test_labels: tiny.h5:/test/labels
          labeled: {per_class: 20}
        output:
          results: out/results.h5
        """

    func ladder(_ extra: String = "") throws -> LadderConfig {
        let p = try Pipeline.parse(
            Self.pipeline + extra, file: "p.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"))
        return try XCTUnwrap(p.config.ladder)
    }

    /// The rule worked by hand for a breast-cancer-sized table, wine, digits and Fashion-MNIST.
    func testSettingsSizedFromTheData() throws {
        let l = try ladder()
        XCTAssertTrue(l.implicit)
        // 30 columns: 4 × 30 = 120 → at least 128; 450 rows = 5 batches of 100 → ⌈3000 / 5⌉ = 600 → at most 150.
        var (c, notes) = l.sized(inputs: 30, rows: 450)
        XCTAssertEqual(c.layers, [128, 64])
        XCTAssertEqual(c.denoisingWeights, [1000, 10, 0.1, 0.1])
        XCTAssertEqual([c.epochs, c.decayEpochs], [150, 50])
        XCTAssertEqual(c.noise, 0.3)
        XCTAssertEqual(notes.first, "no stage given: the ladder network, Layerwise's recommended semi-supervised method")
        // 64 columns, 1,400 rows: 14 batches → ⌈3000 / 14⌉ = 215 → at most 150 epochs, the last 50 decaying.
        (c, _) = l.sized(inputs: 64, rows: 1400)
        XCTAssertEqual(c.layers, [256, 128])
        XCTAssertEqual([c.epochs, c.decayEpochs], [150, 50])
        // 4,000 rows: 40 batches → ⌈3000 / 40⌉ = 75 epochs.
        (c, _) = l.sized(inputs: 64, rows: 4000)
        XCTAssertEqual([c.epochs, c.decayEpochs], [75, 25])
        // 784 columns, at least 256: the paper's network.
        (c, notes) = l.sized(inputs: 784, rows: 60000)
        XCTAssertEqual(c.layers, [1000, 500, 250, 250, 250])
        XCTAssertEqual(c.denoisingWeights.count, 7)
        XCTAssertEqual([c.epochs, c.decayEpochs], [10, 4])  // 600 batches → 5 epochs → at least 10
        XCTAssertTrue(notes.contains { $0.hasPrefix("ladder.epochs not set: 10 (600 batches of 100 per epoch") }, "\(notes)")
        (c, _) = l.sized(inputs: 200, rows: 50)  // one batch of 50: 3000 steps → at most 150 epochs
        XCTAssertEqual(c.layers, [800, 400])
        XCTAssertEqual(c.epochs, 150)
    }

    /// Keys the pipeline gives are kept; only the others are sized.
    func testGivenKeysAreKept() throws {
        let (c, notes) = try ladder("\nladder: {layers: [40, 20], epochs: 7}").sized(inputs: 784, rows: 60000)
        XCTAssertEqual(c.layers, [40, 20])
        XCTAssertEqual([c.epochs, c.decayEpochs], [7, 3])
        XCTAssertEqual(notes, ["ladder.decay_epochs not set: 3 (the last third of the epochs)"])
    }

    func testDenoisingWeightsWithoutLayersIsAnError() {
        XCTAssertEqual(
            TinyData.problems([], text: Self.pipeline + "\nladder: {denoising_weights: [1000, 10, 0.1]}"),
            ["ladder.denoising_weights: needs ladder.layers (one weight per layer; without layers the widths are sized from the data)"])
    }

    func testNoLabelsAndNoStageSaysWhatIsMissing() {
        let text = Self.pipeline.replacingOccurrences(of: "  train_labels: tiny.h5:/train/labels\n", with: "")
        XCTAssertEqual(
            TinyData.problems([], text: text).filter { $0.contains("nothing to do") },
            [": nothing to do: without data.train_labels there is nothing to classify; give pretrain: or anomaly:"])
    }

    /// validate prints the choices; the run trains the sized network and writes it.
    func testValidateAndRunUseTheSizedLadder() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let file = try TinyData.writePipeline(Self.pipeline, into: folder)
        let v = try CLI.run(["validate", file])
        XCTAssertEqual(v.status, 0, v.stderr)
        XCTAssertTrue(v.stdout.contains("  ladder: 784-1000-500-250-250-250-10\n"), v.stdout)
        XCTAssertTrue(v.stdout.contains("  ladder.epochs not set: 150 (6 batches of 100 per epoch"), v.stdout)
        let r = try CLI.run(["run", file, "--quiet", "--threads", "1", "--set", "ladder.epochs=1", "--set", "evaluate.baseline=none"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let root = try H5File.open(folder.appendingPathComponent("out/results.h5").path).root
        XCTAssertEqual(try root.dataset("model/ladder/encoder/layer_0/kernel").shape, [784, 1000])
        XCTAssertEqual(try root.dataset("model/ladder/encoder/layer_5/kernel").shape, [250, 10])
    }
}
