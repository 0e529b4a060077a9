import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `mpirun -np 2 layerwise run …` through the real binary and Open MPI's launcher
/// (Debian's openmpi-bin, installed by Scripts/bootstrap.sh).
final class MPITests: XCTestCase {
    static let mpirun = "/usr/bin/mpirun"

    /// `mpirun -np 2 <args>`, under `timeout`: a job that hangs fails the test instead of CI.
    func mpirun(_ args: [String], in folder: URL, seconds: Int = 240) throws -> (CLI.Result, Double) {
        guard FileManager.default.isExecutableFile(atPath: MPITests.mpirun) else {
            throw Precondition.missing("mpirun (openmpi-bin)")
        }
        let start = Date()
        let r = try CLI.launch(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["\(seconds)", MPITests.mpirun, "--oversubscribe"] + args, in: folder,
            environment: [
                "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
                // Scripts/sanitize.sh: no leak report from the ranks. Open MPI keeps
                // allocations of its plugins past MPI_Finalize, in modules it has
                // unloaded by then (LeakSanitizer cannot name them to suppress them).
                "ASAN_OPTIONS": "detect_leaks=0"
            ])
        return (r, Date().timeIntervalSince(start))
    }

    func kernel(_ path: String, _ layer: Int) throws -> [Float] {
        try H5File.open(path).root.dataset("model/encoder/layer_\(layer)/kernel").read(as: Float.self)
    }

    /// Three full-batch SGD steps per layer: the gradient of the whole training set whether
    /// one process computes it or two ranks each compute their half's and average them
    /// (one allreduce per step), so the weights agree up to float rounding; with the rows
    /// held in memory and streamed. Rank 0 alone writes a results file and prints.
    func testTwoRanksAverageTheirGradientsToTheWholeBatchGradient() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let pipeline = try TinyData.writePipeline(into: folder)
        let fullBatch = [
            "pretrain.model=basic", "pretrain.layers=[32, 8]", "pretrain.epochs=3", "pretrain.batch_size=600",
            "pretrain.optimizer={name: sgd, learning_rate: 0.5}", "pretrain.end_to_end=null"
        ].flatMap { ["--set", $0] }
        let one = try CLI.run(["run", pipeline, "--threads", "1", "--set", "output.results=one/r.h5"] + fullBatch, in: folder)
        XCTAssertEqual(one.status, 0, one.stderr)
        for memory in ["true", "false"] {
            let out = "two-\(memory)"
            let (r, _) = try mpirun(
                [
                    "-np", "2", CLI.executable.path, "run", pipeline, "--threads", "1",
                    "--set", "output.results=\(out)/r.h5", "--set", "data.in_memory=\(memory)"
                ] + fullBatch, in: folder)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(
                r.stdout.components(separatedBy: "\npipeline ").count + (r.stdout.hasPrefix("pipeline ") ? 1 : 0), 2,
                "one summary, from rank 0: \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("2 MPI ranks, 300 rows on rank 0"), r.stdout)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(out).path), ["r.h5"])
            let d = try H5File.open(folder.appendingPathComponent("\(out)/r.h5").path).root.group("data")
            XCTAssertEqual(try d.attribute("mpi_ranks"), .int(2))
            XCTAssertEqual(try d.attribute("streamed"), .int(memory == "true" ? 0 : 1))
            for layer in 0..<2 {
                let a = try kernel(folder.appendingPathComponent("one/r.h5").path, layer)
                let b = try kernel(folder.appendingPathComponent("\(out)/r.h5").path, layer)
                let diff = zip(a, b).map { abs($0 - $1) }.max() ?? 1
                XCTAssertLessThan(diff, 2e-5, "in_memory \(memory), layer \(layer): one process vs two ranks differ by \(diff)")
            }
        }
    }

    /// The same seed and rank count give the same results file (timings aside).
    func testTheSameSeedAndRankCountAreByteIdentical() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let pipeline = try TinyData.writePipeline(into: folder)
        for name in ["a", "b"] {
            let (r, _) = try mpirun(
                [
                    "-np", "2", CLI.executable.path, "run", pipeline, "--threads", "1", "--quiet",
                    "--set", "output.results=\(name).h5"
                ], in: folder)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try ResultsBytes.assertSame(
            folder.appendingPathComponent("a.h5").path, folder.appendingPathComponent("b.h5").path,
            groups: ["model", "predictions", "embeddings", "reconstructions", "anomaly", "metrics"],
            present: ["model/encoder/layer_0/kernel", "anomaly/train_error"])
        // Rank 0 scored every training row, not only its share.
        XCTAssertEqual(try H5File.open(folder.appendingPathComponent("a.h5").path).root.dataset("anomaly/train_error").shape, [600])
    }

