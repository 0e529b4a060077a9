import Foundation
import LayerwiseHDF5
import XCTest

/// Faults through the real binary: outputs written to a full disk or into a read-only
/// folder fail with one `error:` line and exit 2, leave the previous file under that name
/// as it was and no temporary file; SIGINT / SIGTERM during `run` leave the checkpoint of
/// the finished stages and no temporary file, exit 130 / 143 with one line saying how to
/// resume, and `--resume` then writes the same results as an uninterrupted run.
///
/// A full disk and a read-only folder are a small tmpfs mounted in the test's folder,
/// which needs root (CAP_SYS_ADMIN); without it those tests are skipped, saying so.
final class FaultTests: XCTestCase {
    var folder: URL!
    var mounted: [URL] = []

    override func setUpWithError() throws {
        folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
    }

    override func tearDown() {
        for m in mounted.reversed() { _ = try? CLI.launch(URL(fileURLWithPath: "/bin/umount"), ["-l", m.path]) }
        mounted = []
    }

    /// A tmpfs of `bytes` (rounded up to pages) at `folder/name`.
    func disk(_ name: String, bytes: Int) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let r = try CLI.launch(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", url.path])
        guard r.status == 0 else {
            throw Precondition.missing(
                "a full disk and a read-only folder are simulated with `mount -t tmpfs`, which needs root "
                    + "and CAP_SYS_ADMIN; here it failed (\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        mounted.append(url)
        return url
    }

    func readOnly(_ url: URL) throws {
        let r = try CLI.launch(URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,ro", url.path])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// A file standing for the results of an earlier run.
    func previous(_ url: URL) throws -> Data {
        let bytes = Data("the results of an earlier run\n".utf8)
        try bytes.write(to: url)
        return bytes
    }

    /// The failure contract: exit `code`, one line `error: …` naming `names`, `kept` byte
    /// for byte, no temporary file in `dir`.
    func expectFailure(_ r: CLI.Result, code: Int32 = 2, names: [String], kept: [URL: Data], dir: URL, line: UInt = #line) throws {
        XCTAssertEqual(r.status, code, r.stderr, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        for n in names { XCTAssertTrue(r.stderr.contains(n), "'\(n)' not in: \(r.stderr)", line: line) }
        for (url, bytes) in kept { XCTAssertEqual(try Data(contentsOf: url), bytes, "\(url.lastPathComponent) changed", line: line) }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") || $0.hasPrefix(".") }
        XCTAssertEqual(left, [], "temporary files left", line: line)
    }

    /// pretrain + anomaly: a checkpoint of one snapshot, so that the results file (the same
    /// model plus scores, embeddings and reconstructions) is the larger write.
    var smallPipeline: String {
        """
        name: small
        seed: 3
        data:
          train: tiny.h5:/train/images
          test: tiny.h5:/test/images
        pretrain:
          layers: [32, 8]
          epochs: 2
        anomaly: {}
        output:
          results: out/results.h5
        """
    }

    func testResultsToAFullDisk() throws {
        let p = try TinyData.writePipeline(smallPipeline, into: folder)
        // The sizes of this run's results file, written where there is room.
        let probe = try CLI.run(["run", p, "--quiet", "--threads", "1", "--set", "output.results=probe/results.h5"], in: folder)
        XCTAssertEqual(probe.status, 0, probe.stderr)
        let size = try XCTUnwrap(
            FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("probe/results.h5").path)[.size] as? Int)
        // Room for the checkpoint but not for the results beside it; then no room at all.
        for free in [size - 16_384, 0] {
            let d = try disk("disk\(free)", bytes: 4096 + max(free, 0))
            let results = d.appendingPathComponent("results.h5")
            let old = try previous(results)
            let r = try CLI.run(["run", p, "--quiet", "--threads", "1", "--set", "output.results=\(results.path)"], in: folder)
            try expectFailure(r, names: [d.path, "No space left on device"], kept: [results: old], dir: d)
            XCTAssertFalse(r.stderr.contains(".tmp"), r.stderr)
            if free > 0 {
                // The checkpoint was written and the results were not: the failure is the results file's.
                XCTAssertTrue(r.stderr.contains("error: \(results.path): "), r.stderr)
                XCTAssertTrue(FileManager.default.fileExists(atPath: d.appendingPathComponent("results.checkpoint.h5").path))
            }
        }
    }

    func testImportAndReportToAFullDisk() throws {
        // 400 KB of float32 noise: gzip cannot shrink it into 64 KB.
        var rng = SystemRandomNumberGenerator()
        let values = (0..<100_000).map { _ in Float.random(in: 0..<1, using: &rng) }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 100), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let npy =
            Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8)
            + values.withUnsafeBytes { Data($0) }
        try npy.write(to: folder.appendingPathComponent("x.npy"))
        let d = try disk("disk", bytes: 65_536)
        let out = d.appendingPathComponent("out.h5"), page = d.appendingPathComponent("report.html")
        let old = try previous(out), oldPage = try previous(page)
        let r = try CLI.run(["import", "npy", "x.npy", "-o", out.path, "--force"], in: folder)
        try expectFailure(r, names: [out.path, "No space left on device"], kept: [out: old], dir: d)

        // A report of a real run, too large for what is left.
        let p = try TinyData.writePipeline(into: folder)
        XCTAssertEqual(try CLI.run(["run", p, "--quiet", "--threads", "1"], in: folder).status, 0)
        let filler = d.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: Data(count: 40_000))
        let rep = try CLI.run(["report", "out/results.h5", "-o", page.path], in: folder)
        try expectFailure(rep, names: [page.path], kept: [page: oldPage], dir: d)
    }

    func testOutputsIntoAReadOnlyFolder() throws {
        let p = try TinyData.writePipeline(into: folder)
        XCTAssertEqual(try CLI.run(["run", p, "--quiet", "--threads", "1"], in: folder).status, 0)
        let d = try disk("ro", bytes: 1 << 20)
        let names = ["results.h5", "out.h5", "codes.h5", "report.html", "k.weights.h5"]
        var kept: [URL: Data] = [:]
        for n in names { kept[d.appendingPathComponent(n)] = try previous(d.appendingPathComponent(n)) }
        try readOnly(d)
        func path(_ n: String) -> String { d.appendingPathComponent(n).path }
        let commands: [([String], [String])] = [
            (["run", p, "--quiet", "--set", "output.results=\(path("results.h5"))"], [d.path]),
            (["import", "idx", "i.idx", "l.idx", "-o", path("out.h5"), "--force"], [path("out.h5"), "the file system is read-only"]),
            (
                ["encode", "out/results.h5", "tiny.h5:/test/images", "-o", path("codes.h5")],
                [path("codes.h5"), "the file system is read-only"]
            ),
            (["report", "out/results.h5", "-o", path("report.html")], [path("report.html"), "the file system is read-only"]),
            (["export", "keras", "out/results.h5", "-o", path("k.weights.h5")], [path("k.weights.h5"), "the file system is read-only"])
        ]
        // A small valid IDX pair for the import.
        try Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]).write(to: folder.appendingPathComponent("i.idx"))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]).write(to: folder.appendingPathComponent("l.idx"))
        for (args, mentions) in commands {
            let r = try CLI.run(args, in: folder)
            try expectFailure(r, names: mentions, kept: kept, dir: d)
        }
    }

    // MARK: Signals

    /// Long enough a classifier stage to be interrupted in (no early stopping).
    let overrides = ["--set", "classifier.epochs=150", "--set", "classifier.early_stopping=null"]

    let compared = ["model", "predictions", "embeddings", "reconstructions", "anomaly", "metrics", "data"]

    /// The uninterrupted run's results, made once.
    static var reference: [String: [UInt8]]?

    func reference() throws -> [String: [UInt8]] {
        if let r = Self.reference { return r }
        let b = try TinyData.folder(self)
        try TinyData.write(into: b)
        let p = try TinyData.writePipeline(into: b)
        let r = try CLI.run(["run", p, "--quiet", "--threads", "1"] + overrides, in: b)
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = try ResultsBytes.of(b.appendingPathComponent("out/results.h5").path, groups: compared)
        Self.reference = bytes
        return bytes
    }

    /// Starts a run, waits until the checkpoint holds `stage` and a line starting with
    /// `progress` was printed, sends `signal`, and checks what the process left.
    func interrupt(with signal: Int32, after stage: String, progress: String) throws {
        let p = try TinyData.writePipeline(into: folder)
        let out = folder.appendingPathComponent("out")
        let stdout = folder.appendingPathComponent("stdout.txt"), stderr = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["run", p, "--threads", "1"] + overrides
        process.currentDirectoryURL = folder
        if let child = ProcessInfo.processInfo.environment["LAYERWISE_CHILD_ASAN_OPTIONS"] {
            process.environment = ProcessInfo.processInfo.environment.merging(["ASAN_OPTIONS": child]) { $1 }
        }
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let checkpoint = out.appendingPathComponent("results.checkpoint.h5")
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, process.isRunning {
            let printed = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
            if printed.split(separator: "\n").contains(where: { $0.hasPrefix(progress) }),
                FileManager.default.fileExists(atPath: checkpoint.path)
            {
                break
            }
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, signal == SIGINT ? 130 : 143)
        let message = try String(contentsOf: stderr, encoding: .utf8)
        XCTAssertEqual(message.split(separator: "\n").count, 1, message)
        XCTAssertTrue(message.hasPrefix("error: interrupted by \(name); the finished stages ("), message)
        XCTAssertTrue(message.contains(stage), message)
        XCTAssertTrue(
            message.contains(
                "continue with `layerwise run \(p) --set classifier.epochs=150 --set classifier.early_stopping=null --threads 1 --resume`"),
            message)
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
        XCTAssertEqual(left, ["results.checkpoint.h5"], "only the checkpoint stays")

        // Resumed, the results are those of a run never interrupted, byte for byte.
        let resumed = try CLI.run(["run", p, "--quiet", "--threads", "1", "--resume"] + overrides, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let got = try ResultsBytes.of(out.appendingPathComponent("results.h5").path, groups: compared)
        let want = try reference()
        XCTAssertEqual(Set(got.keys), Set(want.keys))
        for (k, v) in want { XCTAssertTrue(got[k] == v, "\(k) differs after --resume") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["results.h5"])
    }

    func testSIGINTDuringTheClassifier() throws {
        // With 150 epochs only every 15th gets its line; epoch 1 always does.
        try interrupt(with: SIGINT, after: "end_to_end", progress: "[classifier] epoch 1/")
    }

    /// Interrupted before any stage finished: nothing to resume, so the message gives the
    /// command without --resume, and the output folder the run made is gone.
    func testSIGINTBeforeAnyStageFinished() throws {
        let p = try TinyData.writePipeline(into: folder)
        let stdout = folder.appendingPathComponent("stdout.txt"), stderr = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["run", p, "--threads", "1", "--set", "pretrain.epochs=500"]
        process.currentDirectoryURL = folder
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            let printed = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
            if printed.contains("[pretrain layer 1/2] epoch 1/") { break }
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let message = try String(contentsOf: stderr, encoding: .utf8)
        XCTAssertEqual(
            message,
            "error: interrupted by SIGINT before any stage finished (nothing saved); start it again with "
                + "`layerwise run \(p) --set pretrain.epochs=500 --threads 1`\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "no empty output folder")
    }

    func testSIGTERMDuringEndToEnd() throws {
        try interrupt(with: SIGTERM, after: "pretrain", progress: "[end-to-end] epoch 1/")
    }
}
