import Foundation
import HDF5

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
