import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `layerwise compare`: the numbers of each column are those of its results file.
final class CompareTests: XCTestCase {
    func twoRuns(_ folder: URL) throws -> [String] {
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        return try [3, 4].map { seed in
            try Runner.run(
                pipelineFile: path,
                options: RunOptions(
                    overrides: ["seed=\(seed)", "output.results=out/seed\(seed)/results.h5"], threads: 1, quiet: true)
            ).resultsPath
        }
    }

    func double(_ g: H5Group, _ name: String) throws -> Double {
        guard case .double(let d) = try g.attribute(name) else { throw InputError("\(name) is not a double") }
        return d
    }

    /// Foundation's JSON writer keeps 15-16 significant digits.
    func assertClose(_ got: Any?, _ want: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let g = got as? Double, let w = want else {
            return XCTFail("\(what): \(String(describing: got)) vs \(String(describing: want))", file: file, line: line)
        }
        XCTAssertEqual(g, w, accuracy: 1e-12 * max(1, abs(w)), what, file: file, line: line)
    }

    func testColumnsCarryEachFilesNumbers() throws {
        let folder = try TinyData.folder(self)
        let paths = try twoRuns(folder)
        let out = try CLI.run(["compare", "--json"] + paths)
        XCTAssertEqual(out.status, 0, out.stderr)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let runs = try XCTUnwrap(obj["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 2)
        for (run, path) in zip(runs, paths) {
            XCTAssertEqual(run["results"] as? String, path)
            let values = try XCTUnwrap(run["values"] as? [String: Any])
            let root = try H5File.open(path).root
            let test = try root.group("metrics/test")
            for m in ["accuracy", "macro_f1", "log_loss"] {
                assertClose(values["test/\(m)"], try double(test, m), m)
            }
            assertClose(values["time/total"], try double(root.group("metrics/timing"), "total_seconds"), "time/total")
            let curve = try root.dataset("metrics/fine_tune/val_loss").read(as: Float.self)
            assertClose(values["last fine_tune/val_loss"], curve.last.map(Double.init), "last fine_tune/val_loss")
            XCTAssertEqual(values["encoder"] as? String, "784-32-8")
            // Two runs that differ only in their scaling say so.
            XCTAssertEqual(values["data.scale"] as? String, "unit")
            assertClose(values["anomaly/threshold"], try double(root.group("anomaly"), "threshold"), "anomaly/threshold")
        }
        XCTAssertEqual((runs[0]["values"] as? [String: Any])?["seed"] as? Int, 3)
        XCTAssertEqual((runs[1]["values"] as? [String: Any])?["seed"] as? Int, 4)

        // The plain table: one row per quantity, the two columns named by their folders.
        let table = try CLI.run(["compare"] + paths)
        XCTAssertEqual(table.status, 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ").map(String.init), ["seed3/results.h5", "seed4/results.h5"])
        let accuracyRow = try XCTUnwrap(lines.first { $0.hasPrefix("test/accuracy") })
        let want = try paths.map { String(format: "%.4f", try double(H5File.open($0).root.group("metrics/test"), "accuracy")) }
        XCTAssertEqual(accuracyRow.split(separator: " ").dropFirst().map(String.init), want)
        let md = try CLI.run(["compare", "--markdown"] + paths)
        XCTAssertTrue(md.stdout.contains("| test/accuracy | \(want[0]) | \(want[1]) |"), md.stdout)
    }

    /// A run without a classifier or anomaly scores beside a full one: its cells are "—", in every format.
    func testWhatARunLacksIsADash() throws {
        let folder = try TinyData.folder(self)
        let full = try twoRuns(folder)[0]
        let pretrainOnly = """
            name: a|b
            seed: 5
            data:
              train: tiny.h5:/train/images
            pretrain:
              layers: [16]
              epochs: 1
            output:
              results: out/pretrain/results.h5
            """
        let path = try TinyData.writePipeline(pretrainOnly, into: folder, name: "pretrain.yaml")
        let bare = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true)).resultsPath
        let accuracy = String(format: "%.4f", try double(H5File.open(full).root.group("metrics/test"), "accuracy"))

        let table = try CLI.run(["compare", full, bare])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        for (row, want) in [
            ("test/accuracy", [accuracy, "—"]), ("encoder", ["784-32-8", "784-16"]),
            ("last classifier/loss", nil), ("last pretrain/layer_0/loss", nil)
        ] {
            let cells = try XCTUnwrap(lines.first { $0.hasPrefix(row + " ") }, row).dropFirst(row.count).split(separator: " ").map(
                String.init)
            XCTAssertEqual(cells.count, 2, row)
            if let want { XCTAssertEqual(cells, want, row) }
            XCTAssertEqual(cells[1] == "—", row.contains("classifier") || row.hasPrefix("test/"), row)
        }
        // Markdown: a "|" in the pipeline name stays inside its cell.
        let md = try CLI.run(["compare", "--markdown", full, bare])
        XCTAssertTrue(md.stdout.contains("| test/accuracy | \(accuracy) | — |"), md.stdout)
        XCTAssertTrue(md.stdout.contains("| pipeline | tiny | a\\|b |"), md.stdout)
        // JSON: the lacking run has no such key (not a made-up value).
        let json = try CLI.run(["compare", "--json", full, bare])
        let runs = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
        XCTAssertNotNil((runs[0]["values"] as? [String: Any])?["test/accuracy"])
        XCTAssertNil((runs[1]["values"] as? [String: Any])?["test/accuracy"])
    }

    func testANonResultsFileIsOneErrorLine() throws {
        let folder = try TinyData.folder(self)
        let data = try TinyData.write(into: folder)
        let truncated = folder.appendingPathComponent("truncated.h5").path
        try FileManager.default.contents(atPath: data)?.prefix(4096).write(to: URL(fileURLWithPath: truncated))
        for bad in [data, folder.appendingPathComponent("missing.h5").path, truncated] {
            let out = try CLI.run(["compare", bad])
            XCTAssertEqual(out.status, 2)
            XCTAssertEqual(out.stdout, "")
            let lines = out.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, out.stderr)
            XCTAssertTrue(lines.first?.hasPrefix("error: \(bad)") ?? false, out.stderr)
        }
        let both = try CLI.run(["compare", "--json", "--markdown", data])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.hasPrefix("error: ") && both.stderr.contains("exclude each other"), both.stderr)
    }
}
