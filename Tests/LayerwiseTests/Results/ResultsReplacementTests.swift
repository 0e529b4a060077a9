import Foundation
import XCTest

/// A run whose results path already holds a file replaces it, as training scripts do
/// (CI reruns, `--resume` keep working), and says so: a note before training, a row in
/// the summary (`previous_results` in --json), and the earlier file kept beside it as
/// `results.previous.h5` (one generation). A run that fails replaces nothing.
final class ResultsReplacementTests: XCTestCase {
    func testARerunKeepsThePreviousResultsAndSaysSo() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder, train: 200, test: 20)
        let path = try TinyData.writePipeline(
            TinyData.pipeline.replacingOccurrences(of: "per_class: 20", with: "per_class: 5"), into: folder)
        let results = folder.appendingPathComponent("out/results.h5")
        let previous = folder.appendingPathComponent("out/results.previous.h5")
        func run(_ args: [String]) throws -> CLI.Result {
            let r = try CLI.run(["run", path, "--threads", "1"] + args, in: folder)
            XCTAssertEqual(r.status, 0, r.stderr)
            return r
        }

        let first = try run([])
        XCTAssertFalse(first.stdout.contains("replaced"), first.stdout)
        XCTAssertFalse(first.stdout.contains("exists"), first.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: previous.path))
        let firstBytes = try Data(contentsOf: results)

        let second = try run(["--set", "seed=4"])
        let lines = second.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("output.results: \(results.path) exists (written 20"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("; when this run completes it is kept as \(previous.path)"), lines[0])
        XCTAssertEqual(summaryValue(second.stdout, "replaced"), "the earlier results file, kept as \(previous.path)", second.stdout)
        XCTAssertEqual(try Data(contentsOf: previous), firstBytes, "the previous file is kept byte for byte")
        let secondBytes = try Data(contentsOf: results)
        XCTAssertNotEqual(secondBytes, firstBytes)

        // One generation: the next run keeps the second file, --json names it.
        let third = try run(["--json", "--set", "seed=5"])
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["previous_results"] as? String, previous.path)
        XCTAssertEqual(try Data(contentsOf: previous), secondBytes)

        // A run that fails (bad input) replaces nothing.
        let thirdBytes = try Data(contentsOf: results)
        let failed = try CLI.run(["run", path, "--quiet", "--set", "classifier.epochs=-1"], in: folder)
        XCTAssertEqual(failed.status, 2, failed.stderr)
        XCTAssertEqual(try Data(contentsOf: results), thirdBytes)
        XCTAssertEqual(try Data(contentsOf: previous), secondBytes)
        // compare reads both.
        let compare = try CLI.run(["compare", previous.path, results.path], in: folder)
        XCTAssertEqual(compare.status, 0, compare.stderr)
    }
}
