import CLayerwiseHDF5
import Foundation

/// An attribute's value as read back: integers widen to Int64, floats to Double;
/// a scalar and a one-element array stay distinct.
public enum H5AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case strings([String])
    case int(Int64)
    case ints([Int64])
    case double(Double)
    case doubles([Double])

    /// The value as text: strings quoted, arrays in brackets.
    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .strings(let a): return "[" + a.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .int(let i): return String(i)
        case .ints(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .double(let d): return String(d)
        case .doubles(let a): return "[" + a.map { String($0) }.joined(separator: ", ") + "]"
        }
    }
}

/// Groups and datasets carry attributes: small named values (strings, numbers, 1-D
/// arrays) that describe them, read back by any HDF5 tool.
///
/// Writing an attribute that exists replaces it, whatever its old type or size.
public protocol H5AttributeHolder: AnyObject {
    var file: H5File { get }
    var path: String { get }
}

extension H5AttributeHolder {
    /// The HDF5 id of the group or dataset; the two classes are the only conformers.
    private var hid: hid_t {
        if let g = self as? H5Group { return g.id }
        if let d = self as? H5Dataset { return d.id }
        return -1
    }

    private func replacing(_ name: String, type: hid_t, space: hid_t) throws -> hid_t {
        if H5Aexists(hid, name) > 0 { H5Adelete(hid, name) }
        _ = takeHDF5Message()
        let a = H5Acreate2(hid, name, type, space, lw_H5P_DEFAULT(), lw_H5P_DEFAULT())
        return try check(a, .writeFailed, file: file.path, object: "\(path)@\(name)", "cannot create attribute")
    }

    /// A UTF-8 variable-length string attribute (replaces an existing one).
    public func setAttribute(_ name: String, _ value: String) throws {
        try setStrings(name, [value], scalar: true)
    }

    /// A 1-D array of UTF-8 variable-length strings (h5py reads it as an array of `str`).
    public func setAttribute(_ name: String, _ values: [String]) throws {
        try setStrings(name, values, scalar: false)
    }

