import Foundation
import HDF5
import XCTest
@testable import Layerwise

/// `layerwise import` and `inspect`, through the real binary, and the shipped dataset.
final class DataLayerTests: XCTestCase {
    /// An IDX file: magic 00 00 08 rank, big-endian dims, uint8 payload.
    func idx(_ dims: [Int], _ payload: [UInt8], magic: [UInt8]? = nil) -> Data {
        var d = Data(magic ?? [0, 0, 8, UInt8(dims.count)])
        for n in dims { d.append(contentsOf: [24, 16, 8, 0].map { UInt8((n >> $0) & 0xff) }) }
        d.append(contentsOf: payload)
        return d
    }

    func gzip(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-kf", path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func testIDXImportPlainAndGzipRoundTrip() throws {
        let dir = try TinyData.folder(self)
        let pixels = (0..<(5 * 3 * 2)).map { UInt8($0 * 8) }
        let labels: [UInt8] = [3, 1, 4, 1, 5]
        try idx([5, 3, 2], pixels).write(to: dir.appendingPathComponent("img.idx"))
        try idx([5], labels).write(to: dir.appendingPathComponent("lab.idx"))
        try gzip(dir.appendingPathComponent("img.idx").path)
        try gzip(dir.appendingPathComponent("lab.idx").path)
        let plain = try CLI.run(["import", "idx", "img.idx", "lab.idx", "-o", "out.h5", "--group", "/train"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let gz = try CLI.run(["import", "idx", "img.idx.gz", "lab.idx.gz", "-o", "out.h5", "--group", "/test", "--append"], in: dir)
        XCTAssertEqual(gz.status, 0, gz.stderr)
        let root = try H5File.open(dir.appendingPathComponent("out.h5").path).root
        for g in ["train", "test"] {
            let images = try root.dataset("\(g)/images")
            XCTAssertEqual(images.shape, [5, 6])
            XCTAssertEqual(images.elementType, .uint8)
            XCTAssertEqual(try images.read(as: UInt8.self), pixels)
            XCTAssertEqual(try root.dataset("\(g)/labels").read(as: Int64.self), labels.map(Int64.init))
        }
        let listing = try CLI.run(["inspect", "out.h5"], in: dir)
        XCTAssertEqual(listing.status, 0)
        XCTAssertTrue(listing.stdout.contains("images  uint8 [5, 6]"), listing.stdout)
        XCTAssertTrue(listing.stdout.contains("image_shape=[3, 2]"), listing.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testCSVAndNPYImport() throws {
        let dir = try TinyData.folder(self)
        try "a,b,label\n1.5,2,0\n3,4.25,1\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", "csv", "t.csv", "--header", "--label-column", "2", "-o", "c.h5"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let c = try H5File.open(dir.appendingPathComponent("c.h5").path).root
        XCTAssertEqual(try c.dataset("train/features").read(as: Float.self), [1.5, 2, 3, 4.25])
        XCTAssertEqual(try c.dataset("train/labels").read(as: Int64.self), [0, 1])
        // A float32 .npy [2, 3] written by hand: magic, version 1.0, header, data.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        var h = header + String(repeating: " ", count: (64 - (10 + header.count + 1) % 64) % 64) + "\n"
        if (10 + h.count) % 64 != 0 { h = header + "\n" }
        var npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.utf8.count & 0xff), UInt8(h.utf8.count >> 8)])
        npy.append(contentsOf: Array(h.utf8))
        for v in [Float(1), 2, 3, 4, 5, 6.5] { withUnsafeBytes(of: v.bitPattern.littleEndian) { npy.append(contentsOf: $0) } }
        try npy.write(to: dir.appendingPathComponent("a.npy"))
        let n = try CLI.run(["import", "npy", "a.npy", "-o", "n.h5"], in: dir)
        XCTAssertEqual(n.status, 0, n.stderr)
        let ds = try H5File.open(dir.appendingPathComponent("n.h5").path).root.dataset("train/features")
        XCTAssertEqual(ds.shape, [2, 3])
        XCTAssertEqual(try ds.read(as: Float.self), [1, 2, 3, 4, 5, 6.5])
    }

    /// Each bad input: exit 2, exactly one `error:` line naming the file, no output file.
    func testBadInputs() throws {
        let dir = try TinyData.folder(self)
        try idx([4, 2, 2], [UInt8](repeating: 1, count: 16)).write(to: dir.appendingPathComponent("img.idx"))
        try idx([3], [0, 1, 2]).write(to: dir.appendingPathComponent("three.idx"))
        try idx([4], [0, 1, 2, 3], magic: [0, 0, 0x0d, 1]).write(to: dir.appendingPathComponent("float.idx"))
        try idx([4, 2, 2], [1, 2, 3]).write(to: dir.appendingPathComponent("short.idx"))
        try "not hdf5".write(to: dir.appendingPathComponent("text.h5"), atomically: true, encoding: .utf8)
        let whole = try Data(contentsOf: URL(fileURLWithPath: TinyData.shipped))
        try whole.prefix(whole.count / 3).write(to: dir.appendingPathComponent("cut.h5"))
        let cases: [([String], String)] = [
            (["import", "idx", "missing.idx", "three.idx", "-o", "o.h5"], "missing.idx"),
            (["import", "idx", "img.idx", "three.idx", "-o", "o.h5"], "3 labels for 4 images"),
            (["import", "idx", "img.idx", "float.idx", "-o", "o.h5"], "magic number 00 00 0d 01"),
            (["import", "idx", "short.idx", "three.idx", "-o", "o.h5"], "truncated"),
            (["inspect", "text.h5"], "not an HDF5 file"),
            (["inspect", "nothing.h5"], "nothing.h5: no such file"),
            (["inspect", "cut.h5"], "cut.h5"),
        ]
        for (args, mention) in cases {
            let r = try CLI.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(mention), "\(args): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.h5").path), "\(args)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }, [])
    }

    /// The shipped subset holds exactly the pixels and labels of the IDX source rows it names.
    func testShippedDatasetMatchesTheIDXSource() throws {
        let src = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: src) else { throw XCTSkip("dataset-fashion-mnist not installed") }
        let root = try H5File.open(TinyData.shipped).root
        for (group, prefix, count) in [("train", "train", 5000), ("test", "t10k", 1000)] {
            let (_, pixels) = try IDXImporter.read("\(src)/\(prefix)-images-idx3-ubyte.gz", expectedRank: 3)
            let (_, labels) = try IDXImporter.read("\(src)/\(prefix)-labels-idx1-ubyte.gz", expectedRank: 1)
            let rows = try root.dataset("\(group)/source_index").read(as: Int64.self).map(Int.init)
            let x = try root.dataset("\(group)/images").read(as: UInt8.self)
            let y = try root.dataset("\(group)/labels").read(as: Int64.self)
            XCTAssertEqual(rows.count, count)
            XCTAssertEqual(y, rows.map { Int64(labels[$0]) }, group)
            var expected: [UInt8] = []
            for r in rows { expected += pixels[(r * 784)..<((r + 1) * 784)] }
            XCTAssertTrue(x == expected, "\(group) pixels differ from the IDX source")
            XCTAssertEqual(Dictionary(grouping: y, by: { $0 }).mapValues(\.count).values.sorted(), Array(repeating: count / 10, count: 10))
        }
    }
}
