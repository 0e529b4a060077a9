import CLayerwiseHDF5

/// A failed HDF5 operation, naming the file and object and carrying HDF5's own
/// message (for example "object 'lables' doesn't exist").
public struct H5Error: Error, CustomStringConvertible, Sendable {
    /// The kind of failure: a missing, non-HDF5 or unopenable file, a missing object, a wrong type or shape, a failed read, write or create, or a size too large.
    public enum Kind: Sendable, Equatable {
        case fileNotFound, notHDF5, openFailed, objectNotFound, typeMismatch, shapeMismatch
        case readFailed, writeFailed, createFailed
        /// A size read from the file (a shape, a count) that the file cannot hold or
        /// memory cannot take: a corrupt file, refused before anything is allocated.
        case tooLarge
    }

    /// What failed, for callers that react to one kind (a missing object, say).
    public var kind: Kind
    /// The file as the caller named it.
    public var file: String
    /// The group, dataset or attribute path inside the file, if any.
    public var object: String?
    /// What Layerwise was doing, e.g. "cannot open dataset".
    public var message: String
    /// HDF5's innermost error message, if it gave one.
    public var detail: String?

    /// An error about `object` in `file`: Layerwise's `message` and HDF5's `detail`.
    public init(kind: Kind, file: String, object: String?, message: String, detail: String?) {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
        self.detail = detail
    }

    /// One line: `FILE: MESSAGE 'OBJECT': DETAIL`, e.g.
    /// `data.h5: cannot open dataset '/train/lables': object 'lables' doesn't exist`.
    public var description: String {
        var s = "\(file): \(message)"
        if let object { s += " '\(object)'" }
        if let detail, !detail.isEmpty { s += ": \(detail)" }
        return s
    }
}

// MARK: - HDF5's error stack

/// One-time library set-up: initialise HDF5 and stop it printing its error stack to
/// stderr (we turn each failure into one H5Error instead).
let h5Initialized: Void = {
    // No clean-up at exit: a file whose writes failed (a full disk) stays open in HDF5
    // after H5Fclose fails, and closing it again from HDF5's exit handler crashed the
    // process (SIGSEGV in H5F__close_cb, libhdf5 1.10.8) after it had printed its error.
    // Every file Layerwise writes is flushed and closed before it is renamed into place;
    // the operating system reclaims the rest.
    _ = H5dont_atexit()
    _ = H5open()
    _ = H5Eset_auto2(lw_H5E_DEFAULT(), nil, nil)
}()

/// The innermost message of HDF5's current error stack (the most specific one), then
/// clears the stack.
func takeHDF5Message() -> String? {
    final class Box { var messages: [String] = [] }
    let box = Box()
    let unmanaged = Unmanaged.passRetained(box)
    defer { unmanaged.release() }
    _ = H5Ewalk2(
        lw_H5E_DEFAULT(), H5E_WALK_DOWNWARD,
        { _, err, data in
            guard let err, let data else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
            if let desc = err.pointee.desc { box.messages.append(String(cString: desc)) }
            return 0
        }, unmanaged.toOpaque())
    _ = H5Eclear2(lw_H5E_DEFAULT())
    // Some messages (a failed read) span lines; errors are printed as one line.
    return box.messages.last(where: { !$0.isEmpty }).map {
        $0.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Throws `H5Error` when an HDF5 call returned a negative status or id.
@discardableResult
func check<I: BinaryInteger>(_ status: I, _ kind: H5Error.Kind, file: String, object: String?, _ message: @autoclosure () -> String) throws
    -> I
{
    if status < 0 {
        throw H5Error(kind: kind, file: file, object: object, message: message(), detail: takeHDF5Message())
    }
    return status
}