    /// Rank 1 alone meets bad input (its pipeline names a missing file): the job ends with
    /// exit 2 and one `error:` line, rank 0's, naming the file; no results file; no hang.
    func testAFailingRankEndsTheJobWithOneErrorLine() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let pipeline = try TinyData.writePipeline(into: folder)
        let run = [CLI.executable.path, "run", pipeline, "--threads", "1"]
        let (r, seconds) = try mpirun(
            ["-np", "1"] + run + [":", "-np", "1"] + run + ["--set", "data.train=missing.h5:/x"],
            in: folder, seconds: 60)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertLessThan(seconds, 30)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, r.stderr)
        XCTAssertTrue(errors.first?.contains("missing.h5") ?? false, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.h5").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }, [])
    }

    /// Rank 1 meets a NaN in its share of the streamed rows in the middle of an epoch, while
    /// rank 0 waits in the step's allreduce: rank 0 still prints the one error line, naming
    /// the row, and the job ends with exit 2.
    func testARankFailingInTheMiddleOfAnEpochEndsTheJob() throws {
        let folder = try TinyData.folder(self)
        _ = try StreamingTests.writeRows(folder, rows: 1000, nanAt: 900)
        let pipeline = try TinyData.writePipeline(
            """
            name: nan
            data: {train: rows.h5:/x, scale: none, in_memory: false}
            pretrain: {layers: [2], epochs: 3, batch_size: 50}
            output: {results: out/r.h5}
            """, into: folder)
        let (r, seconds) = try mpirun(["-np", "2", CLI.executable.path, "run", pipeline, "--threads", "1"], in: folder, seconds: 60)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertLessThan(seconds, 30)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, r.stderr)
        XCTAssertTrue(errors.first?.contains("row 900, column 1") ?? false, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/r.h5").path))
    }

    /// A job whose fine-tuning (rank 0's stage) diverges ends with exit 3 and keeps the
    /// checkpoint of the data-parallel pretraining; `--resume` under the same rank count
    /// then writes what an uninterrupted job writes.
    func testResumeUnderMPIEqualsAnUninterruptedJob() throws {
        let a = try TinyData.folder(self), b = try TinyData.folder(self)
        for f in [a, b] { try TinyData.write(into: f) }
        let run = { (folder: URL, extra: [String]) throws -> CLI.Result in
            let pipeline = try TinyData.writePipeline(into: folder)
            return try self.mpirun(
                ["-np", "2", CLI.executable.path, "run", pipeline, "--threads", "1", "--quiet"] + extra,
                in: folder
            ).0
        }
        let diverged = try run(a, ["--set", "fine_tune.optimizer={name: sgd, learning_rate: 1e30}"])
        XCTAssertEqual(diverged.status, 3, diverged.stderr)
        XCTAssertEqual(diverged.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count, 1, diverged.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: a.appendingPathComponent("out/results.checkpoint.h5").path))
        let resumed = try run(a, ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try run(b, []).status, 0)
        try ResultsBytes.assertSame(
            a.appendingPathComponent("out/results.h5").path, b.appendingPathComponent("out/results.h5").path,
            groups: ["model", "predictions", "embeddings", "anomaly", "metrics"],
            present: ["model/encoder/layer_0/kernel"])
    }

    /// A ladder network trained by two ranks (each normalising and denoising its half of
    /// the unlabeled batch, each taking half of the labeled batch) learns as one process
    /// does: 600 rows, 5 labels per class, seeds 1–3 gave 66.5 / 68.5 / 64.0 % for one
    /// process and 69.0 / 69.5 / 63.5 % for two ranks.
    func testTwoRanksTrainALadderAsWellAsOneProcess() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let pipeline = try TinyData.writePipeline(
            """
            name: ladder
            data:
              train: tiny.h5:/train/images
              train_labels: tiny.h5:/train/labels
              test: tiny.h5:/test/images
              test_labels: tiny.h5:/test/labels
              labeled: {per_class: 5}
              validation: {fraction: 0}
            ladder: {layers: [64, 32], noise: 0.3, denoising_weights: [1000, 10, 0.1, 0.1], epochs: 20, batch_size: 50, decay_epochs: 5}
            output:
              results: out/{seed}.h5
            """, into: folder)
        func accuracy(_ path: String) throws -> Double {
            guard
                case .double(let a) = try H5File.open(folder.appendingPathComponent(path).path).root.group("metrics/test")
                    .attribute("accuracy")
            else { throw Precondition.Missing(description: "\(path) has no /metrics/test accuracy") }
            return a
        }
        var one = 0.0, two = 0.0
        for seed in 1...3 {
            let r = try CLI.run(["run", pipeline, "--threads", "1", "--quiet", "--set", "seed=\(seed)"], in: folder)
            XCTAssertEqual(r.status, 0, r.stderr)
            one += try accuracy("out/\(seed).h5") / 3
            let (m, _) = try mpirun(
                [
                    "-np", "2", CLI.executable.path, "run", pipeline, "--threads", "1", "--quiet",
                    "--set", "seed=\(seed)", "--set", "output.results=out/mpi-{seed}.h5"
                ], in: folder)
            XCTAssertEqual(m.status, 0, m.stderr)
            two += try accuracy("out/mpi-\(seed).h5") / 3
        }
        XCTAssertGreaterThan(one, 0.62)
        XCTAssertGreaterThan(two, 0.62)
        XCTAssertLessThan(abs(two - one), 0.04, "one process \(one), two ranks \(two)")
    }
}
