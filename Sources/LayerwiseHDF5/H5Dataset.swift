import CLayerwiseHDF5
import Foundation

/// A dataset in an open file. Holds its file open.
public final class H5Dataset: H5AttributeHolder {
    /// The file it is in, kept open while the dataset lives.
    public let file: H5File
    let id: hid_t
    /// Absolute path inside the file.
    public let path: String

    init(file: H5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Dclose(id) }

    /// The last component of `path`.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The dataset's dimensions.
    public var shape: [Int] {
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        // A corrupt file can store dimensions up to 2^64 - 1: clamped, so that the checked
        // products below (`elementCount`) fail instead of the conversion trapping.
        return dims.map { Int(clamping: $0) }
    }

    /// The number of elements, or nil when the product of the dimensions overflows Int
    /// (a corrupt shape).
    public var elementCount: Int? { checkedProduct(shape) }

    /// The element type stored in the file.
    public var elementType: H5ElementType {
        let t = H5Dget_type(id)
        defer { H5Tclose(t) }
        return H5ElementType(typeID: t)
    }

    /// Bytes of one element in the file (a variable-length string counts its pointer).
    public var elementSize: Int {
        let t = H5Dget_type(id)
        defer { H5Tclose(t) }
        return H5Tget_size(t)
    }

    /// Bytes the dataset occupies in the file after compression (0 before any write).
    public var storageSize: Int { Int(clamping: H5Dget_storage_size(id)) }

    /// Chunk dimensions, or nil for a contiguous dataset.
    public var chunkShape: [Int]? {
        let dcpl = H5Dget_create_plist(id)
        defer { H5Pclose(dcpl) }
        guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = Int(H5Pget_chunk(dcpl, 32, &dims))
        return rank > 0 ? dims.prefix(rank).map { Int(clamping: $0) } : nil
    }

