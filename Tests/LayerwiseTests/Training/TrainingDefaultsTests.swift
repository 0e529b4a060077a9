import Foundation
import LayerwiseHDF5
import XCTest

/// Defaults that scale with the data, through the real binary: a stage whose `epochs` is
/// not set trains at least its minimum number of optimizer steps (pretraining 1000 per
/// layer, end to end 1000, head 500, fine-tuning 500) and the run says how many epochs
/// it chose; a stage set below its minimum runs as asked with a warning; a validation
/// split is taken only when early stopping reads it, or when `data.validation` is given.
final class TrainingDefaultsTests: XCTestCase {
    /// Every stage, no epochs, no validation: 300 training rows, 10 labeled per class.
    let unset = """
        data:
          train: tiny.h5:/train/images
          train_labels: tiny.h5:/train/labels
          test: tiny.h5:/test/images
          test_labels: tiny.h5:/test/labels
          labeled: {per_class: 10}
        pretrain:
          layers: [16, 8]
          end_to_end: {}
        classifier: {}
        fine_tune: {}
        output:
          results: out/results.h5
        """

    func run(_ pipeline: String, _ args: [String] = []) throws -> (CLI.Result, H5File?) {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder, train: 300, test: 50)
        let path = try TinyData.writePipeline(pipeline, into: folder)
        let r = try CLI.run(["run", path, "--threads", "1"] + args, in: folder)
        let results = folder.appendingPathComponent("out/results.h5").path
        return (r, FileManager.default.fileExists(atPath: results) ? try H5File.open(results) : nil)
    }

    func curveLength(_ f: H5File, _ path: String) throws -> Int {
        try f.root.dataset("metrics/" + path).shape.first ?? -1
    }

    func testUnsetEpochsAreChosenFromTheDataAndPrinted() throws {
        let (r, file) = try run(unset)
        XCTAssertEqual(r.status, 0, r.stderr)
        let f = try XCTUnwrap(file)
        // 300 rows in batches of 256: 2 batches per epoch, so 500 epochs per layer reach 1000 steps.
        XCTAssertTrue(
            r.stdout.contains("pretrain.epochs not set: 500 per layer (2 batches of 256 per epoch = 1000 optimizer steps; at least 1000)"),
            r.stdout)
        XCTAssertTrue(
            r.stdout.contains("pretrain.end_to_end.epochs not set: 500 (2 batches of 256 per epoch = 1000 optimizer steps; at least 1000)"),
            r.stdout)
        // 100 labeled rows (none held out) in batches of 64: 2 per epoch, 250 epochs reach 500 steps.
        XCTAssertTrue(
            r.stdout.contains("classifier.epochs not set: 250 (2 batches of 64 per epoch = 500 optimizer steps; at least 500)"), r.stdout)
        XCTAssertTrue(
            r.stdout.contains("fine_tune.epochs not set: 250 (2 batches of 64 per epoch = 500 optimizer steps; at least 500)"), r.stdout)
        XCTAssertTrue(
            r.stdout.contains("classifier.weight_decay not set: 0.01 (1 / 100 labeled rows: logistic regression's C = 1)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fine_tune.weight_decay not set: 0.1 (10 / 100 labeled rows)"), r.stdout)
        XCTAssertFalse(r.stdout.contains("warning"), r.stdout)
        XCTAssertEqual(try curveLength(f, "pretrain/layer_0/loss"), 500)
        XCTAssertEqual(try curveLength(f, "pretrain/layer_1/loss"), 500)
        XCTAssertEqual(try curveLength(f, "end_to_end/loss"), 500)
        XCTAssertEqual(try curveLength(f, "classifier/loss"), 250)
        XCTAssertEqual(try curveLength(f, "fine_tune/loss"), 250)
        // Long stages print about ten epoch lines each, not 500 (six trainings with the labels-only baseline's,
        // and a summary of about 30 rows).
        XCTAssertLessThan(r.stdout.split(separator: "\n").count, 100, r.stdout)
        XCTAssertTrue(r.stdout.contains("[pretrain layer 1/2] epoch 500/500"), r.stdout)
        // No validation split without early stopping: all 100 chosen labels train the head.
        let data = try f.root.group("data")
        XCTAssertEqual(try data.attribute("n_labeled"), .int(100))
        XCTAssertEqual(try data.attribute("n_validation"), .int(0))
    }

    /// The data-sized penalties act: the head's kernels are smaller than without them, and
    /// fine-tuning keeps the encoder nearer its pretrained kernels (L2-SP) than without.
    func testWeightDecayShrinksTheHeadAndHoldsTheEncoderNearItsPretrainedKernels() throws {
        let short = ["--set", "pretrain.epochs=20", "--set", "pretrain.end_to_end=null"]
        let (r, file) = try run(unset, short)
        let (r0, file0) = try run(unset, short + ["--set", "classifier.weight_decay=0", "--set", "fine_tune.weight_decay=0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r0.status, 0, r0.stderr)
        XCTAssertFalse(r0.stdout.contains("weight_decay not set"), "a set value is used as given: \(r0.stdout)")
        let f = try XCTUnwrap(file), f0 = try XCTUnwrap(file0)
        func squares(_ f: H5File, _ path: String) throws -> Double {
            try f.root.dataset(path).read(as: Float.self).reduce(0) { $0 + Double($1 * $1) }
        }
        func drift(_ f: H5File) throws -> Double {
            let a = try f.root.dataset("model/encoder/layer_0/kernel").read(as: Float.self)
            let b = try f.root.dataset("model/pretrained_encoder/layer_0/kernel").read(as: Float.self)
            return zip(a, b).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        }
        // The pretrained encoders are identical (the penalties do not touch pretraining).
        XCTAssertEqual(
            try f.root.dataset("model/pretrained_encoder/layer_0/kernel").read(as: Float.self),
            try f0.root.dataset("model/pretrained_encoder/layer_0/kernel").read(as: Float.self))
        let head = try squares(f, "model/head/layer_1/kernel"), head0 = try squares(f0, "model/head/layer_1/kernel")
        XCTAssertLessThan(head, 0.8 * head0, "‖W‖² of the head's softmax layer, with and without the penalty")
        let moved = try drift(f), moved0 = try drift(f0)
        XCTAssertGreaterThan(moved0, 0, "fine-tuning moves the encoder")
        XCTAssertLessThan(moved, 0.8 * moved0, "‖W − W₀‖² of the first encoder layer, with and without L2-SP")
    }

    func testLargeDataKeepsTheFixedDefaults() throws {
        // 300 rows in batches of 1: 300 steps per epoch, so the fixed 5 epochs (1500 steps) stand.
        let (r, file) = try run(
            unset,
            [
                "--set", "pretrain.batch_size=1", "--set", "pretrain.end_to_end.batch_size=300",
                "--set", "pretrain.layers=[4]", "--set", "fine_tune=null",
                "--set", "classifier.batch_size=1"
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(
            r.stdout.contains("pretrain.epochs not set: 5 per layer (300 batches of 1 per epoch = 1500 optimizer steps; at least 1000)"),
            r.stdout)
        XCTAssertTrue(
            r.stdout.contains("pretrain.end_to_end.epochs not set: 1000 (1 batch of 300 per epoch = 1000 optimizer steps; at least 1000)"),
            r.stdout)
        XCTAssertTrue(
            r.stdout.contains("classifier.epochs not set: 50 (100 batches of 1 per epoch = 5000 optimizer steps; at least 500)"), r.stdout)
        XCTAssertEqual(try curveLength(try XCTUnwrap(file), "pretrain/layer_0/loss"), 5)
    }

    func testEpochsSetBelowTheMinimumRunAsAskedWithAWarning() throws {
        let (r, file) = try run(
            unset,
            [
                "--set", "pretrain.epochs=3", "--set", "classifier.epochs=7",
                "--set", "pretrain.end_to_end.epochs=0", "--set", "fine_tune.epochs=400"
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let pretrain =
            "p.yaml (--set): pretrain.epochs: 3 epochs × 2 batches of 256 = 6 optimizer steps per layer, fewer than the 1000 Layerwise trains when pretrain.epochs is not set"
        let head = "p.yaml (--set): classifier.epochs: 7 epochs × 2 batches of 64 = 14 optimizer steps, fewer than the 500"
        XCTAssertTrue(r.stdout.contains(pretrain), r.stdout)
        XCTAssertTrue(r.stdout.contains(head), r.stdout)
        // 0 epochs skips a stage on purpose; 400 epochs are 800 steps, enough.
        XCTAssertFalse(r.stdout.contains("end_to_end.epochs:"), r.stdout)
        // Set in the file, the warning names its line.
        let (inFile, _) = try run(unset.replacingOccurrences(of: "classifier: {}", with: "classifier:\n  epochs: 7"), ["--quiet"])
        XCTAssertTrue(
            inFile.stdout.contains("p.yaml:11:11: classifier.epochs: 7 epochs × 2 batches of 64 = 14 optimizer steps"), inFile.stdout)
        XCTAssertFalse(r.stdout.contains("fine_tune.epochs"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "warning").count - 1, 2 * 2, "each at its stage and in the summary: \(r.stdout)")
        let f = try XCTUnwrap(file)
        XCTAssertEqual(try curveLength(f, "pretrain/layer_0/loss"), 3)
        XCTAssertEqual(try curveLength(f, "classifier/loss"), 7)

        // --quiet keeps them (in the summary), --json lists them.
        let (quiet, _) = try run(unset, ["--quiet", "--set", "pretrain.epochs=3"])
        XCTAssertTrue(
            quiet.stdout.contains("warning  ") && quiet.stdout.contains("p.yaml (--set): pretrain.epochs: 3 epochs"), quiet.stdout)
        let (json, _) = try run(unset, ["--json", "--set", "pretrain.epochs=3"])
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let warnings = try XCTUnwrap(obj["warnings"] as? [String])
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("p.yaml (--set): pretrain.epochs: 3 epochs × 2 batches of 256 = 6 optimizer steps"), warnings[0])
    }

    func testValidationRowsOnlyForEarlyStoppingOrWhenAsked() throws {
        let stopping = unset.replacingOccurrences(of: "classifier: {}", with: "classifier: {epochs: 5, early_stopping: {patience: 2}}")
        let (r, file) = try run(stopping)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("90 labeled + 10 validation"), r.stdout)
        XCTAssertEqual(try file?.root.group("data").attribute("n_validation"), .int(10))

        let (asked, askedFile) = try run(
            unset,
            [
                "--set", "data.validation={fraction: 0.2}", "--set", "pretrain.epochs=1",
                "--set", "pretrain.end_to_end=null"
            ])
        XCTAssertEqual(asked.status, 0, asked.stderr)
        XCTAssertEqual(try askedFile?.root.group("data").attribute("n_validation"), .int(20))
        XCTAssertEqual(try askedFile?.root.group("data").attribute("n_labeled"), .int(80))
    }
}
