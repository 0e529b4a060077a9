import Foundation
import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN
import XCTest
@testable import Layerwise

/// `ladder:` end to end on the tiny Fashion-MNIST rows: the results file (folded model,
/// the network as trained, curves, baseline), `predict`/`encode`/`score` reproducing the
/// run, the folded layers against the ladder's own clean pass, the checkpoint, errors.
final class LadderPipelineTests: XCTestCase {
    static let pipeline = """
        name: tiny-ladder
        seed: 3
        data:
          train: tiny.h5:/train/images
          train_labels: tiny.h5:/train/labels
          test: tiny.h5:/test/images
          test_labels: tiny.h5:/test/labels
          labeled: {per_class: 20}
          validation: {fraction: 0.2}
        pretrain:
          layers: [32, 24]
          model: denoising
          epochs: 1
          batch_size: 64
        ladder:
          layers: [32, 16]
          epochs: 3
          batch_size: 50
          decay_epochs: 1
          early_stopping: {patience: 5, metric: val_accuracy}
        anomaly:
          threshold: {percentile: 95}
        evaluate:
          baseline: labels_only
        output:
          results: out/results.h5
        """

    func runTiny(_ folder: URL, _ text: String = pipeline, _ extra: [String] = []) throws -> CLI.Result {
        try TinyData.write(into: folder)
        return try CLI.run(["run", try TinyData.writePipeline(text, into: folder), "--quiet", "--threads", "1"] + extra)
    }

    func testResultsHoldTheFoldedModelTheLadderAndItsCurves() throws {
        let folder = try TinyData.folder(self)
        let r = try runTiny(folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = folder.appendingPathComponent("out/results.h5").path
        let root = try H5File.open(results).root
        for p in [
            "model/encoder/layer_0/kernel", "model/encoder/layer_1/kernel", "model/head/layer_0/kernel",
            "model/pretrained_encoder/layer_1/kernel", "model/decoder/layer_0/kernel",
            "model/ladder/encoder/layer_2/gamma", "model/ladder/decoder/layer_0/kernel", "model/ladder/decoder/layer_3/combinator",
            "model/ladder/batch_norm/layer_1/running_variance", "metrics/baseline", "anomaly/test_error"
        ] {
            XCTAssertTrue(root.exists(p), p)
        }
        XCTAssertEqual(try root.dataset("model/encoder/layer_1/kernel").shape, [32, 16])
        XCTAssertEqual(try root.dataset("model/head/layer_0/kernel").shape, [16, 10])
        XCTAssertEqual(try root.dataset("model/ladder/decoder/layer_0/kernel").shape, [32, 784])
        XCTAssertEqual(try root.dataset("model/ladder/decoder/layer_2/combinator").shape, [10, 16])
        // The pretrained encoder's first kernel (784 → 32) started the ladder's; its second (32 → 24) did not fit.
        for c in [
            "loss", "supervised", "denoising/layer_0", "denoising/layer_1", "denoising/layer_2", "denoising/layer_3",
            "val_loss", "val_accuracy"
        ] {
            XCTAssertEqual(try root.dataset("metrics/ladder/\(c)").shape, [3], c)
        }
        // The folded network is what predict, encode and score read: bit for bit what run stored.
        for (cmd, out) in [("predict", "p.h5"), ("encode", "e.h5"), ("score", "s.h5")] {
            let a = try CLI.run([cmd, "out/results.h5", "tiny.h5:/test/images", "-o", out, "--threads", "1"], in: folder)
            XCTAssertEqual(a.status, 0, a.stderr)
        }
        func floats(_ file: String, _ path: String) throws -> [UInt32] {
            try H5File.open(folder.appendingPathComponent(file).path).root.dataset(path).read(as: Float.self).map(\.bitPattern)
        }
        XCTAssertEqual(try floats("p.h5", "probability"), try floats("out/results.h5", "predictions/test/probability"))
        XCTAssertEqual(try floats("e.h5", "codes"), try floats("out/results.h5", "embeddings/test"))
        XCTAssertEqual(try floats("s.h5", "error"), try floats("out/results.h5", "anomaly/test_error"))

        // The folded layers against the ladder's clean pass with its running statistics.
        let model = try ModelLayers.read(from: root.group("model"))
        let ladder = try XCTUnwrap(model.ladder)
        let widths = ladder.widths
        XCTAssertEqual(widths, [784, 32, 16, 10])
        let spec = LadderSpec(
            inputs: 784, hidden: [32, 16], classes: 10, activation: ladder.activation,
            noise: Float(ladder.noise), denoisingWeights: ladder.denoisingWeights.map(Float.init))
        var rng = RandomGenerator(seed: 0)
        let net = LadderNetwork(spec, maxBatch: 64, rng: &rng)
        net.state = ladder.state
        XCTAssertEqual(net.state, ladder.state)
        let pixels = try H5File.open(folder.appendingPathComponent("tiny.h5").path).root.dataset("test/images").read(as: UInt8.self)
        let x = Matrix(rows: 200, cols: 784, storage: pixels.map { Float($0) / 255 })
        let direct = net.predict(x)
        let folded = InferenceNetwork(model.classifier).predict(x)
        let worst = zip(direct.storage, folded.storage).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(worst, 1e-5)
    }

    /// The ladder stage is checkpointed: its snapshot holds the network as trained, and a
    /// resumed run takes it from there instead of training again.
    func testCheckpointHoldsTheLadderAndResumesFromIt() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(Self.pipeline, into: folder)
        let pipeline = try Pipeline.load(file: path, overrides: [])
        BLAS.setThreads(1)
        let dataStage = DataStage(pipeline: pipeline)
        let (data, _) = try dataStage.run(Progress(quiet: true))
        let context = StageContext(config: pipeline.config, data: data, streams: dataStage.streams, progress: Progress(quiet: true))
        let results = folder.appendingPathComponent("cp.h5").path
        var checkpoint = Checkpoint(resultsPath: results)
        let stages = Stages.list(for: pipeline.config)
        XCTAssertEqual(stages.map(\.name), ["pretrain", "ladder", "baseline", "evaluate", "anomaly"])
        let first = try Runner.runStages(stages, context, &checkpoint, resume: false)
        var loaded = Checkpoint.load(resultsPath: results)
        let snapshot = try XCTUnwrap(loaded.snapshot("ladder"))
        XCTAssertNotNil(snapshot.model.ladder)
        XCTAssertEqual(snapshot.model.ladder, first.model.ladder)
        let second = try Runner.runStages(stages, context, &loaded, resume: true)
        XCTAssertEqual(second.model, first.model)
        XCTAssertEqual(second.timings.first { $0.stage == "ladder" }?.seconds, first.timings.first { $0.stage == "ladder" }?.seconds)
        XCTAssertEqual(second.probabilities, first.probabilities)
    }

