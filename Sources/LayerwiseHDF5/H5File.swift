import CLayerwiseHDF5
import Foundation

/// How `H5File.open` opens a file: read-only (an input) or for reading and writing.
public enum H5Mode: Sendable { case readOnly, readWrite }

/// An open HDF5 file; closed when the last reference to it (or to any group or
/// dataset inside it) goes away.
public final class H5File {
    /// The path the file was opened or created at, as given.
    public let path: String
    let id: hid_t
    /// Opened read-only: an input, whose sizes (shapes, counts) come from the file and are
    /// checked against its size before anything is allocated (see `H5Dataset.checkReadable`).
    let isInput: Bool
    /// The most bytes one read from this file may allocate (`open`'s `memoryBudget`). A
    /// shape or count comes from the file; a corrupt one must fail as an error naming the
    /// object, not as an attempt to allocate 10^15 bytes.
    public let memoryBudget: Int

    /// The machine's memory in bytes: the default `memoryBudget`.
    public static let physicalMemory = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    private init(path: String, id: hid_t, isInput: Bool, memoryBudget: Int = H5File.physicalMemory) {
        self.path = path
        self.id = id
        self.isInput = isInput
        self.memoryBudget = memoryBudget
    }

    /// The file's size in bytes (0 if HDF5 cannot tell).
    public var size: Int {
        var n: hsize_t = 0
        guard H5Fget_filesize(id, &n) >= 0 else { _ = takeHDF5Message(); return 0 }
        return Int(clamping: n)
    }

    deinit { H5Fclose(id) }

    /// Opens an existing file. Distinguishes a missing file, a file that is not HDF5,
    /// and one HDF5 cannot open (truncated, corrupt).
    public static func open(_ path: String, mode: H5Mode = .readOnly, memoryBudget: Int = H5File.physicalMemory) throws -> H5File {
        _ = h5Initialized
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw H5Error(kind: .fileNotFound, file: path, object: nil, message: "no such file", detail: nil)
        }
        if isFolder.boolValue {
            throw H5Error(kind: .notHDF5, file: path, object: nil, message: "is a folder, not an HDF5 file", detail: nil)
        }
        let isHDF5 = H5Fis_hdf5(path)
        _ = takeHDF5Message()
        if isHDF5 == 0 {
            throw H5Error(kind: .notHDF5, file: path, object: nil, message: "not an HDF5 file", detail: nil)
        }
        let flags = mode == .readOnly ? lw_H5F_ACC_RDONLY() : lw_H5F_ACC_RDWR()
        let id = H5Fopen(path, flags, lw_H5P_DEFAULT())
        if id < 0 {
            let detail = takeHDF5Message()
            throw H5Error(
                kind: isHDF5 < 0 ? .notHDF5 : .openFailed, file: path, object: nil,
                message: "cannot open (truncated or corrupt HDF5 file?)", detail: detail)
        }
        return H5File(path: path, id: id, isInput: mode == .readOnly, memoryBudget: memoryBudget)
    }

    /// Creates a file, replacing any existing one.
    public static func create(_ path: String) throws -> H5File {
        _ = h5Initialized
        let id = H5Fcreate(path, lw_H5F_ACC_TRUNC(), lw_H5P_DEFAULT(), lw_H5P_DEFAULT())
        try check(id, .createFailed, file: path, object: nil, "cannot create the file")
        return H5File(path: path, id: id, isInput: false)
    }

    /// The root group `/`.
    public var root: H5Group {
        get throws {
            let g = H5Gopen2(id, "/", lw_H5P_DEFAULT())
            try check(g, .openFailed, file: path, object: "/", "cannot open group")
            return H5Group(file: self, id: g, path: "/")
        }
    }

    /// Writes everything buffered to disk.
    public func flush() throws {
        try check(H5Fflush(id, H5F_SCOPE_GLOBAL), .writeFailed, file: path, object: nil, "cannot flush")
    }
}

/// What a group's child is: a group, a dataset, or another object (a named datatype, say).
public enum H5ObjectKind: Sendable, Equatable { case group, dataset, other }

/// Joins a group path and a child path ("/a" + "b/c" → "/a/b/c"; absolute stays).
func joinPath(_ base: String, _ child: String) -> String {
    if child.hasPrefix("/") { return child }
    return base == "/" ? "/" + child : base + "/" + child
}