    private func setStrings(_ name: String, _ values: [String], scalar: Bool) throws {
        let type = H5Tcopy(lw_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, lw_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        var dims = [hsize_t(values.count)]
        let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let a = try replacing(name, type: type, space: space)
        defer { H5Aclose(a) }
        let cstrings = values.map { strdup($0) }
        defer { cstrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cstrings.map { $0.map { UnsafePointer($0) } }
        let status = pointers.withUnsafeMutableBufferPointer { H5Awrite(a, type, $0.baseAddress) }
        try check(status, .writeFailed, file: file.path, object: "\(path)@\(name)", "cannot write attribute")
    }

    /// A numeric scalar attribute.
    public func setAttribute<T: H5Scalar>(_ name: String, _ value: T) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let a = try replacing(name, type: T.fileType, space: space)
        defer { H5Aclose(a) }
        let status = withUnsafePointer(to: value) { H5Awrite(a, T.nativeType, $0) }
        try check(status, .writeFailed, file: file.path, object: "\(path)@\(name)", "cannot write attribute")
    }

    /// A numeric 1-D attribute.
    public func setAttribute<T: H5Scalar>(_ name: String, _ values: [T]) throws {
        var dims = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let a = try replacing(name, type: T.fileType, space: space)
        defer { H5Aclose(a) }
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBufferPointer { H5Awrite(a, T.nativeType, $0.baseAddress) }
        try check(status, .writeFailed, file: file.path, object: "\(path)@\(name)", "cannot write attribute")
    }

    /// The names of this object's attributes, in name order.
    public func attributeNames() throws -> [String] {
        var names: [String] = []
        let n = H5Aget_num_attrs(hid)
        guard n > 0 else { _ = takeHDF5Message(); return [] }
        if file.isInput && Int(n) > file.size {
            throw H5Error(
                kind: .tooLarge, file: file.path, object: path, message: "cannot list attributes",
                detail: "it claims \(n) attributes, more than the file (\(file.size) bytes) can hold (a corrupt file?)")
        }
        for i in 0..<Int(n) {
            let a = H5Aopen_by_idx(hid, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), lw_H5P_DEFAULT(), lw_H5P_DEFAULT())
            guard a >= 0 else { _ = takeHDF5Message(); continue }
            defer { H5Aclose(a) }
            let len = H5Aget_name(a, 0, nil)
            guard len >= 0 else { _ = takeHDF5Message(); continue }
            var buf = [CChar](repeating: 0, count: Int(len) + 1)
            H5Aget_name(a, Int(len) + 1, &buf)
            names.append(String(decoding: buf.prefix(Int(len)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Reads an attribute written by Layerwise or any other HDF5 tool.
    ///
    /// Integers of any width come back as Int64 and floats as Double; a scalar and a
    /// one-element array stay distinct. Fixed-length strings (NumPy `bytes_`) read as
    /// strings too.
    ///
    /// - Throws: `.objectNotFound` for a missing attribute, `.typeMismatch` for a
    ///   compound, enum or other type with no simple value.
    public func attribute(_ name: String) throws -> H5AttributeValue {
        let object = "\(path)@\(name)"
        guard H5Aexists(hid, name) > 0 else {
            _ = takeHDF5Message()
            throw H5Error(kind: .objectNotFound, file: file.path, object: object, message: "no attribute", detail: nil)
        }
        let a = H5Aopen(hid, name, lw_H5P_DEFAULT())
        try check(a, .readFailed, file: file.path, object: object, "cannot open attribute")
        defer { H5Aclose(a) }
        let type = H5Aget_type(a)
        defer { H5Tclose(type) }
        let space = H5Aget_space(a)
        defer { H5Sclose(space) }
        let scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
        let n = Int(H5Sget_simple_extent_npoints(space))
        // An attribute's values are stored whole in the file, uncompressed: a count the
        // file cannot hold is corrupt, refused before anything is allocated.
        let (stored, overflow) = n.multipliedReportingOverflow(by: H5Tget_size(type))
        let (memory, overflow8) = n.multipliedReportingOverflow(by: max(H5Tget_size(type), 8))
        if n < 0 || overflow || overflow8 || (file.isInput && stored > file.size) || memory > file.memoryBudget {
            _ = takeHDF5Message()
            throw H5Error(
                kind: .tooLarge, file: file.path, object: object, message: "cannot read attribute",
                detail:
                    "it claims \(n) values of \(H5Tget_size(type)) bytes, more than the file (\(file.size) bytes) can hold (a corrupt file?)"
            )
        }
        let kind = H5ElementType(typeID: type)
        if kind == .string {
            let strings = try readStrings(a, type: type, count: n, object: object)
            return scalar ? .string(strings.first ?? "") : .strings(strings)
        }
        if kind.isInteger {
            var v = [Int64](repeating: 0, count: max(n, 1))
            try check(H5Aread(a, lw_H5T_NATIVE_INT64(), &v), .readFailed, file: file.path, object: object, "cannot read attribute")
            return scalar ? .int(v[0]) : .ints(Array(v.prefix(n)))
        }
        if kind.isNumeric {
            var v = [Double](repeating: 0, count: max(n, 1))
            try check(H5Aread(a, lw_H5T_NATIVE_DOUBLE(), &v), .readFailed, file: file.path, object: object, "cannot read attribute")
            return scalar ? .double(v[0]) : .doubles(Array(v.prefix(n)))
        }
        throw H5Error(kind: .typeMismatch, file: file.path, object: object, message: "unsupported attribute type", detail: nil)
    }

    private func readStrings(_ a: hid_t, type: hid_t, count: Int, object: String) throws -> [String] {
        try readStringValues(type: type, count: count) { mem, buffer in
            try check(H5Aread(a, mem, buffer), .readFailed, file: file.path, object: object, "cannot read attribute")
        }
    }
}
