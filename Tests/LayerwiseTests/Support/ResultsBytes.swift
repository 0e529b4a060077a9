import Foundation
import LayerwiseHDF5
import XCTest

/// Every dataset of a results file (or of some of its groups) as raw element bytes, for
/// "bit for bit the same run" comparisons.
enum ResultsBytes {
    static func bytes<T: H5Scalar>(_ d: H5Dataset, _: T.Type) throws -> [UInt8] {
        try d.read(as: T.self).withUnsafeBytes { Array($0) }
    }

    /// `path → bytes` of every numeric dataset under `groups` of the file at `path`.
    static func of(_ path: String, groups: [String]) throws -> [String: [UInt8]] {
        let root = try H5File.open(path).root
        var out: [String: [UInt8]] = [:]
        func walk(_ g: H5Group, _ prefix: String) throws {
            for (name, kind) in try g.children() {
                let p = prefix + "/" + name
                switch kind {
                case .group: try walk(try g.group(name), p)
                case .dataset:
                    let d = try g.dataset(name)
                    switch d.elementType {
                    case .float32: out[p] = try bytes(d, Float.self)
                    case .float64: out[p] = try bytes(d, Double.self)
                    case .int64: out[p] = try bytes(d, Int64.self)
                    case .int32: out[p] = try bytes(d, Int32.self)
                    case .uint8: out[p] = try bytes(d, UInt8.self)
                    default: out[p] = Array("\(d.elementType) \(d.shape)".utf8)
                    }
                default: break
                }
            }
        }
        for g in groups where root.exists(g) { try walk(try root.group(g), g) }
        return out
    }
}

extension ResultsBytes {
    /// The files at `a` and `b` hold the same datasets under `groups`, byte for byte, and
    /// `a` holds each of `present` (so an empty comparison cannot pass).
    static func assertSame(
        _ a: String, _ b: String, groups: [String], present: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let x = try of(a, groups: groups), y = try of(b, groups: groups)
        for p in present { XCTAssertNotNil(x[p], "\(p) written", file: file, line: line) }
        XCTAssertEqual(Set(x.keys), Set(y.keys), file: file, line: line)
        for (k, v) in x.sorted(by: { $0.key < $1.key }) { XCTAssertTrue(y[k] == v, "\(k) differs", file: file, line: line) }
    }
}
