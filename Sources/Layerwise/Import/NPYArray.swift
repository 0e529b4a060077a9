import Foundation

/// A NumPy `.npy` array (format versions 1.0–3.0) read whole into memory.
///
/// Only C-order little-endian numbers are accepted: a Fortran-order array would need
/// transposing, and guessing is worse than asking for `np.ascontiguousarray`.
struct NPYArray {
    /// Element types Layerwise understands, by NumPy's `descr` code.
    enum Element: String, CaseIterable {
        case uint8 = "u1"
        case int8 = "i1"
        case uint16 = "u2"
        case int16 = "i2"
        case uint32 = "u4"
        case int32 = "i4"
        case uint64 = "u8"
        case int64 = "i8"
        case float32 = "f4"
        case float64 = "f8"

        var size: Int { Int(rawValue.dropFirst()) ?? 1 }
        var isInteger: Bool { self != .float32 && self != .float64 }
    }

    let path: String
    /// Dimensions; a 0-d (scalar) array is refused.
    let shape: [Int]
    let element: Element
    /// The little-endian payload, `shape.product × element.size` bytes.
    private let payload: Data

    var count: Int { shape.reduce(1, *) }

    init(contentsOf path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(FileManager.default.fileExists(atPath: path) ? "\(path): cannot read the file" : "\(path): no such file")
        }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw InputError("\(path): not a .npy file (missing the \\x93NUMPY magic)")
        }
        // Version 1.x has a 2-byte header length, 2.x and 3.x a 4-byte one.
        let (headerLength, start): (Int, Int)
        if bytes[6] == 1 {
            (headerLength, start) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        } else {
            guard bytes.count == 12 else { throw InputError("\(path): truncated .npy header") }
            (headerLength, start) = ((0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }, 12)
        }
        guard start + headerLength <= data.count else { throw InputError("\(path): truncated .npy header") }
        let header = String(decoding: data[start..<(start + headerLength)], as: UTF8.self)
        (shape, element) = try Self.parse(header: header, path: path)
        let body = start + headerLength
        // A corrupt header can claim more elements than Int holds: multiply with a check.
        var size: Int? = element.size
        for d in shape {
            size = size.flatMap { s in
                let (p, o) = s.multipliedReportingOverflow(by: d); return o ? nil : p
            }
        }
        guard let size else {
            throw InputError("\(path): shape \(shape) holds more values than a 64-bit count (a corrupt header?)")
        }
        guard data.count - body >= size else {
            throw InputError(
                "\(path): truncated data (\(size / element.size) values of \(element.size) bytes expected, the file holds \(data.count - body) bytes)"
            )
        }
        payload = data.subdata(in: body..<(body + size))
    }

    /// `descr`, `fortran_order` and `shape` from the header's Python dict literal.
    private static func parse(header: String, path: String) throws -> ([Int], Element) {
        func field(_ key: String) -> Substring? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return header[r.upperBound...].drop { $0 == " " }
        }
        guard let d = field("descr"), d.first == "'", let end = d.dropFirst().firstIndex(of: "'") else {
            throw InputError("\(path): .npy header without descr")
        }
        let descr = d[d.index(after: d.startIndex)..<end]
        let supported = Element.allCases.map { "<" + $0.rawValue }.joined(separator: " ")
        guard let order = descr.first, let element = Element(rawValue: String(descr.dropFirst())),
            order == "<" || (order == "|" && element.size == 1)
        else {
            throw InputError("\(path): element type '\(quoted(descr))' is not supported (expected one of \(supported), little-endian)")
        }
        if field("fortran_order")?.hasPrefix("True") == true {
            throw InputError("\(path): Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead")
        }
        guard let s = field("shape"), s.first == "(", let close = s.firstIndex(of: ")") else {
            throw InputError("\(path): .npy header without shape")
        }
        let parts = s[s.index(after: s.startIndex)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let shape = parts.compactMap { Int($0) }
        guard !shape.isEmpty, shape.count == parts.count, shape.allSatisfy({ $0 > 0 }) else {
            throw InputError("\(path): unsupported shape (\(quoted(parts.joined(separator: ", ")))); expected [N, …] with N > 0")
        }
        return (shape, element)
    }

    /// Every value as `T`, converting from the stored element type through Double
    /// (exact for every float32 and for integers up to 2^53).
    func values<T>(_ convert: (Double) -> T) -> [T] {
        payload.withUnsafeBytes { raw in
            (0..<count).map { i in
                let o = i * element.size
                switch element {
                case .uint8: return convert(Double(raw.load(fromByteOffset: o, as: UInt8.self)))
                case .int8: return convert(Double(raw.load(fromByteOffset: o, as: Int8.self)))
                case .uint16: return convert(Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self))))
                case .int16: return convert(Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int16.self))))
                case .uint32: return convert(Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
                case .int32: return convert(Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int32.self))))
                case .uint64: return convert(Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))))
                case .int64: return convert(Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int64.self))))
                case .float32:
                    return convert(Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)))))
                case .float64:
                    return convert(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))))
                }
            }
        }
    }

    /// The raw bytes of a uint8 array, unconverted.
    var bytes: [UInt8] { [UInt8](payload) }
}

/// Header text shown in a message: at most 60 characters, control characters escaped (a
/// corrupt header is any bytes at all).
private func quoted<S: StringProtocol>(_ text: S) -> String {
    let cut = text.count > 60 ? String(text.prefix(59)) + "…" : String(text)
    return oneLine(cut)
}
