import Foundation
import XCTest
@testable import LayerwiseHDF5

/// Failures name the file and object and carry HDF5's own message.
final class HDF5ErrorTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory

    func expect(_ kind: H5Error.Kind, _ mentions: [String], line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { error in
            guard let e = error as? H5Error else { return XCTFail("not an H5Error: \(error)", line: line) }
            XCTAssertEqual(e.kind, kind, e.description, line: line)
            for m in mentions { XCTAssertTrue(e.description.contains(m), "'\(m)' not in: \(e.description)", line: line) }
        }
    }

    func testMissingFile() {
        expect(.fileNotFound, ["nope.h5", "no such file"]) { _ = try H5File.open("/tmp/nope.h5") }
    }

    func testNotHDF5() throws {
        let p = dir.appendingPathComponent("text-\(UUID()).h5").path
        try "hello".write(toFile: p, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: p) }
        expect(.notHDF5, [p, "not an HDF5 file"]) { _ = try H5File.open(p) }
    }

    func testTruncatedFile() throws {
        let p = dir.appendingPathComponent("full-\(UUID()).h5").path
        let t = dir.appendingPathComponent("cut-\(UUID()).h5").path
        defer { try? FileManager.default.removeItem(atPath: p); try? FileManager.default.removeItem(atPath: t) }
        try H5File.create(p).root.write("x", [Float](repeating: 1, count: 50_000), shape: [50_000])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: t))
        XCTAssertThrowsError(
            try {
                let f = try H5File.open(t); _ = try f.root.dataset("x").read(as: Float.self)
            }()
        ) { error in
            XCTAssertTrue("\(error)".contains(t), "\(error)")
        }
    }

    func testMissingDatasetCarriesHDF5Message() throws {
        let p = dir.appendingPathComponent("m-\(UUID()).h5").path
        defer { try? FileManager.default.removeItem(atPath: p) }
        try H5File.create(p).root.createGroup("train")
        expect(.objectNotFound, [p, "/train/lables", "doesn't exist"]) { _ = try H5File.open(p).root.dataset("/train/lables") }
    }

    func testStringAttributeIsNotNumbers() throws {
        let p = dir.appendingPathComponent("s-\(UUID()).h5").path
        defer { try? FileManager.default.removeItem(atPath: p) }
        try H5File.create(p).root.write("x", [1, 2] as [Int32], shape: [2])
        expect(.shapeMismatch, ["x", "rows"]) { _ = try H5File.open(p).root.dataset("x").readRows(1..<5, as: Float.self) }
        expect(.shapeMismatch, ["3 values"]) { try H5File.create(p).root.write("y", [1, 2, 3] as [Float], shape: [2, 2]) }
    }

    /// Floats where integers are required (labels) are refused rather than truncated;
    /// the message names the file, dataset and both types.
    func testFloatsReadAsIntegersAreATypeMismatch() throws {
        let p = dir.appendingPathComponent("f-\(UUID()).h5").path
        defer { try? FileManager.default.removeItem(atPath: p) }
        try H5File.create(p).root.write("train/labels", [0, 1.7, 2] as [Float], shape: [3])
        let labels = try H5File.open(p).root.dataset("train/labels")
        expect(.typeMismatch, [p, "/train/labels", "float32", "expected integers"]) { _ = try labels.read(as: Int64.self) }
        expect(.typeMismatch, [p, "/train/labels"]) { _ = try labels.readRows(0..<1, as: UInt8.self) }
        // Integers widen to floats and to wider integers without loss: allowed.
        XCTAssertEqual(try labels.read(as: Double.self), [0, Double(Float(1.7)), 2])
    }
}
