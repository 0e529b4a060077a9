import Foundation
import LayerwiseHDF5
import XCTest

/// A user's own table as it is published, through the real binary: the UCI breast-cancer
/// layout (`id, M/B, 30 features`, no header, made here from scikit-learn's copy of the
/// data), from CSV to `predict` with class names; an existing output file never replaced
/// unless asked; columns that are not features; labels that cannot be right.
final class OwnTableTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TinyData.folder(self)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    /// `train.csv` (450 rows) and `test.csv` (119) in the published layout, ids random and
    /// unique (as the real file's), from scikit-learn's bundled copy.
    func writeUCIBreastCancer() throws {
        let r = try CLI.python(
            [
                "-c",
                """
                import numpy as np
                from sklearn.datasets import load_breast_cancer
                d = load_breast_cancer()
                rng = np.random.RandomState(0)
                ids = 8670 + rng.choice(10**7, len(d.target), replace=False)
                order = rng.permutation(len(d.target))
                rows = [','.join([str(ids[i]), 'B' if d.target[i] == 1 else 'M'] + ['%.6g' % v for v in d.data[i]]) for i in order]
                open('train.csv', 'w').write('\\n'.join(rows[:450]) + '\\n')
                open('test.csv', 'w').write('\\n'.join(rows[450:]) + '\\n')
                """
            ], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func run(_ args: [String], line: UInt = #line) throws -> CLI.Result {
        let r = try CLI.run(args, in: dir)
        XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)", line: line)
        return r
    }

    /// Exit 2 and one `error:` line holding every one of `mentions`.
    func expectError(_ args: [String], _ mentions: [String], line: UInt = #line) throws {
        let r = try CLI.run(args, in: dir)
        XCTAssertEqual(r.status, 2, r.stderr, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "'\(m)' not in \(r.stderr)", line: line) }
    }

    // MARK: Items 2 and 3: names and ids from import to predict

    func testPublishedBreastCancerFromCSVToPredictWithNames() throws {
        try writeUCIBreastCancer()
        let imported = try run(["import", "csv", "train.csv", "--label-column", "1", "--id-column", "0", "-o", "bc.h5"])
        XCTAssertEqual(
            imported.stdout, "bc.h5: wrote /train/features float32 [450, 30] and /train/labels int64 [450] (2 classes: B, M)\n")
        XCTAssertEqual(imported.stderr, "", "random ids kept as ids: no warning")
        _ = try run(["import", "csv", "test.csv", "--label-column", "1", "--id-column", "0", "-o", "bc.h5", "--group", "/test", "--append"])
        let file = try H5File.open(path("bc.h5")).root
        XCTAssertEqual(try file.dataset("train/labels").attribute("class_names"), .strings(["B", "M"]))
        // The names sorted (B before M), as scikit-learn's LabelEncoder orders them: M = 1.
        let text = try String(contentsOfFile: path("test.csv"), encoding: .utf8).split(separator: "\n")
        let testLabels = try file.dataset("test/labels").read(as: Int64.self)
        XCTAssertEqual(testLabels, text.map { $0.split(separator: ",")[1] == "M" ? 1 : 0 })
        let testIDs = text.map { Int64($0.split(separator: ",")[0]) ?? -1 }
        XCTAssertEqual(try file.dataset("test/ids").read(as: Int64.self), testIDs)
        XCTAssertEqual(try file.dataset("test/source_line").read(as: Int64.self), (1...119).map(Int64.init))

        try write(
            "bc.yaml",
            """
            data:
              train: bc.h5:/train/features
              train_labels: bc.h5:/train/labels
              test: bc.h5:/test/features
              test_labels: bc.h5:/test/labels
              labeled: {per_class: 10}
            ladder: {epochs: 30}
            """)
        let validate = try run(["validate", "bc.yaml"])
        XCTAssertTrue(validate.stdout.contains("labels: 2 classes (B, M); 20 labeled for training, 0 for validation"), validate.stdout)
        let summary = try run(["run", "bc.yaml", "--quiet", "--threads", "1"]).stdout.split(separator: "\n").map(String.init)
        // A column per class, by name: the labeled rows, the test rows and the test recall.
        let table = summary.filter { $0.hasPrefix("class ") || $0.hasPrefix("  ") }
        XCTAssertEqual(table.count, 4, summary.joined(separator: "\n"))
        XCTAssertTrue(table[0].hasSuffix("B       M"), table[0])
        let testRows = testLabels.filter { $0 == 1 }.count
        XCTAssertNotNil(table[1].range(of: #"^  labeled +10 +10$"#, options: .regularExpression), table[1])
        XCTAssertNotNil(table[2].range(of: "^  test rows +\(119 - testRows) +\(testRows)$", options: .regularExpression), table[2])

        let results = "runs/bc/results.h5"
        _ = try run(["predict", results, "bc.h5:/test/features", "-o", "pred.h5"])
        let pred = try H5File.open(path("pred.h5")).root
        let labels = try pred.dataset("label").read(as: Int32.self)
        XCTAssertEqual(try pred.dataset("label_name").readStrings(), labels.map { $0 == 1 ? "M" : "B" })
        XCTAssertEqual(try pred.dataset("label").attribute("class_names"), .strings(["B", "M"]))
        XCTAssertEqual(try pred.dataset("ids").read(as: Int64.self), testIDs, "the ids beside the rows")
        let accuracy = Double(zip(labels, testLabels).filter { Int64($0) == $1 }.count) / 119
        XCTAssertGreaterThan(accuracy, 0.85, "20 labels of a published table")

        _ = try run(["report", results, "-o", "report.html"])
        let page = try String(contentsOfFile: path("report.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<tr><th></th><th>B</th><th>M</th></tr><tr><th>B</th>"), "confusion matrix by name")
        let export = try run(["export", "keras", results, "-o", "m.weights.h5"])
        XCTAssertTrue(export.stdout.contains("\nclass_names = [\"B\", \"M\"]"), export.stdout)
        XCTAssertTrue(export.stderr.hasPrefix("wrote m.weights.h5: "), export.stderr)
        // The training rows' codes are stored too: the same as `encode` gives.
        _ = try run(["encode", results, "bc.h5:/train/features", "-o", "codes.h5"])
        let stored = try H5File.open(path(results)).root.dataset("embeddings/train")
        let encoded = try H5File.open(path("codes.h5")).root.dataset("codes")
        XCTAssertEqual(stored.shape, encoded.shape)
        XCTAssertEqual(stored.shape.first, 450)
        let worst = zip(try stored.read(as: Float.self), try encoded.read(as: Float.self)).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(worst, 1e-5)
    }

    func testIdColumnsDroppedOrKeptAndAWarningForOneImportedAsAFeature() throws {
        try write("seq.csv", "id,label,a,b\n1,x,0.5,3\n2,y,0.25,1\n3,x,0.75,2\n4,y,1.5,0\n")
        let warned = try run(["import", "csv", "seq.csv", "--header", "--label-column", "label", "-o", "f.h5"])
        XCTAssertEqual(
            warned.stderr,
            "warning: seq.csv: column 0 'id' holds strictly increasing integers, like a row id, and is imported as a feature; "
                + "leave it out with --drop-column 0, or keep it beside the rows with --id-column 0\n")
        XCTAssertEqual(try H5File.open(path("f.h5")).root.dataset("train/features").shape, [4, 3])
        _ = try run(["import", "csv", "seq.csv", "--header", "--label-column", "label", "--drop-column", "id", "-o", "d.h5"])
        let d = try H5File.open(path("d.h5")).root.group("train")
        XCTAssertEqual(try d.dataset("features").read(as: Float.self), [0.5, 3, 0.25, 1, 0.75, 2, 1.5, 0])
        XCTAssertEqual(try d.attribute("columns"), .strings(["a", "b"]))
        XCTAssertEqual(try d.attribute("source_columns"), .ints([2, 3]), "columns count in the original file")
        // String ids are kept as strings; a column cannot be two things.
        try write("s.csv", "p-1,x,1\np-2,y,2\n")
        _ = try run(["import", "csv", "s.csv", "--label-column", "1", "--id-column", "0", "-o", "s.h5"])
        XCTAssertEqual(try H5File.open(path("s.h5")).root.dataset("train/ids").readStrings(), ["p-1", "p-2"])
        try expectError(
            ["import", "csv", "s.csv", "--label-column", "1", "--drop-column", "1", "-o", "o.h5"],
            ["--drop-column 1: column 1 is already the label column"])
        try expectError(["import", "csv", "s.csv", "--drop-column", "7", "-o", "o.h5"], ["--drop-column 7: s.csv has 3 columns"])
    }

    // MARK: Item 1: no silent data loss

    func testAnExistingOutputFileIsNeverReplacedUnlessAsked() throws {
        try write("a.csv", "1,2,0\n3,4,1\n")
        try write("b.csv", "5,6,1\n7,8,0\n9,9,1\n")
        _ = try run(["import", "csv", "a.csv", "--label-column", "2", "-o", "f.h5"])
        _ = try run(["import", "csv", "a.csv", "--label-column", "2", "-o", "f.h5", "--group", "/test", "--append"])
        let before = try Data(contentsOf: URL(fileURLWithPath: path("f.h5")))
        try expectError(
            ["import", "csv", "b.csv", "--label-column", "2", "-o", "f.h5"],
            ["f.h5 exists (it holds /test, /train); add --append to add /train to it, or --force to replace the whole file"])
        try expectError(
            ["import", "csv", "b.csv", "--label-column", "2", "-o", "f.h5", "--append"],
            ["f.h5: group '/train' already exists; choose another --group, or add --force to replace that group"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("f.h5"))), before, "the file untouched, byte for byte")
        // --append --force: that group alone is replaced.
        _ = try run(["import", "csv", "b.csv", "--label-column", "2", "-o", "f.h5", "--append", "--force"])
        var f = try H5File.open(path("f.h5")).root
        XCTAssertEqual(try f.dataset("train/features").shape, [3, 2])
        XCTAssertEqual(try f.dataset("test/features").shape, [2, 2])
        // --force alone: the whole file.
        _ = try run(["import", "csv", "b.csv", "--label-column", "2", "-o", "f.h5", "--force"])
        f = try H5File.open(path("f.h5")).root
        XCTAssertFalse(f.exists("test"))
    }

    // MARK: Item 4: labels that cannot be right

    func testLabelsThatCannotTrainAClassifierAreErrorsNamingTheDataset() throws {
        // UCI style: classes 1…3. Import warns, run refuses and says how; --classes maps them.
        var rows = (0..<60).map { i in "\(Double(i % 7) / 7),\(Double(i % 5) / 5),\(i % 3 + 1)" }
        try write("wine.csv", rows.joined(separator: "\n") + "\n")
        let imported = try run(["import", "csv", "wine.csv", "--label-column", "2", "-o", "w.h5"])
        XCTAssertTrue(imported.stdout.contains("(4 classes)"), imported.stdout)
        XCTAssertTrue(imported.stderr.contains("class 0 has no rows (labels run 1…3)"), imported.stderr)
        XCTAssertTrue(imported.stderr.contains("import with --classes 1,2,3"), imported.stderr)
        let pipeline =
            "data:\n  train: w.h5:/train/features\n  train_labels: w.h5:/train/labels\n  labeled: {per_class: 3}\nladder: {epochs: 1}\n"
        try write("w.yaml", pipeline)
        try expectError(
            ["run", "w.yaml", "--quiet"],
            ["w.h5:/train/labels", "class 0 has no labeled rows of the 4 classes", "--classes 1,2,3"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("runs")), "a failed run leaves no empty output folder")
        _ = try run(["import", "csv", "wine.csv", "--label-column", "2", "--classes", "1,2,3", "-o", "w.h5", "--force"])
        let v = try run(["validate", "w.yaml"])
        XCTAssertTrue(v.stdout.contains("labels: 3 classes (1, 2, 3)"), v.stdout)

        // One labeled class.
        rows = (0..<20).map { i in "\(i % 4),\(i % 3),\(i < 10 ? 0 : -1)" }
        try write("one.csv", rows.joined(separator: "\n") + "\n")
        _ = try run(["import", "csv", "one.csv", "--label-column", "2", "-o", "one.h5"])
        try write(
            "one.yaml", pipeline.replacingOccurrences(of: "w.h5", with: "one.h5").replacingOccurrences(of: "per_class: 3", with: "count: 5")
        )
        try expectError(
            ["run", "one.yaml", "--quiet"], ["one.h5:/train/labels: every labeled row is of class 0 (10 rows)", "at least two classes"])
        // No labeled row at all.
        rows = (0..<20).map { i in "\(i % 4),\(i % 3),-1" }
        try write("none.csv", rows.joined(separator: "\n") + "\n")
        _ = try run(["import", "csv", "none.csv", "--label-column", "2", "-o", "none.h5"])
        try write("none.yaml", pipeline.replacingOccurrences(of: "w.h5", with: "none.h5"))
        try expectError(["run", "none.yaml", "--quiet"], ["none.h5:/train/labels: every training label is -1", "data.labeled"])
    }

    /// `--classes` on both importers, and the errors of names that do not fit.
    func testClassListsAndNamesThatDoNotFit() throws {
        // import npy --classes: UCI-style labels 1…3 become classes 0…2, named.
        func npy(_ name: String, _ descr: String, _ shape: String, _ payload: Data) throws {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            let data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8) + payload
            try data.write(to: dir.appendingPathComponent(name))
        }
        let x: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        let y: [Int64] = [3, 1, 2]
        try npy("x.npy", "<f4", "(3, 2)", x.withUnsafeBytes { Data($0) })
        try npy("y.npy", "<i8", "(3,)", y.withUnsafeBytes { Data($0) })
        _ = try run(["import", "npy", "x.npy", "--labels", "y.npy", "--classes", "1,2,3", "-o", "n.h5"])
        let labels = try H5File.open(path("n.h5")).root.dataset("train/labels")
        XCTAssertEqual(try labels.read(as: Int64.self), [2, 0, 1])
        XCTAssertEqual(try labels.attribute("class_names"), .strings(["1", "2", "3"]))
        try expectError(
            ["import", "npy", "x.npy", "--labels", "y.npy", "--classes", "1,2", "-o", "o.h5"],
            ["y.npy: label 3 at row 0 is not one of the classes 1, 2", "-1 marks an unlabeled row"])
        try expectError(
            ["import", "csv", "x.csv", "--label-column", "1", "--classes", "a,a", "-o", "o.h5"],
            ["--classes: expected two or more distinct names separated by commas, got 'a,a'"])
        // A name outside --classes, and test labels whose names differ from the training labels'.
        try write("tr.csv", "1,M\n3,B\n2,M\n4,B\n")
        try write("te.csv", "5,M\n6,X\n")
        // A listed class with no rows is a warning, not an error.
        let q = try run(["import", "csv", "tr.csv", "--label-column", "1", "--classes", "B,M,Q", "-o", "q.h5"])
        XCTAssertEqual(q.stderr, "warning: /train/labels: class 'Q' has no rows\n")
        try expectError(
            ["import", "csv", "te.csv", "--label-column", "1", "--classes", "B,M", "-o", "o.h5"],
            ["te.csv: label 'X' at row 1 is not one of the classes B, M (--classes, or the class names already in the file)"])
        _ = try run(["import", "csv", "tr.csv", "--label-column", "1", "-o", "d.h5"])
        try write("te2.csv", "5,M\n6,Z\n")
        _ = try run(["import", "csv", "te2.csv", "--label-column", "1", "-o", "e.h5", "--group", "/test"])
        try write(
            "p.yaml",
            "data:\n  train: d.h5:/train/features\n  train_labels: d.h5:/train/labels\n  test: e.h5:/test/features\n"
                + "  test_labels: e.h5:/test/labels\nladder: {epochs: 1}\n")
        try expectError(
            ["validate", "p.yaml"],
            [
                "p.yaml:5:16: data.test_labels: e.h5:/test/labels@class_names (M, Z) differ from d.h5:/train/labels@class_names (B, M)",
                "different classes"
            ])
    }

    // MARK: Item 5: small things

    func testSmallThings() throws {
        // Several bad cells: up to ten reported, with the count.
        try write("bad.csv", "1,2,x\n3,y,4\n5,6,7\n,8,9\n")
        try expectError(
            ["import", "csv", "bad.csv", "-o", "o.h5"],
            [
                "bad.csv: line 1, column 2 (0-based): 'x' is not a number", "2 more bad cells: line 2, column 1 (0-based): 'y'",
                "line 4, column 0 (0-based): empty cell"
            ])
        try write("many.csv", (1...15).map { "\($0),z" }.joined(separator: "\n") + "\n")
        try expectError(["import", "csv", "many.csv", "-o", "o.h5"], ["14 more bad cells", "line 10, column 1", "; …"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o.h5")))
        // An unquoted comparison in a gate: the YAML error says to quote it.
        try write("q.yaml", "data:\n  train: t.h5:/x\nevaluate:\n  expect: {accuracy: >= 0.8}\n")
        try expectError(["validate", "q.yaml"], ["q.yaml:4:22: not valid YAML", "a comparison must be quoted: accuracy: \">= 0.8\""])
    }
}
