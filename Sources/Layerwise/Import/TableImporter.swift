import Foundation
import HDF5

/// Imports numeric tables: CSV and NumPy `.npy` files, to `/<group>/features` float32
/// `[N, D]` (uint8 kept as uint8) and optional `/<group>/labels` int64 `[N]`.
public enum TableImporter {
    /// A CSV of numbers, one row per sample; `labelColumn` (0-based) is split off as labels.
    public static func importCSV(_ path: String, labelColumn: Int?, header: Bool, output: String, group: String,
                                 append: Bool) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("\(path): cannot read the CSV file")
        }
        var rows: [[Float]] = []
        var labels: [Int64] = []
        var width: Int?
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() where !(header && i == 0) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count == 1 && cells[0].isEmpty { continue }
            var values: [Float] = []
            for (c, cell) in cells.enumerated() {
                if c == labelColumn {
                    guard let l = Int64(cell) else { throw InputError("\(path): line \(i + 1), column \(c + 1): label '\(cell)' is not an integer") }
                    labels.append(l)
                } else {
                    guard let v = Float(cell), v.isFinite else { throw InputError("\(path): line \(i + 1), column \(c + 1): '\(cell)' is not a finite number") }
                    values.append(v)
                }
            }
            if let labelColumn, labelColumn >= cells.count {
                throw InputError("\(path): line \(i + 1) has \(cells.count) columns, no label column \(labelColumn)")
            }
            if let w = width, w != values.count {
                throw InputError("\(path): line \(i + 1) has \(values.count) features, earlier lines \(w)")
            }
            width = values.count
            rows.append(values)
        }
        guard let w = width, !rows.isEmpty else { throw InputError("\(path): no data rows") }
        return try ImportOutput(destination: output, group: group, append: append).write(features: { g in
            try g.write("features", rows.flatMap { $0 }, shape: [rows.count, w], compression: 4)
            try g.setAttribute("source", path)
        }, labels: labelColumn == nil ? nil : labels)
    }

    /// A `.npy` array (format 1.0–3.0, C order, `<f4` `<f8` `|u1` `<i4` `<i8`), rank ≥ 1
    /// (rank 1 becomes `[N, 1]`; higher ranks flatten to `[N, D]`); optional labels `.npy`.
    public static func importNPY(_ path: String, labels: String?, output: String, group: String, append: Bool) throws -> String {
        let (shape, values) = try readNPY(path)
        var labelValues: [Int64]? = nil
        if let labels {
            let (lshape, lv) = try readNPY(labels)
            guard lshape.count == 1, lshape[0] == shape[0] else {
                throw InputError("\(labels): expected \(shape[0]) labels of shape [N], got \(lshape)")
            }
            guard lv.allSatisfy({ $0 == $0.rounded() }) else { throw InputError("\(labels): labels must be integers") }
            labelValues = lv.map { Int64($0) }
        }
        let n = shape[0], d = shape.dropFirst().reduce(1, *)
        return try ImportOutput(destination: output, group: group, append: append).write(features: { g in
            try g.write("features", values.map(Float.init), shape: [n, d], compression: 4)
            try g.setAttribute("source", path)
        }, labels: labelValues)
    }

    static func readNPY(_ path: String) throws -> ([Int], [Double]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path): no such file") }
        let bytes = [UInt8](data)
        guard bytes.count > 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw InputError("\(path): not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int, start: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        } else {
            guard bytes.count > 12 else { throw InputError("\(path): truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }; start = 12
        }
        guard start + headerLength <= bytes.count else { throw InputError("\(path): truncated .npy header") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let q1 = descrField.firstIndex(of: "'"),
              let q2 = descrField[descrField.index(after: q1)...].firstIndex(of: "'") else {
            throw InputError("\(path): .npy header without descr")
        }
        let descr = String(descrField[descrField.index(after: q1)..<q2])
        if field("fortran_order")?.hasPrefix("True") == true {
            throw InputError("\(path): Fortran-order arrays are not supported; save with np.ascontiguousarray(a)")
        }
        guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("),
              let close = shapeField.firstIndex(of: ")") else { throw InputError("\(path): .npy header without shape") }
        let shape = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else { throw InputError("\(path): unsupported shape \(shape)") }
        let count = shape.reduce(1, *)
        let body = start + headerLength
        let size: Int
        switch descr {
        case "<f4", "<i4": size = 4
        case "<f8", "<i8": size = 8
        case "|u1", "<u1": size = 1
        default: throw InputError("\(path): element type '\(descr)' is not supported (use <f4, <f8, |u1, <i4, <i8)")
        }
        guard bytes.count >= body + count * size else { throw InputError("\(path): truncated data (\(count) values of \(size) bytes expected)") }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress! + body
            for i in 0..<count {
                switch descr {
                case "<f4": values[i] = Double(Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                case "<f8": values[i] = Double(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                case "<i4": values[i] = Double(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                case "<i8": values[i] = Double(Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                default: values[i] = Double(p.load(fromByteOffset: i, as: UInt8.self))
                }
            }
        }
        if shape.count == 1 { return ([shape[0], 1], values) }
        return (shape, values)
    }
}
