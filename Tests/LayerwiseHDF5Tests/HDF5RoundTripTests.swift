import Foundation
import XCTest
@testable import LayerwiseHDF5

/// Write → read round trips of every element type, rank, layout and attribute kind.
final class HDF5RoundTripTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("h5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func roundTrip<T: H5Scalar & Equatable>(_ type: T.Type, _ make: (Int) -> T, line: UInt = #line) throws {
        let shapes = [[7], [3, 5], [2, 3, 4], [2, 2, 3, 2]]
        let file = path("\(T.self).h5")
        do {
            let root = try H5File.create(file).root
            for (i, shape) in shapes.enumerated() {
                let values = (0..<shape.reduce(1, *)).map(make)
                try root.write("plain_\(i)", values, shape: shape)
                try root.write("nested/gzip_\(i)", values, shape: shape, compression: 6)
            }
        }
        let root = try H5File.open(file).root
        for (i, shape) in shapes.enumerated() {
            let values = (0..<shape.reduce(1, *)).map(make)
            for name in ["plain_\(i)", "nested/gzip_\(i)"] {
                let ds = try root.dataset(name)
                XCTAssertEqual(ds.shape, shape, name, line: line)
                XCTAssertEqual(ds.elementType, T.elementType, name, line: line)
                XCTAssertEqual(try ds.read(as: T.self), values, name, line: line)
                let rowWidth = shape.dropFirst().reduce(1, *)
                let rows = try ds.readRows(1..<shape[0], as: T.self)
                XCTAssertEqual(rows, Array(values[rowWidth...]), "\(name) rows", line: line)
            }
        }
        XCTAssertNil(try root.dataset("plain_1").chunkShape)
        XCTAssertEqual(try root.dataset("plain_1").filters, [])
        XCTAssertEqual(try root.dataset("nested/gzip_1").chunkShape, [3, 5])
        XCTAssertEqual(try root.dataset("nested/gzip_1").filters, ["shuffle", "deflate(6)"])
    }

    func testEveryElementTypeAndRank() throws {
        try roundTrip(UInt8.self) { UInt8($0 % 256) }
        try roundTrip(Int8.self) { Int8($0 % 100 - 50) }
        try roundTrip(UInt16.self) { UInt16($0 * 300 % 65_536) }
        try roundTrip(Int16.self) { Int16($0 * 300 % 30_000 - 15_000) }
        try roundTrip(Int32.self) { Int32($0 * 100_003 - 2_000_000) }
        try roundTrip(UInt32.self) { UInt32($0 * 100_003) }
        try roundTrip(Int64.self) { Int64($0) * 10_000_000_019 - 5 }
        try roundTrip(UInt64.self) { UInt64($0) * 10_000_000_019 }
        try roundTrip(Float.self) { Float($0) * 0.37 - 3 }
        try roundTrip(Double.self) { Double($0) * 1e-300 + Double($0) }
    }

    /// `chunked: true` without compression: chunked by rows, no filters, same values.
    func testChunkedWithoutCompression() throws {
        let file = path("chunked.h5")
        let values = (0..<(300 * 7)).map { Float($0) }
        try H5File.create(file).root.write("x", values, shape: [300, 7], chunked: true)
        let ds = try H5File.open(file).root.dataset("x")
        XCTAssertEqual(ds.chunkShape, [300, 7])
        XCTAssertEqual(ds.filters, [])
        XCTAssertEqual(try ds.readRows(123..<125, as: Float.self), Array(values[(123 * 7)..<(125 * 7)]))
    }

    /// Child objects keep their file open after the caller drops the file handle.
    func testChildrenKeepTheirFileAlive() throws {
        let file = path("alive.h5")
        let ds: H5Dataset = try {
            let root = try H5File.create(file).root
            return try root.createGroup("a/b").write("x", [1, 2, 3] as [Int32], shape: [3])
        }()
        XCTAssertEqual(try ds.read(as: Int32.self), [1, 2, 3])
        XCTAssertEqual(ds.path, "/a/b/x")
        XCTAssertEqual(ds.name, "x")
    }

    func testTypeConversionOnRead() throws {
        let file = path("conv.h5")
        try H5File.create(file).root.write("u8", [0, 128, 255] as [UInt8], shape: [3])
        XCTAssertEqual(try H5File.open(file).root.dataset("u8").read(as: Float.self), [0, 128, 255])
    }

    func testAttributesOnGroupsAndDatasets() throws {
        let file = path("attrs.h5")
        do {
            let root = try H5File.create(file).root
            let g = try root.createGroup("a/b/c")
            try g.setAttribute("name", "Ünïcode ✓")
            try g.setAttribute("count", Int64(42))
            try g.setAttribute("ratio", 0.25)
            try g.setAttribute("sizes", [Int32(1), 2, 3])
            try g.setAttribute("weights", [Float(0.5), 1.5])
            try g.setAttribute("tags", ["x", "yy"])
            try g.setAttribute("count", Int64(43))  // replaces
            let ds = try g.write("d", [1, 2] as [Float], shape: [2])
            try ds.setAttribute("activation", "relu")
        }
        let g = try H5File.open(file).root.group("/a/b/c")
        XCTAssertEqual(try g.attribute("name"), .string("Ünïcode ✓"))
        XCTAssertEqual(try g.attribute("count"), .int(43))
        XCTAssertEqual(try g.attribute("ratio"), .double(0.25))
        XCTAssertEqual(try g.attribute("sizes"), .ints([1, 2, 3]))
        XCTAssertEqual(try g.attribute("weights"), .doubles([0.5, 1.5]))
        XCTAssertEqual(try g.attribute("tags"), .strings(["x", "yy"]))
        XCTAssertEqual(Set(try g.attributeNames()), ["name", "count", "ratio", "sizes", "weights", "tags"])
        XCTAssertEqual(try g.dataset("d").attribute("activation"), .string("relu"))
        XCTAssertThrowsError(try g.attribute("nope"))
    }

    func testListingAndExistence() throws {
        let file = path("list.h5")
        let root = try H5File.create(file).root
        try root.createGroup("g1/inner")
        try root.write("data", [1, 2, 3] as [Int64], shape: [3])
        try root.write("empty", [] as [Float], shape: [0])
        let kids = try root.children()
        XCTAssertEqual(kids.map(\.name), ["data", "empty", "g1"])
        XCTAssertEqual(kids.map(\.kind), [.dataset, .dataset, .group])
        XCTAssertTrue(root.exists("g1/inner"))
        XCTAssertFalse(root.exists("g1/missing/deeper"))
        XCTAssertEqual(try root.dataset("empty").shape, [0])
        XCTAssertEqual(try root.dataset("empty").read(as: Float.self), [])
    }

    func testRowWrites() throws {
        let file = path("rows.h5")
        do {
            let ds = try H5File.create(file).root.createDataset("x", of: Float.self, shape: [4, 3], chunkRows: 2, compression: 4)
            try ds.writeRows(0..<2, [1, 2, 3, 4, 5, 6])
            try ds.writeRows(2..<4, [7, 8, 9, 10, 11, 12])
            XCTAssertThrowsError(try ds.writeRows(3..<5, [Float](repeating: 0, count: 6)))
        }
        XCTAssertEqual(try H5File.open(file).root.dataset("x").read(as: Float.self), (1...12).map(Float.init))
    }
}
