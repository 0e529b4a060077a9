import Foundation
import LayerwiseMath
import LayerwiseNN
import XCTest
@testable import Layerwise

/// A run that cannot fit in memory is refused before anything is allocated, through the
/// real binary: exit 2, one `error:` line naming the key (at its line, or `(--set)`), the
/// bytes the run would need and the bytes available; no crash, no results file.
final class MemoryEstimateTests: XCTestCase {
    func expectRefused(
        _ command: String, _ pipeline: String, _ args: [String], mentions: [String],
        line: UInt = #line
    ) throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder, train: 100, test: 20)
        let path = try TinyData.writePipeline(pipeline, into: folder)
        let r = try CLI.run([command, path] + args, in: folder)
        XCTAssertEqual(r.status, 2, r.stderr, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "'\(m)' not in \(r.stderr)", line: line) }
        // The available memory, exactly as the machine reports it (physical or a container limit).
        let physical = ProcessInfo.processInfo.physicalMemory
        XCTAssertTrue(
            r.stderr.contains("physical memory of this machine is") || r.stderr.contains("memory limit of this container is"),
            r.stderr, line: line)
        if r.stderr.contains("physical memory") {
            let grouped = NumberFormatter()
            grouped.numberStyle = .decimal
            grouped.groupingSeparator = ","
            grouped.usesGroupingSeparator = true
            XCTAssertTrue(r.stderr.contains("(\(grouped.string(from: NSNumber(value: physical)) ?? "?") bytes)"), r.stderr, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path), line: line)
    }

    func testAHugeLayerIsRefusedAtItsKeyAndLine() throws {
        let pipeline = TinyData.pipeline.replacingOccurrences(of: "layers: [32, 8]", with: "layers: [100000000000, 8]")
        for command in ["run", "validate"] {
            // The 784 × 10^11 kernels and their decoder, four copies each (weights, gradients, Adam), are 2.5 PB.
            try expectRefused(
                command, pipeline, [],
                mentions: [
                    "p.yaml:11:11: pretrain.layers: the run would need about", "PB of memory (",
                    "bytes: weights, gradients and optimizer state", "codes of every training row", "Make pretrain.layers smaller"
                ])
        }
    }

    /// (A huge batch_size is no memory problem: a batch never holds more rows than the data
    /// has — PipelineRobustnessTests.testABatchLargerThanTheDataIsOneBatchOfEveryRow.)
    func testAHugeHeadFromSetIsRefusedNamingTheKey() throws {
        try expectRefused(
            "run", TinyData.pipeline,
            [
                "--set", "pretrain=null", "--set", "fine_tune=null", "--set", "anomaly=null",
                "--set", "classifier.hidden=[20000000000]"
            ],
            mentions: ["p.yaml (--set): classifier.hidden: the run would need about", "Make classifier.hidden smaller"])
    }

    /// A ladder pipeline over 100 tiny rows (no pretrain, no classifier).
    static let ladderPipeline = """
        name: tiny-ladder
        seed: 3
        data:
          train: tiny.h5:/train/images
          train_labels: tiny.h5:/train/labels
          test: tiny.h5:/test/images
          test_labels: tiny.h5:/test/labels
          labeled: {per_class: 2}
          validation: {fraction: 0.2}
        ladder:
          layers: [16, 8]
          epochs: 2
          batch_size: 50
        output:
          results: out/results.h5
        """

    func testAHugeLadderLayerIsRefusedNamingTheLadder() throws {
        let start = Date()
        try expectRefused(
            "run", Self.ladderPipeline, ["--set", "ladder.layers=[100000000,10]"],
            mentions: [
                "p.yaml (--set): ladder.layers: the run would need about", "TB of memory (",
                "the ladder's weights, gradients, optimizer state and kept copies",
                "the ladder's activations at batch 50", "Make ladder.layers smaller"
            ])
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    /// As every other stage's, the ladder's batch never holds more rows than there are:
    /// a batch_size of 2·10^9 is one batch of every row, and the run trains as usual.
    func testAHugeLadderBatchIsOneBatchOfEveryRow() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder, train: 100, test: 20)
        let path = try TinyData.writePipeline(Self.ladderPipeline, into: folder)
        let start = Date()
        // With the labels-only baseline, which trains at the ladder's batch size too.
        let r = try CLI.run(["run", path, "--set", "ladder.batch_size=2000000000", "--set", "evaluate.baseline=labels_only"], in: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("error:"), r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
    }

    /// The estimate's parameter count is the network's own, counted from the network.
    func testTheLadderEstimateCountsTheNetworksParameters() {
        for (inputs, hidden, classes) in [(7, [5, 3], 4), (12, [9], 2), (3, [6, 6, 2], 5)] {
            var rng = RandomGenerator(seed: 1)
            let spec = LadderSpec(
                inputs: inputs, hidden: hidden, classes: classes,
                denoisingWeights: LadderSpec.defaultDenoisingWeights(hiddenLayers: hidden.count))
            let net = LadderNetwork(spec, maxBatch: 4, rng: &rng)
            let widths = spec.widths.map(Double.init)
            XCTAssertEqual(MemoryEstimate.ladderParameters(widths), Double(net.parameterValues.count), "\(spec.widths)")
        }
    }
}
