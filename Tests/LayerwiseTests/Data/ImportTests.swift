import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Small input files the import tests write themselves.
enum ImportFixture {
    /// An IDX file: magic `00 00 08 rank` (or `magic`), big-endian uint32 dims, uint8 payload.
    static func idx(_ dims: [Int], _ payload: [UInt8], magic: [UInt8]? = nil) -> Data {
        var d = Data(magic ?? [0, 0, 8, UInt8(dims.count)])
        for n in dims { d.append(contentsOf: [24, 16, 8, 0].map { UInt8((n >> $0) & 0xff) }) }
        d.append(contentsOf: payload)
        return d
    }

    /// A `.npy` file (format 1.0): `descr` such as `<f4`, the header padded to 64 bytes.
    static func npy(descr: String, shape: [Int], fortran: Bool = false, payload: Data) -> Data {
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(dims)), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        d.append(contentsOf: Array(header.utf8))
        d.append(payload)
        return d
    }

    static func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }

    /// `gzip -kf path` → `path.gz`.
    static func gzip(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-kf", path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw InputError("gzip failed on \(path)") }
    }

    /// Temporary files an import left in `folder` (there should be none).
    static func leftovers(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
    }
}

/// `layerwise import idx|csv|npy` through the real binary, and the shipped dataset.
final class ImportTests: XCTestCase {
    func testIDXImportPlainAndGzipRoundTrip() throws {
        let dir = try TinyData.folder(self)
        let pixels = (0..<(5 * 3 * 2)).map { UInt8($0 * 8) }
        let labels: [UInt8] = [3, 1, 4, 1, 5]
        try ImportFixture.idx([5, 3, 2], pixels).write(to: dir.appendingPathComponent("img.idx"))
        try ImportFixture.idx([5], labels).write(to: dir.appendingPathComponent("lab.idx"))
        try ImportFixture.gzip(dir.appendingPathComponent("img.idx").path)
        try ImportFixture.gzip(dir.appendingPathComponent("lab.idx").path)
        let plain = try CLI.run(["import", "idx", "img.idx", "lab.idx", "-o", "out.h5", "--group", "/train"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        // Labels 1, 3, 4, 5: classes 0…5 as `run` counts them, 0 and 2 empty (a warning, with the way out).
        XCTAssertEqual(plain.stdout, "out.h5: wrote /train/images uint8 [5, 6] and /train/labels int64 [5] (6 classes)\n")
        XCTAssertEqual(
            plain.stderr,
            "warning: /train/labels: classes 0, 2 have no rows (labels run 1…5); classes count from 0, so if the classes are "
                + "1, 3, 4, 5, import with --classes 1,3,4,5\n")
        let gz = try CLI.run(["import", "idx", "img.idx.gz", "lab.idx.gz", "-o", "out.h5", "--group", "test", "--append"], in: dir)
        XCTAssertEqual(gz.status, 0, gz.stderr)
        let root = try H5File.open(dir.appendingPathComponent("out.h5").path).root
        XCTAssertEqual(try root.children().map(\.name), ["test", "train"])
        for g in ["train", "test"] {
            let images = try root.dataset("\(g)/images")
            XCTAssertEqual(images.shape, [5, 6])
            XCTAssertEqual(images.elementType, .uint8)
            XCTAssertEqual(try images.read(as: UInt8.self), pixels)
            XCTAssertEqual(try root.dataset("\(g)/labels").elementType, .int64)
            XCTAssertEqual(try root.dataset("\(g)/labels").read(as: Int64.self), labels.map(Int64.init))
            XCTAssertEqual(try root.group(g).attribute("image_shape"), .ints([3, 2]))
            XCTAssertFalse(root.exists("\(g)/source_index"))
        }
        XCTAssertEqual(try root.dataset("test/images").filters, ["shuffle", "deflate(4)"])
        XCTAssertEqual(try ImportFixture.leftovers(in: dir), [])
    }

    /// `--per-class N` keeps the first N rows of each class in file order and records them.
    func testPerClassSelection() throws {
        let dir = try TinyData.folder(self)
        let labels: [UInt8] = [2, 0, 2, 2, 1, 0, 0, 2]
        let pixels = (0..<labels.count * 4).map { UInt8($0) }
        try ImportFixture.idx([8, 2, 2], pixels).write(to: dir.appendingPathComponent("img.idx"))
        try ImportFixture.idx([8], labels).write(to: dir.appendingPathComponent("lab.idx"))
        let r = try CLI.run(["import", "idx", "img.idx", "lab.idx", "-o", "s.h5", "--per-class", "2", "--compression", "9"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let g = try H5File.open(dir.appendingPathComponent("s.h5").path).root.group("train")
        let rows = [0, 1, 2, 4, 5]
        XCTAssertEqual(try g.dataset("source_index").read(as: Int64.self), rows.map(Int64.init))
        XCTAssertEqual(try g.dataset("labels").read(as: Int64.self), rows.map { Int64(labels[$0]) })
        XCTAssertEqual(try g.dataset("images").read(as: UInt8.self), rows.flatMap { pixels[($0 * 4)..<($0 * 4 + 4)] })
        XCTAssertEqual(try g.dataset("images").filters, ["shuffle", "deflate(9)"])
        XCTAssertEqual(try g.attribute("selection"), .string("first 2 samples of each class, in file order"))
    }

    func testCSVWithLabelColumnByNameOrIndex() throws {
        let dir = try TinyData.folder(self)
        // Windows line ends, a blank line, spaces around cells and exponents all parse.
        try "a, label ,b\r\n1.5,0,2\r\n\r\n 3 ,1,\t4.25\n-1e3,-1,0".write(
            to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let byName = try CLI.run(["import", "csv", "t.csv", "--header", "--label-column", "label", "-o", "c.h5"], in: dir)
        XCTAssertEqual(byName.status, 0, byName.stderr)
        let byIndex = try CLI.run(
            [
                "import", "csv", "t.csv", "--header", "--label-column", "1", "-o", "c.h5",
                "--group", "/again", "--append"
            ], in: dir)
        XCTAssertEqual(byIndex.status, 0, byIndex.stderr)
        let root = try H5File.open(dir.appendingPathComponent("c.h5").path).root
        for g in ["train", "again"] {
            let features = try root.dataset("\(g)/features")
            XCTAssertEqual(features.shape, [3, 2])
            XCTAssertEqual(features.elementType, .float32)
            XCTAssertEqual(try features.read(as: Float.self), [1.5, 2, 3, 4.25, -1000, 0])
            XCTAssertEqual(try root.dataset("\(g)/labels").read(as: Int64.self), [0, 1, -1])
            XCTAssertEqual(try root.group(g).attribute("columns"), .strings(["a", "b"]))
        }
        let noLabels = try CLI.run(["import", "csv", "t.csv", "--header", "-o", "n.h5"], in: dir)
        XCTAssertEqual(noLabels.status, 0, noLabels.stderr)
        let n = try H5File.open(dir.appendingPathComponent("n.h5").path).root
        XCTAssertEqual(try n.dataset("train/features").shape, [3, 3])
        XCTAssertFalse(n.exists("train/labels"))
    }

    func testNPYFloatUInt8AndLabels() throws {
        let dir = try TinyData.folder(self)
        func write(_ name: String, _ data: Data) throws { try data.write(to: dir.appendingPathComponent(name)) }
        try write("f.npy", ImportFixture.npy(descr: "<f4", shape: [2, 3], payload: ImportFixture.bytes([Float(1), 2, 3, 4, 5, 6.5])))
        try write("f64.npy", ImportFixture.npy(descr: "<f8", shape: [2], payload: ImportFixture.bytes([0.25, -2.0])))
        try write("u8.npy", ImportFixture.npy(descr: "|u1", shape: [2, 2, 2], payload: Data([0, 1, 2, 3, 252, 253, 254, 255])))
        try write("l.npy", ImportFixture.npy(descr: "<i8", shape: [2], payload: ImportFixture.bytes([Int64(7), -1])))
        try write("lf.npy", ImportFixture.npy(descr: "<f8", shape: [2], payload: ImportFixture.bytes([1.0, 0.0])))

        XCTAssertEqual(try CLI.run(["import", "npy", "f.npy", "--labels", "l.npy", "-o", "n.h5"], in: dir).status, 0)
        XCTAssertEqual(
            try CLI.run(["import", "npy", "u8.npy", "--labels", "lf.npy", "-o", "n.h5", "--group", "u8", "--append"], in: dir).status, 0)
        XCTAssertEqual(try CLI.run(["import", "npy", "f64.npy", "-o", "n.h5", "--group", "f64", "--append"], in: dir).status, 0)
        let root = try H5File.open(dir.appendingPathComponent("n.h5").path).root
        let f = try root.dataset("train/features")
        XCTAssertEqual(f.shape, [2, 3])
        XCTAssertEqual(f.elementType, .float32)
        XCTAssertEqual(try f.read(as: Float.self), [1, 2, 3, 4, 5, 6.5])
        XCTAssertEqual(try root.dataset("train/labels").read(as: Int64.self), [7, -1])
        // uint8 stays uint8 (so `scale: unit` divides by 255), flattened [N, H, W] → [N, H·W].
        let u = try root.dataset("u8/features")
        XCTAssertEqual(u.elementType, .uint8)
        XCTAssertEqual(u.shape, [2, 4])
        XCTAssertEqual(try u.read(as: UInt8.self), [0, 1, 2, 3, 252, 253, 254, 255])
        XCTAssertEqual(try root.group("u8").attribute("source_shape"), .ints([2, 2, 2]))
        XCTAssertEqual(try root.dataset("u8/labels").read(as: Int64.self), [1, 0])
        XCTAssertEqual(try root.dataset("f64/features").shape, [2, 1])
        XCTAssertEqual(try root.dataset("f64/features").read(as: Float.self), [0.25, -2])
    }

    /// The shipped subset holds exactly the pixels and labels of the IDX source rows it
    /// names, and those rows are the first of each class (Datasets/README.md's rule).
    func testShippedDatasetMatchesTheIDXSource() throws {
        let src = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: src) else { throw Precondition.missing("dataset-fashion-mnist") }
        let root = try H5File.open(TinyData.shipped).root
        for (group, prefix, perClass) in [("train", "train", 500), ("test", "t10k", 100)] {
            let (dims, pixels) = try IDXImporter.read("\(src)/\(prefix)-images-idx3-ubyte.gz", expectedRank: 3)
            let (_, labels) = try IDXImporter.read("\(src)/\(prefix)-labels-idx1-ubyte.gz", expectedRank: 1)
            XCTAssertEqual(Array(dims.dropFirst()), [28, 28])
            let rows = try root.dataset("\(group)/source_index").read(as: Int64.self).map(Int.init)
            XCTAssertEqual(rows, IDXImporter.firstRows(perClass: perClass, of: labels), group)
            XCTAssertEqual(rows.count, perClass * 10)
            let x = try root.dataset("\(group)/images")
            XCTAssertEqual(x.shape, [perClass * 10, 784])
            XCTAssertEqual(x.elementType, .uint8)
            let y = try root.dataset("\(group)/labels").read(as: Int64.self)
            XCTAssertEqual(y, rows.map { Int64(labels[$0]) }, group)
            // Compared in row blocks, as a hyperslab reader would, against the IDX rows.
            for start in stride(from: 0, to: rows.count, by: 1000) {
                let block = try x.readRows(start..<min(start + 1000, rows.count), as: UInt8.self)
                let expected = rows[start..<min(start + 1000, rows.count)].flatMap { pixels[($0 * 784)..<(($0 + 1) * 784)] }
                XCTAssertTrue(block == expected, "\(group) rows \(start)… differ from the IDX source")
            }
            XCTAssertEqual(
                Dictionary(grouping: y, by: { $0 }).mapValues(\.count),
                Dictionary(uniqueKeysWithValues: (0..<10).map { (Int64($0), perClass) }))
        }
    }
}
