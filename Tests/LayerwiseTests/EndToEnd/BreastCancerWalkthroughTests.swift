import Foundation
import LayerwiseHDF5
import XCTest

/// The README's "A table as it is published: breast cancer" walkthrough, exactly as
/// written there (commands, pipeline and the `validate` output read from the README), run
/// through the real binary: string class names and an id column from the published
/// layout to `predict`'s names and ids.
final class BreastCancerWalkthroughTests: XCTestCase {
    func testTheREADMEWalkthroughRunsAsWritten() throws {
        let w = try DigitsWalkthroughTests.walkthrough(
            from: "### A table as it is published: breast cancer", to: "## Using Layerwise from Swift")
        XCTAssertEqual(w.pipelinePath, "bc/wdbc.yaml")
        XCTAssertEqual(
            w.commands.map { $0.prefix(2).joined(separator: " ") },
            [
                "python3 Scripts/breast-cancer-csv.py", "layerwise import", "layerwise import", "layerwise validate",
                "layerwise run", "layerwise predict"
            ])
        let folder = try TinyData.folder(self)
        let outputs = try w.run(in: folder, runArguments: ["--threads", "2"])
        XCTAssertEqual(
            try XCTUnwrap(outputs["import"]).stdout,
            "bc/wdbc.h5: wrote /train/features float32 [450, 30] and /train/labels int64 [450] (2 classes: B, M)\n")
        XCTAssertEqual(try XCTUnwrap(outputs["import"]).stderr, "", "the id column is not a feature: no warning")
        XCTAssertEqual(
            try XCTUnwrap(outputs["import 2"]).stdout,
            "bc/wdbc.h5: wrote /test/features float32 [119, 30] and /test/labels int64 [119] (2 classes: B, M)\n")
        XCTAssertEqual(try XCTUnwrap(outputs["validate"]).stdout, w.validateOutput + "\n")
        let run = try XCTUnwrap(outputs["run"]).stdout
        XCTAssertTrue(run.contains("\nclass                              B       M\n  labeled                          10      10\n"), run)
        let results = try H5File.open(folder.appendingPathComponent("bc/runs/wdbc/results.h5").path).root
        guard case .double(let accuracy) = try results.group("metrics/test").attribute("accuracy") else {
            return XCTFail("no test accuracy")
        }
        XCTAssertGreaterThan(accuracy, 0.9, "README reports 0.9328 for seed 0")
        // predict: names and ids row for row with the test file.
        let data = try H5File.open(folder.appendingPathComponent("bc/wdbc.h5").path).root
        let predicted = try H5File.open(folder.appendingPathComponent("bc/predictions.h5").path).root
        let labels = try predicted.dataset("label").read(as: Int32.self)
        XCTAssertEqual(labels, try results.dataset("predictions/test/label").read(as: Int32.self))
        XCTAssertEqual(try predicted.dataset("label_name").readStrings(), labels.map { $0 == 0 ? "B" : "M" })
        XCTAssertEqual(try predicted.dataset("ids").read(as: Int64.self), try data.dataset("test/ids").read(as: Int64.self))
        let text = try String(contentsOf: folder.appendingPathComponent("bc/wdbc-test.data"), encoding: .utf8)
        XCTAssertEqual(
            try data.dataset("test/ids").read(as: Int64.self), text.split(separator: "\n").map { Int64($0.prefix { $0 != "," }) ?? -1 })
    }
}
