import Foundation
import LayerwiseHDF5
import LayerwiseMath
import XCTest
@testable import Layerwise

/// `data.in_memory: false`: the rows the autoencoder side learns from are read from the
/// file every epoch in shuffled windows (`StreamedRows`) instead of held in memory.
final class StreamingTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    /// `rows.h5:/x`: float32 `[rows, 3]` whose row i holds (i, i + 0.25, i + 0.5), chunked by 64 rows.
    static func writeRows(_ folder: URL, rows: Int = 1000, nanAt: Int? = nil) throws -> String {
        let path = folder.appendingPathComponent("rows.h5").path
        let f = try H5File.create(path)
        let ds = try f.root.createDataset("x", of: Float.self, shape: [rows, 3], chunkRows: 64, compression: nil)
        var x = (0..<rows).flatMap { i in [Float(i), Float(i) + 0.25, Float(i) + 0.5] }
        if let nanAt { x[nanAt * 3 + 1] = .nan }
        try ds.writeRows(0..<rows, x)
        return path
    }

    /// Every batch of one epoch: (file row indices, first feature of each row).
    func epoch(_ s: StreamedRows, _ rng: inout RandomGenerator) throws -> [(rows: [Int], values: [Float])] {
        var out: [(rows: [Int], values: [Float])] = []
        try s.epoch(&rng) { rows, n, x in
            out.append((Array(rows), (0..<n).map { x[$0 * 3] }))
            XCTAssertEqual(x.count, n * 3)
            for k in 0..<n { XCTAssertEqual(x[k * 3 + 2] - x[k * 3], 0.5, "row \(rows[rows.startIndex + k]) arrived whole") }
        }
        return out
    }

    func source(
        _ path: String, segments: [Range<Int>] = [0..<1000], keep: ((Int) -> Bool)? = nil, kept: Int? = nil,
        epochRows: Int? = nil, scaler: Scaler = Scaler(kind: .none)
    ) throws -> StreamedRows {
        // Windows of two 64-row blocks: an epoch of 1000 rows spans 8 windows.
        try StreamedRows(
            DatasetRef(file: "rows.h5", dataset: "/x"), path: path, segments: segments, scaler: scaler,
            batchSize: 32, keep: keep, keptRows: kept, epochRows: epochRows, windowBytes: 2 * 64 * 3 * 4)
    }

    func testAnEpochHandsOutEveryRowOnceInFullBatchesWithItsOwnValues() throws {
        let folder = try TinyData.folder(self)
        let path = try Self.writeRows(folder)
        let s = try source(path)
        XCTAssertEqual(s.windowRows, 128)
        var rng = RandomGenerator(seed: 7)
        let batches = try epoch(s, &rng)
        XCTAssertEqual(batches.map(\.rows.count), Array(repeating: 32, count: 31) + [8])
        let rows = batches.flatMap(\.rows)
        XCTAssertEqual(rows.sorted(), Array(0..<1000))
        // Each row's features are that row's (the indices follow the data through the shuffle).
        XCTAssertEqual(batches.flatMap(\.values), rows.map(Float.init))
        // Shuffled: not in file order, and two rows of a batch are never further apart than
        // the two windows a batch can draw from (its own and the rows carried from the one before).
        XCTAssertNotEqual(rows, Array(0..<1000))
        XCTAssertGreaterThan(Set(batches[0].rows.map { $0 / 64 }).count, 1, "a batch mixes blocks")
        for b in batches { XCTAssertLessThanOrEqual(Set(b.rows.map { $0 / 64 }).count, 4, "\(b.rows)") }

        // The next epoch draws another order; the same seed draws the same epochs again.
        let second = try epoch(s, &rng).flatMap(\.rows)
        XCTAssertNotEqual(second, rows)
        XCTAssertEqual(second.sorted(), Array(0..<1000))
        var again = RandomGenerator(seed: 7)
        let s2 = try source(path)
        XCTAssertEqual(try epoch(s2, &again).flatMap(\.rows), rows)
        XCTAssertEqual(try epoch(s2, &again).flatMap(\.rows), second)
    }

    func testSegmentsFilterAndPaddingSelectTheirRows() throws {
        let folder = try TinyData.folder(self)
        let path = try Self.writeRows(folder)
        var rng = RandomGenerator(seed: 1)
        // An MPI rank's share: its own rows only.
        let share = try epoch(try source(path, segments: [100..<300, 700..<901]), &rng).flatMap(\.rows)
        XCTAssertEqual(share.sorted(), Array(100..<300) + Array(700..<901))
        // anomaly.normal_classes: the kept rows only.
        let even = try epoch(try source(path, keep: { $0 % 2 == 0 }, kept: 500), &rng)
        XCTAssertEqual(even.flatMap(\.rows).sorted(), Array(stride(from: 0, to: 1000, by: 2)))
        XCTAssertEqual(even.flatMap(\.values), even.flatMap(\.rows).map(Float.init))
        // A padded epoch (a smaller share than another rank's): every row, then repeats, as many rows as asked.
        let padded = try epoch(try source(path, segments: [0..<100], epochRows: 130), &rng).flatMap(\.rows)
        XCTAssertEqual(padded.count, 130)
        XCTAssertEqual(padded.prefix(100).sorted(), Array(0..<100), "every row once before any repeats")
    }

    func testRowsAreScaledAsInMemory() throws {
        let folder = try TinyData.folder(self)
        let path = try Self.writeRows(folder)
        let scaler = Scaler(kind: .unit, minimum: 0, maximum: 1000.5)
        var rng = RandomGenerator(seed: 2)
        var seen = 0
        try source(path, scaler: scaler).epoch(&rng) { rows, n, x in
            for k in 0..<n {
                let i = Float(rows[rows.startIndex + k])
                XCTAssertEqual(x[k * 3 + 1], (i + 0.25) / 1000.5, accuracy: 1e-6)
            }
            seen += n
        }
        XCTAssertEqual(seen, 1000)
    }

    /// A NaN that only the streamed read meets (`scale: none` reads nothing beforehand):
    /// one `error:` line naming the dataset, row and column; exit 2; no results file.
    func testANaNInStreamedRowsIsOneErrorNamingTheRow() throws {
        let folder = try TinyData.folder(self)
        _ = try Self.writeRows(folder, nanAt: 777)
        let pipeline = """
            name: nan
            data: {train: rows.h5:/x, scale: none, in_memory: false}
            pretrain: {layers: [2], epochs: 1, batch_size: 50}
            output: {results: out/r.h5}
            """
        let file = try TinyData.writePipeline(pipeline, into: folder)
        try expectCLIFailure(["run", file, "--threads", "1"], mentions: ["rows.h5:/x", "row 777, column 1", "nan"], in: folder)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/r.h5").path))
    }

    func testBadInMemoryAndMemoryLimitValuesNameTheKeyAndLine() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let a = try TinyData.writePipeline(
            TinyData.pipeline.replacingOccurrences(
                of: "  validation: {fraction: 0.2}", with: "  validation: {fraction: 0.2}\n  in_memory: maybe"), into: folder,
            name: "a.yaml")
        try expectCLIFailure(["run", a], mentions: ["a.yaml:10:", "data.in_memory", "auto, true or false"], in: folder)
        let b = try TinyData.writePipeline(
            TinyData.pipeline.replacingOccurrences(
                of: "  validation: {fraction: 0.2}", with: "  validation: {fraction: 0.2}\n  memory_limit: 2 lots"), into: folder,
            name: "b.yaml")
        try expectCLIFailure(["run", b], mentions: ["b.yaml:10:", "data.memory_limit", "2GiB"], in: folder)
        XCTAssertEqual(try Pipeline.load(file: b, overrides: ["data.memory_limit=1.5MiB"]).config.data.memoryLimit, 1_572_864)
        XCTAssertEqual(try Pipeline.load(file: b, overrides: ["data.memory_limit=3GB"]).config.data.memoryLimit, 3_000_000_000)
    }

    /// Full-batch steps do not depend on the order of the rows: pretraining streamed (in
    /// windows smaller than the data, layer 2 learning from codes computed batch by batch)
    /// and in memory then end with the same weights, up to float rounding. `auto` streams
    /// past `memory_limit` (600 × 784 floats are 1.9 MB).
    func testFullBatchPretrainingStreamedEqualsInMemory() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let fullBatch = [
            "pretrain.model=basic", "pretrain.layers=[32, 8]", "pretrain.epochs=3", "pretrain.batch_size=600",
            "pretrain.optimizer={name: sgd, learning_rate: 0.5}", "pretrain.end_to_end=null"
        ]
        func run(_ extra: [String]) throws -> RunReport {
            try Runner.run(pipelineFile: path, options: RunOptions(overrides: fullBatch + extra, threads: 1, quiet: true))
        }
        let memory = try run(["data.in_memory=true", "output.results=m.h5"])
        let streamed = try run(["data.memory_limit=1MiB", "output.results=s.h5"])
        XCTAssertFalse(memory.data.unlabeled.isStreamed)
        XCTAssertTrue(streamed.data.unlabeled.isStreamed)
        for layer in 0..<2 {
            let a = memory.outcome.model.encoder[layer].kernel.storage, b = streamed.outcome.model.encoder[layer].kernel.storage
            let moved = zip(a, try initialKernel(path, layer)).map { abs($0 - $1) }.max() ?? 0
            let diff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertGreaterThan(moved, 1e-3, "layer \(layer) trained")
            XCTAssertLessThan(diff, 2e-5, "layer \(layer): streamed and in-memory weights differ by \(diff)")
        }
        // The classifier side is the same rows either way: the labels-only parts are identical.
        XCTAssertEqual(memory.data.inFile(memory.data.labeledIndices), streamed.data.inFile(streamed.data.labeledIndices))
    }

    /// The same seed streams the same batches: two streamed runs of every stage (greedy
    /// layers from encoded batches, end-to-end, anomaly scores) write the same results file.
    func testTheSameSeedStreamedTwiceIsByteIdentical() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        for name in ["a", "b"] {
            let r = try Runner.run(
                pipelineFile: path,
                options: RunOptions(
                    overrides: ["data.in_memory=false", "output.results=\(name).h5"], threads: 1, quiet: true))
            XCTAssertTrue(r.data.unlabeled.isStreamed)
        }
        try ResultsBytes.assertSame(
            folder.appendingPathComponent("a.h5").path, folder.appendingPathComponent("b.h5").path,
            groups: ["model", "predictions", "embeddings", "reconstructions", "anomaly", "metrics"],
            present: ["model/encoder/layer_1/kernel", "anomaly/train_error"])
    }

    /// Layer `layer`'s kernel after 0 epochs (the initial weights).
    func initialKernel(_ path: String, _ layer: Int) throws -> [Float] {
        let r = try Runner.run(
            pipelineFile: path,
            options: RunOptions(
                overrides: [
                    "pretrain.model=basic", "pretrain.layers=[32, 8]", "pretrain.epochs=0", "pretrain.end_to_end=null",
                    "output.results=zero.h5"
                ], threads: 1, quiet: true))
        return r.outcome.model.encoder[layer].kernel.storage
    }
}
