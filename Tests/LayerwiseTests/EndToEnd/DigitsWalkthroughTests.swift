import Foundation
import LayerwiseHDF5
import XCTest

/// The README's "Your own data" walkthrough, exactly as written there: its `sh` commands
/// (Scripts/digits-csv.py from scikit-learn's bundled digits, `import csv` ×2, `inspect`,
/// `validate`, `run`, `predict`) and its pipeline, read from the README and run through
/// the real binary in a fresh folder. The `validate` output the README shows must be
/// what validate prints, and the run must reach the accuracy the README reports (seed 0:
/// 0.9572; the floor leaves room for other BLAS builds).
final class DigitsWalkthroughTests: XCTestCase {
    struct Walkthrough {
        var commands: [[String]] = []
        var pipelinePath = ""
        var pipeline = ""
        var validateOutput = ""

        /// Runs the commands in `folder` (the python script from the repository, `layerwise`
        /// as built, `runArguments` added to `run`), each expected to exit 0; the pipeline is
        /// written where the section says once the script has made its folder. Outputs by
        /// subcommand (`inspect`, `run`, …), a second `import` as `import 2`.
        func run(in folder: URL, runArguments: [String] = []) throws -> [String: CLI.Result] {
            var outputs: [String: CLI.Result] = [:]
            for command in commands {
                let args = Array(command.dropFirst())
                let r: CLI.Result
                if command[0] == "python3" {
                    let script = TinyData.repoRoot.appendingPathComponent(args[0]).path
                    r = try CLI.launch(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script] + args.dropFirst(), in: folder)
                    try pipeline.write(to: folder.appendingPathComponent(pipelinePath), atomically: true, encoding: .utf8)
                } else {
                    XCTAssertEqual(command[0], "layerwise")
                    r = try CLI.run(args + (args.first == "run" ? runArguments : []), in: folder)
                }
                XCTAssertEqual(r.status, 0, "\(command.joined(separator: " ")): \(r.stderr)")
                outputs[outputs[args[0]] == nil ? args[0] : args[0] + " 2"] = r
            }
            return outputs
        }
    }

    /// The fenced blocks of the README section from `from` up to `to` (by default the
    /// digits walkthrough: "## Your own data" up to "**How it compares.**").
    static func walkthrough(from first: String = "## Your own data", to last: String = "**How it compares.**") throws -> Walkthrough {
        let readme = try String(contentsOf: TinyData.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: first), let end = readme.range(of: last, range: start.upperBound..<readme.endIndex) else {
            throw Precondition.Missing(description: "README.md has no walkthrough section between \"\(first)\" and \"\(last)\"")
        }
        var w = Walkthrough()
        var block: (lang: String, lines: [String])? = nil
        for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let b = block {
                    switch b.lang {
                    case "sh":
                        w.commands += b.lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
                    case "yaml":
                        w.pipelinePath = String(b.lines[0].dropFirst(2))
                        w.pipeline = b.lines.dropFirst().joined(separator: "\n") + "\n"
                    default:
                        if b.lines.first?.contains(": ok") == true { w.validateOutput = b.lines.joined(separator: "\n") }
                    }
                    block = nil
                } else {
                    block = (String(line.dropFirst(3)), [])
                }
            } else if block != nil {
                block?.lines.append(line)
            }
        }
        return w
    }

    func testTheREADMEWalkthroughRunsAsWritten() throws {
        let w = try Self.walkthrough()
        XCTAssertEqual(w.pipelinePath, "my-data/digits.yaml")
        XCTAssertEqual(
            w.commands.map { $0.prefix(2).joined(separator: " ") },
            [
                "python3 Scripts/digits-csv.py", "layerwise import", "layerwise import", "layerwise inspect",
                "layerwise validate", "layerwise run", "layerwise predict"
            ])
        let folder = try TinyData.folder(self)
        let outputs = try w.run(in: folder)
        let inspect = try XCTUnwrap(outputs["inspect"]).stdout
        for line in [#"features +float32 +\[1400, 64\]"#, #"labels +int64 +\[1400\]"#, #"features +float32 +\[397, 64\]"#] {
            XCTAssertNotNil(inspect.range(of: line, options: .regularExpression), "\(line) not in \(inspect)")
        }
        XCTAssertEqual(try XCTUnwrap(outputs["validate"]).stdout, w.validateOutput + "\n")

        let run = try XCTUnwrap(outputs["run"]).stdout
        XCTAssertTrue(run.contains("no stage given: the ladder network"), run)
        let results = try H5File.open(folder.appendingPathComponent("my-data/runs/digits/results.h5").path).root
        guard case .double(let accuracy) = try results.group("metrics/test").attribute("accuracy") else {
            return XCTFail("no test accuracy")
        }
        XCTAssertGreaterThan(accuracy, 0.94, "README reports 0.9572 for seed 0")
        XCTAssertEqual(summaryValue(run, "test accuracy"), String(format: "%.4f", accuracy), run)
        // predict gives the run's own test predictions.
        let predicted = try H5File.open(folder.appendingPathComponent("my-data/predictions.h5").path).root
        XCTAssertEqual(try predicted.dataset("label").read(as: Int32.self).count, 397)
        XCTAssertEqual(
            try predicted.dataset("label").read(as: Int32.self),
            try results.dataset("predictions/test/label").read(as: Int32.self))
    }
}
