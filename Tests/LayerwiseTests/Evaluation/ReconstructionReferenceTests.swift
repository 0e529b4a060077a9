import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Reconstruction errors, anomaly thresholds and stored reconstructions of a real run,
/// recomputed in numpy (float64) from the raw test data and what the results file
/// stores of the model: /model/preprocessing, the encoder the decoder was trained with
/// (/model/pretrained_encoder after fine-tuning, else /model/encoder) and /model/decoder
/// (a tied layer's kernel read from the dataset its `tied_to` names, transposed).
///
/// Tolerances, from the float32 engine against float64 (measured on these runs):
/// - per-row mean squared errors: 1e-5 relative (worst measured 1.3e-6; the errors are ≥ 0.02);
/// - reconstructed values: 5e-6 absolute (worst measured 4.9e-7 on [0, 1] sigmoid
///   outputs, 1.6e-7 on standardized identity outputs);
/// - the threshold: 1e-6 relative against numpy's percentile of the stored errors (a
///   few float32 ulps of the interpolation; measured ≤ 6e-8) and 1e-5 relative against
///   the recomputed errors. numpy's other percentile methods ('lower', 'nearest',
///   'midpoint', 'hazen', 'weibull', …) land ≥ 7e-5 relative away on these runs.
final class ReconstructionReferenceTests: XCTestCase {
    struct Case {
        var overrides: [String]
        /// The percentile the pipeline's threshold rule amounts to.
        var percentile: Double
        var normalClasses = false
        /// What the file should then hold.
        var pretrainedEncoder: Bool
        var tied: Bool
    }

    func check(_ c: Case, file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try TinyData.folder(self)
        let data = try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let report = try Runner.run(pipelineFile: path, options: RunOptions(overrides: c.overrides, threads: 1, quiet: true))
        let root = try H5File.open(report.resultsPath).root
        XCTAssertEqual(root.exists("model/pretrained_encoder"), c.pretrainedEncoder, "layout", file: file, line: line)
        for l in 0..<2 {  // a tied layer names its kernel instead of storing one: the transposed kernel of
            // encoder layer 1 − l, in the encoder the decoder was trained with
            let tiedTo = try? root.group("model/decoder/layer_\(l)").attribute("tied_to")
            let encoder = c.pretrainedEncoder ? "pretrained_encoder" : "encoder"
            XCTAssertEqual(tiedTo, c.tied ? .string("/model/\(encoder)/layer_\(1 - l)/kernel") : nil, "tied_to", file: file, line: line)
            XCTAssertEqual(root.exists("model/decoder/layer_\(l)/kernel"), !c.tied, "kernel", file: file, line: line)
        }
        var args = [
            "anomaly", report.resultsPath, "--train", "\(data):/train/images", "--test", "\(data):/test/images",
            "--percentile", String(c.percentile)
        ]
        if c.normalClasses { args += ["--train-labels", "\(data):/train/labels"] }
        let ref = try Reference.run(args)
        let g = try root.group("anomaly")

        let trainError = try g.dataset("train_error").read(as: Float.self)
        let testError = try g.dataset("test_error").read(as: Float.self)
        let refTrain = try Reference.doubles(ref, "train_error"), refTest = try Reference.doubles(ref, "test_error")
        XCTAssertEqual(trainError.count, refTrain.count, "training rows scored", file: file, line: line)
        XCTAssertEqual(testError.count, refTest.count, file: file, line: line)
        let worstTrain = Reference.worstRelative(trainError, refTrain), worstTest = Reference.worstRelative(testError, refTest)
        XCTAssertLessThan(worstTrain.value, 1e-5, "train_error row \(worstTrain.index)", file: file, line: line)
        XCTAssertLessThan(worstTest.value, 1e-5, "test_error row \(worstTest.index)", file: file, line: line)

        guard case .double(let threshold) = try g.attribute("threshold") else { return XCTFail("threshold", file: file, line: line) }
        let refThreshold = try Reference.double(ref, "threshold")
        XCTAssertEqual(
            threshold, try Reference.double(ref, "threshold_of_stored_errors"), accuracy: 1e-6 * threshold,
            "numpy's linear percentile of the stored errors", file: file, line: line)
        XCTAssertEqual(
            threshold, refThreshold, accuracy: 1e-5 * refThreshold, "percentile of the recomputed errors", file: file, line: line)
        // Flags: error > threshold, by the reference, wherever the reference is not within
        // the tolerance of the threshold.
        for (name, stored, want) in [("train_flag", trainError, refTrain), ("test_flag", testError, refTest)] {
            let flags = try g.dataset(name).read(as: UInt8.self)
            XCTAssertEqual(flags.count, stored.count, name, file: file, line: line)
            for (i, (f, e)) in zip(flags, want).enumerated() where abs(e - refThreshold) > 1e-5 * refThreshold {
                XCTAssertEqual(f == 1, e > refThreshold, "\(name)[\(i)]: error \(e), threshold \(refThreshold)", file: file, line: line)
            }
        }

        // The stored reconstructions of the first test rows, and the scaled inputs beside them.
        let rec = try root.dataset("reconstructions/test").read(as: Float.self)
        let refRec = try Reference.doubles(ref, "reconstructions")
        XCTAssertEqual(rec.count, refRec.count, file: file, line: line)
        XCTAssertEqual(rec.count, 16 * 784, file: file, line: line)
        XCTAssertLessThan(Reference.worstAbsolute(rec, refRec), 5e-6, "reconstructions/test", file: file, line: line)
        // Scaling alone: (x − min)/(max − min) or (x − mean)/std in float32, ≤ 2 ulps of values ≤ 3.
        let input = try root.dataset("reconstructions/test_input").read(as: Float.self)
        XCTAssertLessThan(
            Reference.worstAbsolute(input, try Reference.doubles(ref, "reconstruction_inputs")), 1e-6,
            "reconstructions/test_input", file: file, line: line)
    }

