import Foundation
import LayerwiseHDF5
import XCTest

/// Bad input to `import` and `inspect` through the real binary: exit code 2, exactly
/// one stderr line that starts with `error:` and names the file (and object), no
/// output file and no temporary file left, and an existing output file untouched.
final class DataLayerCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TinyData.folder(self)
        func write(_ name: String, _ data: Data) throws { try data.write(to: dir.appendingPathComponent(name)) }
        try write("img.idx", ImportFixture.idx([4, 2, 2], [UInt8](repeating: 1, count: 16)))
        try write("four.idx", ImportFixture.idx([4], [0, 1, 2, 3]))
        try write("three.idx", ImportFixture.idx([3], [0, 1, 2]))
        try write("float.idx", ImportFixture.idx([4], [0, 1, 2, 3], magic: [0, 0, 0x0d, 1]))
        try write("short.idx", ImportFixture.idx([4, 2, 2], [1, 2, 3]))
        try write("huge.idx", ImportFixture.idx([0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [1]))
        let big = ImportFixture.idx([400, 28, 28], (0..<(400 * 784)).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) })
        try write("big.idx", big)
        try ImportFixture.gzip(dir.appendingPathComponent("big.idx").path)
        let gz = try Data(contentsOf: dir.appendingPathComponent("big.idx.gz"))
        try write("cut.idx.gz", gz.prefix(gz.count / 2))
        try write("text.h5", Data("not hdf5\n".utf8))
        let whole = try Data(contentsOf: URL(fileURLWithPath: TinyData.shipped))
        try write("cut.h5", whole.prefix(whole.count / 3))
        try write("a.csv", Data("1,2,0\n3,x,1\n".utf8))
        try write("ragged.csv", Data("1,2,0\n3,1\n".utf8))
        try write(
            "fortran.npy",
            ImportFixture.npy(descr: "<f4", shape: [2, 2], fortran: true, payload: ImportFixture.bytes([Float](repeating: 1, count: 4))))
        try write(
            "big-endian.npy", ImportFixture.npy(descr: ">f4", shape: [2], payload: ImportFixture.bytes([Float](repeating: 1, count: 2))))
        try write("x.npy", ImportFixture.npy(descr: "<f4", shape: [2, 2], payload: ImportFixture.bytes([Float](repeating: 1, count: 4))))
        try write("nan.npy", ImportFixture.npy(descr: "<f8", shape: [2, 2], payload: ImportFixture.bytes([1, 2, .nan, 4.0])))
        try write("half-labels.npy", ImportFixture.npy(descr: "<f8", shape: [2], payload: ImportFixture.bytes([1.0, 1.5])))
        try write("three-labels.npy", ImportFixture.npy(descr: "<i8", shape: [3], payload: ImportFixture.bytes([Int64(0), 1, 2])))
        try write("short.npy", ImportFixture.npy(descr: "<f4", shape: [2, 2], payload: ImportFixture.bytes([Float(1)])))
    }

    /// Runs `args` in `dir` and checks the failure contract; `mentions` must all appear.
    func expectFailure(_ args: [String], _ mentions: [String], output: String = "o.h5", line: UInt = #line) throws {
        let r = try CLI.run(args, in: dir)
        XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)", line: line)
        XCTAssertEqual(r.stdout, "", line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.hasSuffix("\n"), "\(args): \(r.stderr)", line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n", omittingEmptySubsequences: false).count, 2, "one line: \(r.stderr)", line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "\(args): '\(m)' not in \(r.stderr)", line: line) }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: dir.appendingPathComponent(output).path), "\(args) left \(output)", line: line)
        XCTAssertEqual(try ImportFixture.leftovers(in: dir), [], "\(args)", line: line)
    }

    func testBadIDXInput() throws {
        try expectFailure(["import", "idx", "missing.idx", "three.idx", "-o", "o.h5"], ["missing.idx: no such file"])
        try expectFailure(["import", "idx", "img.idx", "three.idx", "-o", "o.h5"], ["three.idx", "3 labels for 4 images in img.idx"])
        try expectFailure(["import", "idx", "img.idx", "float.idx", "-o", "o.h5"], ["float.idx", "magic number 00 00 0d 01"])
        try expectFailure(["import", "idx", "text.h5", "four.idx", "-o", "o.h5"], ["text.h5", "magic number 6e 6f 74 20"])
        try expectFailure(["import", "idx", "short.idx", "four.idx", "-o", "o.h5"], ["short.idx", "truncated", "expected 16 bytes"])
        try expectFailure(["import", "idx", "cut.idx.gz", "four.idx", "-o", "o.h5"], ["cut.idx.gz", "truncated"])
        try expectFailure(["import", "idx", "huge.idx", "four.idx", "-o", "o.h5"], ["huge.idx"])
        try expectFailure(["import", "idx", "four.idx", "four.idx", "-o", "o.h5"], ["four.idx", "rank ≥ 2"])
        try expectFailure(["import", "idx", "img.idx", "four.idx", "-o", "o.h5", "--per-class", "0"], ["--per-class"])
        try expectFailure(["import", "idx", "img.idx", "four.idx", "-o", "o.h5", "--compression", "12"], ["--compression", "12"])
        try expectFailure(["import", "idx", "img.idx", "four.idx", "-o", "no/such/folder/o.h5"], ["no/such/folder/o.h5"], output: "no")
    }

    func testBadHDF5ForInspect() throws {
        try expectFailure(["inspect", "text.h5"], ["text.h5: not an HDF5 file"])
        try expectFailure(["inspect", "nothing.h5"], ["nothing.h5: no such file"])
        try expectFailure(["inspect", "cut.h5"], ["cut.h5", "truncated"])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.h5"), withIntermediateDirectories: false)
        try expectFailure(["inspect", "folder.h5"], ["folder.h5: is a folder"])
    }

    func testBadTablesAndArrays() throws {
        try expectFailure(["import", "csv", "a.csv", "-o", "o.h5"], ["a.csv", "line 2, column 1 (0-based)", "'x' is not a number"])
        try expectFailure(
            ["import", "csv", "ragged.csv", "-o", "o.h5", "--label-column", "2"], ["ragged.csv", "line 2", "no label column 2"])
        try expectFailure(["import", "csv", "a.csv", "-o", "o.h5", "--label-column", "label"], ["--label-column", "--header"])
        try expectFailure(["import", "csv", "a.csv", "--header", "-o", "o.h5", "--label-column", "y"], ["a.csv", "no column 'y'"])
        try expectFailure(["import", "csv", "gone.csv", "-o", "o.h5"], ["gone.csv: no such file"])
        try expectFailure(["import", "csv", "img.idx", "-o", "o.h5"], ["img.idx: a binary file"])
        try expectFailure(
            ["import", "csv", "text.h5", "-o", "o.h5"],
            ["text.h5: line 1, column 0 (0-based): 'not hdf5' is not a number; if line 1 holds column names, add --header"])
        try expectFailure(["import", "npy", "fortran.npy", "-o", "o.h5"], ["fortran.npy", "Fortran-order"])
        try expectFailure(["import", "npy", "big-endian.npy", "-o", "o.h5"], ["big-endian.npy", "'>f4' is not supported"])
        try expectFailure(["import", "npy", "a.csv", "-o", "o.h5"], ["a.csv", "not a .npy file"])
        try expectFailure(["import", "npy", "short.npy", "-o", "o.h5"], ["short.npy", "truncated"])
        try expectFailure(["import", "npy", "nan.npy", "-o", "o.h5"], ["nan.npy", "row 1, column 0 is nan"])
        try expectFailure(
            ["import", "npy", "x.npy", "--labels", "half-labels.npy", "-o", "o.h5"],
            ["half-labels.npy", "label 1.5 at row 1 is not a whole number"])
        try expectFailure(
            ["import", "npy", "x.npy", "--labels", "three-labels.npy", "-o", "o.h5"], ["three-labels.npy", "expected 2 labels"])
    }

    /// A failed import never touches an existing output file: not when replacing it,
    /// not when appending to it, and an unreadable file is named as the user gave it.
    func testExistingOutputIsLeftAlone() throws {
        let ok = try CLI.run(["import", "idx", "img.idx", "four.idx", "-o", "keep.h5"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let before = try Data(contentsOf: dir.appendingPathComponent("keep.h5"))
        for args in [
            ["import", "idx", "img.idx", "three.idx", "-o", "keep.h5"],
            ["import", "idx", "img.idx", "three.idx", "-o", "keep.h5", "--group", "/test", "--append"],
            ["import", "idx", "img.idx", "four.idx", "-o", "keep.h5", "--append"]
        ] {
            let r = try CLI.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("keep.h5")), before, "\(args) changed keep.h5")
        }
        let exists = try CLI.run(["import", "idx", "img.idx", "four.idx", "-o", "keep.h5", "--append"], in: dir)
        XCTAssertTrue(exists.stderr.contains("keep.h5: group '/train' already exists"), exists.stderr)
        let notHDF5 = try CLI.run(["import", "idx", "img.idx", "four.idx", "-o", "text.h5", "--group", "/x", "--append"], in: dir)
        XCTAssertEqual(notHDF5.status, 2)
        XCTAssertEqual(notHDF5.stderr, "error: text.h5: not an HDF5 file\n")
        XCTAssertEqual(try ImportFixture.leftovers(in: dir), [])
    }

    /// Dataset-level problems reach the user through `validate` (which reads through
    /// the HDF5 module): a missing dataset, float labels, non-numeric features, files
    /// that are not HDF5 or are cut short.
    func testDatasetProblemsThroughValidate() throws {
        let data = dir.appendingPathComponent("d.h5").path
        do {
            let g = try H5File.create(data).root.createGroup("train")
            try g.write("images", [UInt8](repeating: 1, count: 40), shape: [10, 4])
            try g.write("float_labels", (0..<10).map { Float($0 % 2) + ($0 == 3 ? 0.5 : 0) }, shape: [10])
            try g.write("labels", (0..<10).map { Int64($0 % 2) }, shape: [10])
        }
        func pipeline(_ file: String, _ images: String, _ labels: String) throws -> String {
            let text = """
                name: t
                data:
                  train: \(file):\(images)
                  train_labels: \(file):\(labels)
                classifier:
                  hidden: []
                  epochs: 1
                """
            let path = dir.appendingPathComponent("p-\(UUID().uuidString).yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let cases: [(String, [String])] = [
            (
                try pipeline("d.h5", "/train/images", "/train/lables"),
                // The pipeline key at its line, and what the file holds instead.
                [
                    "d.h5", "/train/lables", ":4:17: data.train_labels: ", "no such dataset",
                    "it holds /train/float_labels [10], /train/images [10, 4], /train/labels [10]"
                ]
            ),
            // Float labels are labels when whole (LabelAndCSVMessageTests); 1.5 is not.
            (
                try pipeline("d.h5", "/train/images", "/train/float_labels"),
                ["d.h5", "/train/float_labels", "label 1.5 at row 3 is not a whole number"]
            ),
            (try pipeline("text.h5", "/train/images", "/train/labels"), ["text.h5", "not an HDF5 file"]),
            (try pipeline("cut.h5", "/train/images", "/train/labels"), ["cut.h5", "truncated"])
        ]
        XCTAssertEqual(try CLI.run(["validate", try pipeline("d.h5", "/train/images", "/train/labels")], in: dir).status, 0)
        for (path, mentions) in cases {
            try expectFailure(["validate", path], mentions)
        }
    }
}
