import Foundation
import LayerwiseHDF5
import XCTest

/// A user's own data through the real binary: one rule for float labels on every input
/// path (CSV, .npy, an HDF5 dataset named by the pipeline): whole numbers are labels,
/// anything else is an error naming the row and the value; and CSV cells that cannot be
/// imported say what to do, with line (from 1) and column (from 0, as --label-column).
final class LabelAndCSVMessageTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TinyData.folder(self)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Exit 2, one `error:` line holding every one of `mentions`, no output file.
    func expectError(_ args: [String], _ mentions: [String], line: UInt = #line) throws {
        let r = try CLI.run(args, in: dir)
        XCTAssertEqual(r.status, 2, r.stderr, line: line)
        XCTAssertEqual(r.stdout, "", line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "'\(m)' not in \(r.stderr)", line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.h5").path), line: line)
    }

    // MARK: Item 2: float labels

    func testCSVLabelsWrittenAsFloatsAreAcceptedWhenWhole() throws {
        // numpy.savetxt's default format (%.18e) and plain 0.0 / 2.
        try write("f.csv", "1,0.000000000000000000e+00\n2,1.0\n3,2\n4,-1.0\n")
        let r = try CLI.run(["import", "csv", "f.csv", "--label-column", "1", "-o", "f.h5"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let root = try H5File.open(dir.appendingPathComponent("f.h5").path).root
        XCTAssertEqual(try root.dataset("train/labels").read(as: Int64.self), [0, 1, 2, -1])
    }

    func testCSVLabelThatIsNotWholeNamesLineColumnRowAndValue() throws {
        try write("half.csv", "1,0\n2,1\n3,2.5\n")
        try expectError(
            ["import", "csv", "half.csv", "--label-column", "1", "-o", "o.h5"],
            ["half.csv: line 3, column 1 (0-based)", "label '2.5' at row 2 is not a whole number"])
        try write("nan.csv", "1,0\n2,nan\n")
        try expectError(
            ["import", "csv", "nan.csv", "--label-column", "1", "-o", "o.h5"],
            ["nan.csv: line 2, column 1 (0-based)", "'nan' marks a missing label", "-1 for an unlabeled row"])
    }

    func testNPYLabelsFollowTheSameRule() throws {
        func npy(_ name: String, _ values: [Double]) throws {
            try ImportFixture.npy(descr: "<f8", shape: [values.count], payload: ImportFixture.bytes(values))
                .write(to: dir.appendingPathComponent(name))
        }
        try ImportFixture.npy(descr: "<f4", shape: [3, 2], payload: ImportFixture.bytes([Float](repeating: 1, count: 6)))
            .write(to: dir.appendingPathComponent("x.npy"))
        try npy("whole.npy", [0, 1, -1])
        try npy("half.npy", [0, 2.5, 1])
        try npy("nan.npy", [0, 1, .nan])
        let ok = try CLI.run(["import", "npy", "x.npy", "--labels", "whole.npy", "-o", "w.h5"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        try expectError(
            ["import", "npy", "x.npy", "--labels", "half.npy", "-o", "o.h5"],
            ["half.npy: label 2.5 at row 1 is not a whole number"])
        try expectError(
            ["import", "npy", "x.npy", "--labels", "nan.npy", "-o", "o.h5"],
            ["nan.npy: label nan at row 2 is not a whole number"])
    }

    func testFloatLabelsInHDF5AreAcceptedWhenWholeAndOtherwiseNamedAtTheirKeyAndLine() throws {
        do {
            let root = try H5File.create(dir.appendingPathComponent("d.h5").path).root
            try root.write("x", (0..<40).map { Float($0 % 7) }, shape: [20, 2])
            try root.write("y", (0..<20).map { Double($0 % 2) }, shape: [20])
            var bad = (0..<20).map { Double($0 % 2) }
            bad[7] = 2.5
            try root.write("y_half", bad, shape: [20])
            try root.write("y_float32", (0..<20).map { Float($0 % 2) }, shape: [20])
        }
        let pipeline = """
            data:
              train: d.h5:/x
              train_labels: d.h5:/y
            classifier: {epochs: 1}
            """
        try write("p.yaml", pipeline)
        let ok = try CLI.run(["validate", "p.yaml"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("labels: 2 classes"), ok.stdout)
        let f32 = try CLI.run(["validate", "p.yaml", "--set", "data.train_labels=d.h5:/y_float32"], in: dir)
        XCTAssertEqual(f32.status, 0, f32.stderr)
        try write("p.yaml", pipeline.replacingOccurrences(of: "d.h5:/y", with: "d.h5:/y_half"))
        for command in ["validate", "run"] {
            try expectError(
                [command, "p.yaml"],
                [
                    "p.yaml:3:17: data.train_labels: d.h5:/y_half",
                    "label 2.5 at row 7 is not a whole number"
                ])
        }
    }

    // MARK: Item 3: CSV cells

    func testAHeaderLineWithoutHeaderSuggestsIt() throws {
        try write("h.csv", "pixel_0,pixel_1,label\n0,16,3\n")
        try expectError(
            ["import", "csv", "h.csv", "-o", "o.h5"],
            ["h.csv: line 1, column 0 (0-based): 'pixel_0' is not a number; if line 1 holds column names, add --header"])
        try expectError(["import", "csv", "h.csv", "--label-column", "2", "-o", "o.h5"], ["add --header"])
        let ok = try CLI.run(["import", "csv", "h.csv", "--header", "--label-column", "label", "-o", "h.h5"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testMissingValuesSayTheyCannotBeImported() throws {
        try write("gap.csv", "a,b,c\n1,2,3\n4,,6\n")
        try expectError(
            ["import", "csv", "gap.csv", "--header", "-o", "o.h5"],
            ["gap.csv: line 3, column 1 'b' (0-based): empty cell", "missing values cannot be imported: fill or drop them first"])
        for marker in ["NA", "nan", "NaN", "N/A"] {
            try write("na.csv", "1,2,3\n4,\(marker),6\n")
            try expectError(
                ["import", "csv", "na.csv", "-o", "o.h5"],
                ["na.csv: line 2, column 1 (0-based): '\(marker)' marks a missing value, which cannot be imported"])
        }
        try write("inf.csv", "1,2\ninf,6\n")
        try expectError(["import", "csv", "inf.csv", "-o", "o.h5"], ["line 2, column 0 (0-based): 'inf' is not finite"])
        // A word further down is just not a number (no --header hint there).
        try write("word.csv", "1,2\n3,x\n")
        let r = try CLI.run(["import", "csv", "word.csv", "-o", "o.h5"], in: dir)
        XCTAssertEqual(r.stderr, "error: word.csv: line 2, column 1 (0-based): 'x' is not a number\n")
    }

    func testColumnsCountFromZeroLikeLabelColumn() throws {
        try write("c.csv", "1,2,0\n3,4,1\n")
        try expectError(
            ["import", "csv", "c.csv", "--label-column", "3", "-o", "o.h5"],
            ["c.csv: line 1 has 3 columns (0…2), no label column 3 (--label-column counts from 0)"])
        let r = try CLI.run(["import", "csv", "--help"], in: dir)
        XCTAssertTrue(r.stdout.contains("counting from 0"), r.stdout)
    }
}