    func expectError(
        _ text: String, _ extra: [String] = [], code: Int32 = 2, mentions: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let folder = try TinyData.folder(self)
        let r = try runTiny(folder, text, extra)
        XCTAssertEqual(r.status, code, r.stderr, file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "stderr lacks '\(m)': \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }

    func testLadderWithAClassifierIsAnError() throws {
        try expectError(
            Self.pipeline.replacingOccurrences(of: "anomaly:", with: "classifier: {hidden: [8]}\nanomaly:"),
            mentions: ["p.yaml:16:3:", "ladder", "remove classifier:"])
    }

    func testLadderWithFineTuningIsOneError() throws {
        try expectError(
            Self.pipeline.replacingOccurrences(of: "anomaly:", with: "fine_tune: {epochs: 2}\nanomaly:"),
            mentions: ["ladder", "remove fine_tune:"])
    }

    func testDenoisingWeightsOfTheWrongLength() throws {
        try expectError(
            Self.pipeline.replacingOccurrences(of: "  epochs: 3\n", with: "  epochs: 3\n  denoising_weights: [1000, 10, 0.1]\n"),
            mentions: ["p.yaml:", "ladder.denoising_weights", "expected 4 values", "got 3"])
    }

    func testNegativeNoise() throws {
        try expectError(Self.pipeline, ["--set", "ladder.noise=-0.1"], mentions: ["ladder.noise", "must be ≥ 0"])
    }

    func testDivergingLadderExitsThreeNamingStageAndEpoch() throws {
        try expectError(
            Self.pipeline, ["--set", "ladder.optimizer={name: sgd, learning_rate: 1.0e+30}"], code: 3,
            mentions: ["error: ladder", "epoch 1"])
    }
}
