import CLayerwiseHDF5

/// A group in an open file. Holds its file open.
public final class H5Group: H5AttributeHolder {
    /// The file it is in, kept open while the group lives.
    public let file: H5File
    let id: hid_t
    /// Absolute path inside the file.
    public let path: String

    init(file: H5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Gclose(id) }

    /// An existing group (path relative to this group, or absolute).
    ///
    /// - Throws: `.objectNotFound` naming the file and the full path, with HDF5's reason.
    public func group(_ name: String) throws -> H5Group {
        let full = joinPath(path, name)
        guard exists(name) else {
            let leaf = name.split(separator: "/").last.map(String.init) ?? name
            throw H5Error(
                kind: .objectNotFound, file: file.path, object: full, message: "cannot open group",
                detail: "object '\(leaf)' doesn't exist")
        }
        let g = H5Gopen2(id, name, lw_H5P_DEFAULT())
        try check(g, .objectNotFound, file: file.path, object: full, "cannot open group")
        return H5Group(file: file, id: g, path: full)
    }

    /// The group at `name`, created with any missing intermediate groups.
    ///
    /// An existing group is returned as it is, so "make sure it exists" needs no check
    /// first (and may ignore the result).
    @discardableResult
    public func createGroup(_ name: String) throws -> H5Group {
        if exists(name) { return try group(name) }
        let full = joinPath(path, name)
        let lcpl = H5Pcreate(lw_H5P_LINK_CREATE())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let g = H5Gcreate2(id, name, lcpl, lw_H5P_DEFAULT(), lw_H5P_DEFAULT())
        try check(g, .createFailed, file: file.path, object: full, "cannot create group")
        return H5Group(file: file, id: g, path: full)
    }

    /// An existing dataset.
    public func dataset(_ name: String) throws -> H5Dataset {
        let full = joinPath(path, name)
        guard exists(name) else {
            let leaf = name.split(separator: "/").last.map(String.init) ?? name
            throw H5Error(
                kind: .objectNotFound, file: file.path, object: full, message: "cannot open dataset",
                detail: "object '\(leaf)' doesn't exist")
        }
        let d = H5Dopen2(id, name, lw_H5P_DEFAULT())
        try check(d, .objectNotFound, file: file.path, object: full, "cannot open dataset (is it a group?)")
        return H5Dataset(file: file, id: d, path: full)
    }

    /// Whether a link exists at `name`, checking every level of a nested path.
    public func exists(_ name: String) -> Bool {
        var prefix = name.hasPrefix("/") ? "/" : ""
        for part in name.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            let r = H5Lexists(id, prefix, lw_H5P_DEFAULT())
            if r <= 0 { _ = takeHDF5Message(); return false }
        }
        return true
    }

    /// The members of this group, in name order.
    public func children() throws -> [(name: String, kind: H5ObjectKind)] {
        var info = H5G_info_t()
        try check(H5Gget_info(id, &info), .readFailed, file: file.path, object: path, "cannot list group")
        // Every link takes bytes of the file: a count beyond its size is corrupt (and would
        // otherwise be looped over, 2^60 times).
        if file.isInput && info.nlinks > UInt64(max(file.size, 0)) {
            throw H5Error(
                kind: .tooLarge, file: file.path, object: path, message: "cannot list group",
                detail: "it claims \(info.nlinks) members, more than the file (\(file.size) bytes) can hold (a corrupt file?)")
        }
        var out: [(String, H5ObjectKind)] = []
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, lw_H5P_DEFAULT())
            guard n >= 0 else { _ = takeHDF5Message(); continue }
            var buf = [CChar](repeating: 0, count: Int(n) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, lw_H5P_DEFAULT())
            let name = String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let o = H5Oopen(id, name, lw_H5P_DEFAULT())
            var kind = H5ObjectKind.other
            if o >= 0 {
                switch H5Iget_type(o) {
                case H5I_GROUP: kind = .group
                case H5I_DATASET: kind = .dataset
                default: kind = .other
                }
                H5Oclose(o)
            } else {
                _ = takeHDF5Message()
            }
            out.append((name, kind))
        }
        return out
    }

    /// Which group this is, whatever path reached it (nil if HDF5 cannot tell): a walk
    /// over a file's groups keeps these to visit each group once, as a hard link back to
    /// a parent or a soft link to "/" would otherwise make it endless.
    public var identity: String? {
        var fileno: UInt = 0
        var key = [UInt8](repeating: 0, count: 16)
        guard lw_object_key(id, &fileno, &key) == 0 else { _ = takeHDF5Message(); return nil }
        return "\(fileno):" + key.map { String($0, radix: 16) }.joined(separator: ".")
    }

    /// Writes `values` as a new dataset of `shape` (row-major). With `compression`
    /// (gzip level 1–9) the dataset is chunked by rows with shuffle + deflate.
    @discardableResult
    public func write<T: H5Scalar>(
        _ name: String, _ values: [T], shape: [Int], chunked: Bool = false,
        compression: Int? = nil
    ) throws -> H5Dataset {
        let full = joinPath(path, name)
        guard values.count == shape.reduce(1, *) else {
            throw H5Error(
                kind: .shapeMismatch, file: file.path, object: full, message: "cannot write dataset",
                detail: "\(values.count) values for shape \(shape)")
        }
        let ds = try createDataset(
            name, of: T.self, shape: shape,
            chunkRows: (chunked || compression != nil) ? nil : 0, compression: compression)
        if !values.isEmpty {
            let status = values.withUnsafeBufferPointer {
                H5Dwrite(ds.id, T.nativeType, lw_H5S_ALL(), lw_H5S_ALL(), lw_H5P_DEFAULT(), $0.baseAddress)
            }
            try check(status, .writeFailed, file: file.path, object: full, "cannot write dataset")
        }
        return ds
    }

    /// Creates an empty dataset to fill with `writeRows`. `chunkRows`: rows per chunk
    /// (nil = about 1 MiB per chunk; 0 = contiguous); `compression`: gzip level.
    public func createDataset<T: H5Scalar>(
        _ name: String, of: T.Type, shape: [Int], chunkRows: Int?,
        compression: Int?
    ) throws -> H5Dataset {
        let full = joinPath(path, name)
        let dims = shape.map { hsize_t(max($0, 0)) }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        try check(space, .createFailed, file: file.path, object: full, "cannot create dataspace for")
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(lw_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        let total = shape.reduce(1, *)
        if chunkRows != 0, total > 0, let rows = shape.first {
            let rowElems = max(shape.dropFirst().reduce(1, *), 1)
            let perChunk = chunkRows ?? max(1, (1 << 20) / (rowElems * MemoryLayout<T>.size))
            var chunk = dims
            chunk[0] = hsize_t(min(max(perChunk, 1), rows))
            H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
            if let level = compression {
                H5Pset_shuffle(dcpl)
                H5Pset_deflate(dcpl, UInt32(min(max(level, 0), 9)))
            }
        }
        let lcpl = H5Pcreate(lw_H5P_LINK_CREATE())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let d = H5Dcreate2(id, name, T.fileType, space, lcpl, dcpl, lw_H5P_DEFAULT())
        try check(d, .createFailed, file: file.path, object: full, "cannot create dataset")
        return H5Dataset(file: file, id: d, path: full)
    }
}