    /// The tiny pipeline as it is: unit scaling, denoising ReLU layers, sigmoid output,
    /// fine-tuned (so the decoder pairs with /model/pretrained_encoder), 95th percentile.
    func testFineTunedRunUsesThePretrainedEncoder() throws {
        try check(Case(overrides: [], percentile: 95, pretrainedEncoder: true, tied: false))
    }

    /// Tied weights, kept tied (no end-to-end, no fine-tuning): decoder kernels are the
    /// encoder kernels transposed, read through `tied_to`.
    func testTiedWeights() throws {
        try check(
            Case(
                overrides: ["pretrain.tied_weights=true", "pretrain.end_to_end.epochs=0", "fine_tune.epochs=0"],
                percentile: 95, pretrainedEncoder: false, tied: true))
    }

    /// Tied weights and then fine-tuning: the decoder was trained tied to the pretrained
    /// encoder, and reconstructions and anomaly scores use that one (as `score` does), so a
    /// reader following each decoder layer's `tied_to` must be sent to
    /// /model/pretrained_encoder, not to the fine-tuned /model/encoder.
    func testTiedWeightsThenFineTuning() throws {
        try check(
            Case(
                overrides: ["pretrain.tied_weights=true", "pretrain.end_to_end.epochs=0"],
                percentile: 95, pretrainedEncoder: true, tied: true))
    }

    /// Standardized features (per-feature mean and std in /model/preprocessing), tanh
    /// layers, identity output and MSE, one-class training on classes 0, 1, 7 (training
    /// errors over those rows only), and the contamination rule: 0.1 → 90th percentile.
    func testStandardizedOneClassContamination() throws {
        try check(
            Case(
                overrides: [
                    "data.scale=standardize", "pretrain.activation=tanh",
                    "anomaly={normal_classes: [0, 1, 7], threshold: {contamination: 0.1}}"
                ],
                percentile: 90, normalClasses: true, pretrainedEncoder: true, tied: false))
    }
}
