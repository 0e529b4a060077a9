import CLayerwiseHDF5
import Foundation

// 1-D datasets of UTF-8 variable-length strings (h5py reads them as arrays of `bytes`,
// `.asstr()` as `str`; MATLAB's h5read as a cell array), and removing a link.

extension H5Group {
    /// Writes `values` as a new 1-D dataset of UTF-8 variable-length strings.
    @discardableResult
    public func write(_ name: String, strings values: [String]) throws -> H5Dataset {
        let full = joinPath(path, name)
        let type = H5Tcopy(lw_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, lw_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        var dims = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dims, nil)
        try check(space, .createFailed, file: file.path, object: full, "cannot create dataspace for")
        defer { H5Sclose(space) }
        let d = H5Dcreate2(id, name, type, space, lw_H5P_DEFAULT(), lw_H5P_DEFAULT(), lw_H5P_DEFAULT())
        try check(d, .createFailed, file: file.path, object: full, "cannot create dataset")
        let ds = H5Dataset(file: file, id: d, path: full)
        guard !values.isEmpty else { return ds }
        let cstrings = values.map { strdup($0) }
        defer { cstrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cstrings.map { $0.map { UnsafePointer($0) } }
        let status = pointers.withUnsafeMutableBufferPointer {
            H5Dwrite(d, type, lw_H5S_ALL(), lw_H5S_ALL(), lw_H5P_DEFAULT(), $0.baseAddress)
        }
        try check(status, .writeFailed, file: file.path, object: full, "cannot write dataset")
        return ds
    }

    /// Removes the link `name` (a dataset or group) from this group.
    public func remove(_ name: String) throws {
        try check(
            H5Ldelete(id, name, lw_H5P_DEFAULT()), .writeFailed, file: file.path, object: joinPath(path, name), "cannot remove")
    }
}

extension H5Dataset {
    /// A 1-D dataset of strings (variable-length or fixed-length, as NumPy's `bytes_`).
    public func readStrings() throws -> [String] {
        guard elementType == .string else {
            throw H5Error(
                kind: .typeMismatch, file: file.path, object: path, message: "cannot read dataset",
                detail: "element type is \(elementType.rawValue), expected strings")
        }
        guard shape.count == 1, let n = shape.first else {
            throw H5Error(
                kind: .shapeMismatch, file: file.path, object: path, message: "cannot read dataset",
                detail: "shape \(shape), expected one string per row [N]")
        }
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        let size = H5Tget_size(type)
        if file.isInput && n.multipliedReportingOverflow(by: max(size, 1)).partialValue > file.size * 64 {
            throw H5Error(
                kind: .tooLarge, file: file.path, object: path, message: "cannot read dataset",
                detail: "it claims \(n) strings, more than the file (\(file.size) bytes) can hold (a corrupt file?)")
        }
        return try readStringValues(type: type, count: n) { mem, buffer in
            try check(
                H5Dread(id, mem, lw_H5S_ALL(), lw_H5S_ALL(), lw_H5P_DEFAULT(), buffer), .readFailed, file: file.path,
                object: path, "cannot read dataset")
        }
    }
}

/// `count` strings of the file type `type` (variable-length, or fixed-length NUL-padded),
/// read by `read(memoryType, buffer)`: a dataset's `H5Dread` or an attribute's `H5Aread`.
func readStringValues(
    type: hid_t, count: Int, _ read: (hid_t, UnsafeMutableRawPointer) throws -> Void
) throws -> [String] {
    if H5Tis_variable_str(type) > 0 {
        let mem = H5Tcopy(lw_H5T_C_S1())
        defer { H5Tclose(mem) }
        H5Tset_size(mem, lw_H5T_VARIABLE())
        H5Tset_cset(mem, H5Tget_cset(type))
        var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(count, 1))
        try ptrs.withUnsafeMutableBytes { try read(mem, $0.baseAddress!) }
        defer { ptrs.forEach { if let p = $0 { H5free_memory(p) } } }
        return ptrs.prefix(count).map { $0.map { String(cString: $0) } ?? "" }
    }
    let size = H5Tget_size(type)
    var buf = [UInt8](repeating: 0, count: size * max(count, 1))
    try buf.withUnsafeMutableBytes { try read(type, $0.baseAddress!) }
    return (0..<count).map { i in String(decoding: buf[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }, as: UTF8.self) }
}
