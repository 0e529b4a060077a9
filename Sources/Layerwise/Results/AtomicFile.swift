import Foundation
import LayerwiseHDF5

/// Writes an HDF5 file under a temporary name in the destination's folder and renames
/// it into place only when `body` has finished: a killed or failed command never
/// leaves a half-written file under the final name (and removes its temporary file).
///
/// With `startingFrom` an existing file, the temporary file starts as its copy (for
/// adding a group to a file that already holds others). `inputs` are the files the
/// command reads: writing over one of them is refused (`checkNotAnInput`).
///
/// `keepPrevious`: a file already at `destination` is kept under this name (replacing an
/// older one there) at the moment the new file takes its place; returns whether it was.
@discardableResult
func writeAtomically(
    _ destination: String, startingFrom existing: String? = nil, key: String, inputs: [String] = [],
    keepPrevious previous: String? = nil, _ body: (H5File) throws -> Void
) throws -> Bool {
    let fm = FileManager.default
    let url = URL(fileURLWithPath: destination)
    let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    try checkOutputFolder(destination, key: key)
    try checkNotAnInput(destination, inputs: inputs, key: key)
    // Known before it exists: a SIGINT from here on removes it (see Interruption).
    Interruption.writing(temp)
    defer { Interruption.done(temp) }
    // Created here first so that a folder we cannot write in is named with the system's
    // reason, not in HDF5's words about our temporary file.
    let fd = open(temp, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
    guard fd >= 0 else {
        throw InputError("\(key): cannot write \(destination): \(systemReason(errno)) (in \(url.deletingLastPathComponent().path))")
    }
    close(fd)
    do {
        let file: H5File
        if let existing {
            try? fm.removeItem(atPath: temp)
            do { try fm.copyItem(atPath: existing, toPath: temp) } catch {
                throw InputError("\(key): cannot copy \(existing) to add to it: \(fileProblem(error).reason)")
            }
            file = try H5File.open(temp, mode: .readWrite)
        } else {
            file = try H5File.create(temp)
        }
        try body(file)
        try file.flush()
        var kept = false
        if let previous, fm.fileExists(atPath: destination) {
            // A hard link keeps the old file under its new name while `destination` still
            // names it, so there is no moment without a file at `destination`.
            unlink(previous)
            kept = link(destination, previous) == 0
            if !kept { kept = (try? fm.copyItem(atPath: destination, toPath: previous)) != nil }
        }
        // rename(2) replaces an existing file atomically: readers see the old or the new file, never half of one.
        guard rename(temp, destination) == 0 else {
            throw InputError("\(key): cannot move the finished file into place at \(destination): \(systemReason(errno))")
        }
        return kept
    } catch var error as H5Error where error.file == temp {
        // Name the file the user asked for, not our temporary one.
        try? fm.removeItem(atPath: temp)
        error.file = destination
        error.detail = error.detail.map { reasonInHDF5Message($0) ?? $0.replacingOccurrences(of: temp, with: destination) }
        throw error
    } catch {
        try? fm.removeItem(atPath: temp)
        throw error
    }
}

/// An output path whose folder does not exist is the user's error, named once (not
/// HDF5's message about our temporary file).
func checkOutputFolder(_ destination: String, key: String, example: String? = nil) throws {
    var isFolder: ObjCBool = false
    let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
        throw InputError("\(key): the folder \(folder) does not exist (for \(destination))")
    }
    try checkNotAFolder(destination, key: key, example: example ?? (key == "output.results" ? "results.h5" : "out.h5"))
}

/// An output path that names an existing folder (`report R.h5 -o out/`) is refused with
/// a hint, before any work.
func checkNotAFolder(_ destination: String, key: String, example name: String) throws {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder), isFolder.boolValue {
        let example = (destination as NSString).appendingPathComponent(name)
        throw InputError("\(key): \(destination) is a folder; give the name of a file to write (e.g. \(example))")
    }
}

/// An output that is one of the command's own inputs (`export keras R.h5 -o R.h5`,
/// `predict R.h5 D.h5:/x -o D.h5`) would silently replace the user's results or data
/// with the command's output. Compared by device and inode, so any spelling of the
/// path (relative, `./`, symlink, hard link) is caught.
func checkNotAnInput(_ destination: String, inputs: [String], key: String) throws {
    var out = stat()
    guard stat(destination, &out) == 0 else { return }
    for input in inputs {
        var s = stat()
        if stat(input, &s) == 0, s.st_dev == out.st_dev, s.st_ino == out.st_ino {
            throw InputError("\(key): \(destination) is the input file \(input); writing there would replace it (choose another name)")
        }
    }
}

/// The operating system's reason inside one of HDF5's I/O messages ("… errno = 28, error
/// message = 'No space left on device', …" → "No space left on device"), which otherwise
/// runs to a line of offsets and the temporary file's name.
func reasonInHDF5Message(_ hdf5Message: String) -> String? {
    guard let r = hdf5Message.range(of: "error message = '"),
        let end = hdf5Message[r.upperBound...].firstIndex(of: "'")
    else { return nil }
    return (hdf5Message.contains("write failed") ? "write failed: " : "") + hdf5Message[r.upperBound..<end]
}

/// `data` written to `destination` through a temporary file in its folder, renamed into
/// place when complete (as `writeAtomically`, for files that are not HDF5).
func writeBytesAtomically(_ data: Data, to destination: String, key: String, inputs: [String] = []) throws {
    try checkOutputFolder(destination, key: key)
    try checkNotAnInput(destination, inputs: inputs, key: key)
    let url = URL(fileURLWithPath: destination)
    let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    Interruption.writing(temp)
    defer { Interruption.done(temp) }
    // POSIX calls, for the system's own reason when one fails (a full disk, a read-only folder).
    func fail(_ what: String) -> InputError {
        let reason = systemReason(errno)
        unlink(temp)
        return InputError("\(key): cannot \(what) \(destination): \(reason)")
    }
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw fail("write") }
    var written = 0
    let ok = data.withUnsafeBytes { raw -> Bool in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 { if errno == EINTR { continue }; return false }
            written += n
        }
        return true
    }
    guard ok, fsync(fd) == 0 || errno == EINVAL else { close(fd); throw fail("write") }
    guard close(fd) == 0 else { throw fail("write") }
    guard rename(temp, destination) == 0 else { throw fail("move the finished file into place at") }
}
