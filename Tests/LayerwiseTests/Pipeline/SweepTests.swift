import Foundation
import LayerwiseHDF5
import XCTest

/// `matrix:` sweeps and the plain progress output CI logs read.
final class SweepTests: XCTestCase {
    func testFourCombinationsGiveFourResultsAndARankedSummary() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let text = TinyData.pipeline + "\nmatrix:\n  pretrain.model: [basic, denoising]\n  classifier.epochs: [2, 12]\n"
        let path = try TinyData.writePipeline(text, into: folder)
        let r = try CLI.run(["run", path, "--quiet", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = folder.appendingPathComponent("out")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".h5") }.sorted()
        XCTAssertEqual(
            files,
            [
                "results-tiny-basic-12.h5", "results-tiny-basic-2.h5",
                "results-tiny-denoising-12.h5", "results-tiny-denoising-2.h5"
            ])
        // Each file holds the run its name says.
        for f in files {
            let root = try H5File.open(out.appendingPathComponent(f).path).root
            guard case .string(let yaml) = try root.attribute("pipeline") else { return XCTFail("pipeline attribute") }
            XCTAssertTrue(yaml.contains(f.contains("denoising") ? "model: denoising" : "model: basic"), f)
            XCTAssertEqual(try root.dataset("metrics/classifier/loss").shape.first.map { $0 <= (f.contains("-12") ? 12 : 2) }, true, f)
        }
        // summary.json ranks by accuracy, and its numbers are the files' numbers.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
        let runs = try XCTUnwrap(json?["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 4)
        var previous = Double.infinity
        for run in runs {
            let results = try XCTUnwrap(run["results"] as? String)
            let acc = try XCTUnwrap((run["metrics"] as? [String: Double])?["accuracy"])
            guard case .double(let stored) = try H5File.open(results).root.group("metrics/test").attribute("accuracy") else {
                return XCTFail("accuracy in \(results)")
            }
            XCTAssertEqual(acc, stored, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(acc, previous)
            previous = acc
        }
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertEqual(md.split(separator: "\n").count, 6, md)
        XCTAssertTrue(r.stdout.hasPrefix("rank  accuracy"), r.stdout)
    }

    /// A sweep over pretrain.model may hold another model's settings (here the denoising
    /// noise): each combination that does not use one leaves it out, with a note; outside
    /// such a sweep the same file is still an error.
    func testASweepOverTheModelLeavesOutSettingsACombinationDoesNotUse() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let single = TinyData.pipeline.replacingOccurrences(
            of: "  model: denoising\n", with: "  model: denoising\n  noise: {type: masking, level: 0.3}\n")
        let text = single + "\nmatrix:\n  pretrain.model: [basic, denoising, vae]\n"
        let path = try TinyData.writePipeline(text, into: folder)
        let check = try CLI.run(["validate", path])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(
            check.stdout.contains(
                "[pretrain.model=basic] note: pretrain.noise (\(path):13) is a setting of model: denoising; this run (pretrain.model=basic) leaves it out"
            ), check.stdout)
        XCTAssertTrue(
            check.stdout.contains("[pretrain.model=vae] note: pretrain.end_to_end (\(path):16) is not used by model: vae"), check.stdout)
        XCTAssertFalse(check.stdout.contains("[pretrain.model=denoising] note"), check.stdout)

        let r = try CLI.run(["run", path, "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let basic = try XCTUnwrap(lines.firstIndex(of: "run 1/3: pretrain.model=basic"))
        XCTAssertTrue(lines[basic + 1].hasPrefix("note: pretrain.noise ("), lines[basic + 1])
        let out = folder.appendingPathComponent("out")
        for (model, hasNoise) in [("basic", false), ("denoising", true), ("vae", false)] {
            let root = try H5File.open(out.appendingPathComponent("results-tiny-\(model).h5").path).root
            guard case .string(let yaml) = try root.attribute("pipeline") else { return XCTFail("pipeline attribute") }
            XCTAssertEqual(yaml.contains("level: 0.3"), hasNoise, yaml)
        }

        let alone = try CLI.run([
            "run",
            try TinyData.writePipeline(
                single.replacingOccurrences(of: "model: denoising", with: "model: basic"), into: folder, name: "one.yaml")
        ])
        XCTAssertEqual(alone.status, 2, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("pretrain.noise: is used only with model: denoising (model is basic)"), alone.stderr)
    }

    func testABadValueInTheMatrixFailsBeforeAnyRun() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(TinyData.pipeline + "\nmatrix:\n  pretrain.epochs: [1, -1]\n", into: folder)
        let r = try CLI.run(["run", path, "--quiet"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("pretrain.epochs") && r.stderr.contains("matrix: pretrain.epochs=-1"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    /// Outside a terminal: exactly one plain line per epoch of every stage, no carriage returns.
    func testOneLinePerEpochInLogs() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(
            TinyData.pipeline.replacingOccurrences(of: "  early_stopping: {patience: 5}\n", with: ""), into: folder)
        let r = try CLI.run(["run", path, "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("\r"))
        let lines = r.stdout.split(separator: "\n")
        func count(_ prefix: String) -> Int { lines.filter { $0.hasPrefix(prefix) }.count }
        XCTAssertEqual(count("[pretrain layer 1/2] epoch "), 4)
        XCTAssertEqual(count("[pretrain layer 2/2] epoch "), 4)
        XCTAssertEqual(count("[end-to-end] epoch "), 2)
        XCTAssertEqual(count("[classifier] epoch "), 8)
        XCTAssertEqual(count("[fine-tune] epoch "), 3)
        // The labels-only baseline's final training: as many lines as the epochs it chose (its curve's length).
        let chosen = try H5File.open(folder.appendingPathComponent("out/results.h5").path).root
            .dataset("metrics/baseline/labels_only/loss").shape[0]
        XCTAssertTrue((1...8).contains(chosen), "\(chosen): at most the classifier's epochs")
        XCTAssertEqual(count("[baseline] epoch "), chosen, "the labels-only baseline")
        XCTAssertEqual(lines.filter { $0.contains(" epoch ") && $0.hasPrefix("[") }.count, 21 + chosen)
        let quiet = try CLI.run(["run", path, "--threads", "1", "--quiet"])
        XCTAssertFalse(quiet.stdout.contains(" epoch "))
        let json = try CLI.run(["run", path, "--threads", "1", "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertNotNil((obj?["metrics"] as? [String: Double])?["accuracy"], json.stdout)
    }
}