    /// Filters in the pipeline, e.g. `["shuffle", "deflate(4)"]`.
    public var filters: [String] {
        let dcpl = H5Dget_create_plist(id)
        defer { H5Pclose(dcpl) }
        var out: [String] = []
        for i in 0..<max(H5Pget_nfilters(dcpl), 0) {
            var flags: UInt32 = 0
            var nValues = 4
            var values = [UInt32](repeating: 0, count: 4)
            var name = [CChar](repeating: 0, count: 64)
            var config: UInt32 = 0
            let f = H5Pget_filter2(dcpl, UInt32(i), &flags, &nValues, &values, 64, &name, &config)
            switch f {
            case H5Z_FILTER_DEFLATE: out.append("deflate(\(nValues > 0 ? values[0] : 0))")
            case H5Z_FILTER_SHUFFLE: out.append("shuffle")
            case H5Z_FILTER_FLETCHER32: out.append("fletcher32")
            default:
                out.append(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return out
    }

    /// Checks that this dataset's elements can become `T` without losing their meaning.
    ///
    /// HDF5 converts any number to any number, but a string is not a number, and a
    /// float read into an integer type would be silently truncated (1.7 → 1): labels
    /// stored as floats are a user's mistake to report, not to round.
    private func requireConvertible<T: H5Scalar>(to _: T.Type) throws {
        let t = elementType
        guard t.isNumeric else {
            throw H5Error(
                kind: .typeMismatch, file: file.path, object: path, message: "cannot read dataset",
                detail: "element type is \(t.rawValue), expected numbers (read as \(T.elementType.rawValue))")
        }
        if T.elementType.isInteger && !t.isInteger {
            throw H5Error(
                kind: .typeMismatch, file: file.path, object: path, message: "cannot read dataset",
                detail: "element type is \(t.rawValue), expected integers (read as \(T.elementType.rawValue))")
        }
    }

    /// The whole dataset, converted by HDF5 to `T` (a uint8 dataset reads as Float).
    public func read<T: H5Scalar>(as: T.Type) throws -> [T] {
        try requireConvertible(to: T.self)
        let n = try checkReadable(as: T.self)
        var out = [T](repeating: T(), count: n)
        guard n > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer {
            H5Dread(id, T.nativeType, lw_H5S_ALL(), lw_H5S_ALL(), lw_H5P_DEFAULT(), $0.baseAddress)
        }
        try check(status, .readFailed, file: file.path, object: path, "cannot read dataset")
        return out
    }

    /// Rows `rows` of the leading dimension (all other dimensions whole), as one
    /// hyperslab: a dataset larger than memory is read piece by piece.
    public func readRows<T: H5Scalar>(_ rows: Range<Int>, as: T.Type) throws -> [T] {
        try requireConvertible(to: T.self)
        _ = try checkReadable(rows: rows, as: T.self)
        let (file_, mem, count) = try selection(rows)
        defer { H5Sclose(file_); H5Sclose(mem) }
        var out = [T](repeating: T(), count: count)
        guard count > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer {
            H5Dread(id, T.nativeType, mem, file_, lw_H5P_DEFAULT(), $0.baseAddress)
        }
        try check(status, .readFailed, file: file.path, object: path, "cannot read rows \(rows) of dataset")
        return out
    }

    /// Rows `rows` into `out` (which holds at least their element count), converted to
    /// `T`, without allocating: how a streamed training source fills its buffers.
    public func readRows<T: H5Scalar>(_ rows: Range<Int>, into out: UnsafeMutableBufferPointer<T>) throws {
        try requireConvertible(to: T.self)
        let (file_, mem, count) = try selection(rows)
        defer { H5Sclose(file_); H5Sclose(mem) }
        guard count > 0 else { return }
        guard count <= out.count else {
            throw H5Error(
                kind: .shapeMismatch, file: file.path, object: path, message: "cannot read rows \(rows) of dataset",
                detail: "\(count) values for a buffer of \(out.count)")
        }
        let status = H5Dread(id, T.nativeType, mem, file_, lw_H5P_DEFAULT(), out.baseAddress)
        try check(status, .readFailed, file: file.path, object: path, "cannot read rows \(rows) of dataset")
    }

    /// Writes rows `rows` (all other dimensions whole).
    public func writeRows<T: H5Scalar>(_ rows: Range<Int>, _ values: [T]) throws {
        let (file_, mem, count) = try selection(rows)
        defer { H5Sclose(file_); H5Sclose(mem) }
        guard values.count == count else {
            throw H5Error(
                kind: .shapeMismatch, file: file.path, object: path, message: "cannot write rows \(rows) of dataset",
                detail: "\(values.count) values for \(count) elements")
        }
        guard count > 0 else { return }
        let status = values.withUnsafeBufferPointer {
            H5Dwrite(id, T.nativeType, mem, file_, lw_H5P_DEFAULT(), $0.baseAddress)
        }
        try check(status, .writeFailed, file: file.path, object: path, "cannot write rows \(rows) of dataset")
    }

    /// File and memory dataspaces selecting `rows`, and the element count.
    private func selection(_ rows: Range<Int>) throws -> (hid_t, hid_t, Int) {
        let dims = shape
        guard let n = dims.first, rows.lowerBound >= 0, rows.upperBound <= n else {
            throw H5Error(
                kind: .shapeMismatch, file: file.path, object: path, message: "rows out of range in dataset",
                detail: "asked for rows \(rows), the dataset has shape \(dims)")
        }
        var start = [hsize_t](repeating: 0, count: dims.count)
        start[0] = hsize_t(rows.lowerBound)
        var count = dims.map { hsize_t($0) }
        count[0] = hsize_t(rows.count)
        guard let elements = checkedProduct(count.map { Int($0) }) else {
            throw H5Error(
                kind: .tooLarge, file: file.path, object: path, message: "cannot select rows \(rows) of dataset",
                detail: "shape \(dims) has more elements than a 64-bit count holds (a corrupt file?)")
        }
        let space = H5Dget_space(id)
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, count, nil)
        let mem = H5Screate_simple(Int32(count.count), count, nil)
        return (space, mem, elements)
    }

    /// The number of elements in `rows` (all rows when nil), after checking that reading
    /// them as `T` is possible: the shape's element count fits in Int, the file is large
    /// enough to hold the data the shape claims, and the values fit the memory budget.
    /// Callers that gather many reads check the whole range first, before allocating.
    ///
    /// The file's size bounds a dataset of an input file: stored as it is, its data takes
    /// at least shape × element size bytes; deflate shrinks data at most 1032-fold. (A
    /// dataset whose data lies in other files, or compressed by filters without such a
    /// bound, is checked against the memory budget only.)
    ///
    /// - Throws: `.tooLarge` naming the file, the dataset and the sizes.
    @discardableResult
    public func checkReadable<T: H5Scalar>(rows: Range<Int>? = nil, as: T.Type) throws -> Int {
        let dims = shape
        func refuse(_ detail: String) -> H5Error {
            H5Error(kind: .tooLarge, file: file.path, object: path, message: "cannot read dataset", detail: detail)
        }
        guard let total = checkedProduct(dims) else {
            throw refuse("shape \(dims) has more elements than a 64-bit count holds (a corrupt file?)")
        }
        if file.isInput, let limit = storedLimit {
            let (bytes, overflow) = total.multipliedReportingOverflow(by: max(elementSize, 1))
            if overflow || bytes > limit {
                throw refuse(
                    "shape \(dims) of \(elementType.rawValue) claims \(overflow ? "more than 2^63" : String(bytes)) bytes, "
                        + "more than the file (\(file.size) bytes) can hold (a corrupt shape, or a dataset whose data was never written)")
            }
        }
        var count = total
        if let rows, let n = dims.first {
            // Rows outside the dataset are selection()'s error to report; inside, count ≤ total.
            let inside = rows.lowerBound >= 0 && rows.upperBound <= n
            count = inside && n > 0 ? rows.count * (total / n) : 0
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        if overflow || bytes > file.memoryBudget {
            throw refuse(
                "\(rows.map { "rows \($0) of " } ?? "")shape \(dims) as \(T.elementType.rawValue) need "
                    + "\(overflow ? "more than 2^63" : String(bytes)) bytes of memory, more than the \(file.memoryBudget) available")
        }
        return count
    }

    /// The most bytes of data the file can hold for this dataset, or nil when its size
    /// does not bound them (data in external files, or filters of unbounded ratio).
    private var storedLimit: Int? {
        let dcpl = H5Dget_create_plist(id)
        defer { H5Pclose(dcpl) }
        if H5Pget_external_count(dcpl) > 0 || H5Pget_layout(dcpl) == H5D_VIRTUAL { return nil }
        var limit = file.size
        for i in 0..<max(H5Pget_nfilters(dcpl), 0) {
            var flags: UInt32 = 0, nValues = 0, config: UInt32 = 0
            switch H5Pget_filter2(dcpl, UInt32(i), &flags, &nValues, nil, 0, nil, &config) {
            case H5Z_FILTER_SHUFFLE, H5Z_FILTER_FLETCHER32: continue
            case H5Z_FILTER_DEFLATE:
                let (l, overflow) = limit.multipliedReportingOverflow(by: 1032)
                if overflow { return nil }
                limit = l
            default: return nil
            }
        }
        _ = takeHDF5Message()
        return limit
    }
}

/// The product of `dims`, or nil when it overflows Int (or a dimension is negative).
func checkedProduct(_ dims: [Int]) -> Int? {
    var p = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (r, overflow) = p.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        p = r
    }
    return p
}
