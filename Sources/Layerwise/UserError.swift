import Foundation
import LayerwiseHDF5

/// Errors a user can cause or act on, and the process exit code each maps to.
///
/// Exit codes: 0 success; 1 a failed expectation (`evaluate.expect`); 2 bad usage,
/// bad pipeline file or bad data; 3 a run that diverged. Every such error prints
/// as one line on stderr beginning with `error:`.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// The process exit code this error ends the run with.
    var exitCode: Int32 { get }
}

extension UserFacingError {
    /// 2: bad usage, bad pipeline file or bad data.
    public var exitCode: Int32 { 2 }
}

/// A problem with input the user gave: a file, a dataset, an argument.
public struct InputError: UserFacingError {
    /// The line printed after `error:`.
    public var description: String
    /// An error that prints as `description`.
    public init(_ description: String) { self.description = description }
}

/// Maps any error to the line printed after `error:` and the exit code.
///
/// Errors from the libraries below (HDF5, YAML) describe themselves; anything a
/// user can trigger is exit code 2 unless it says otherwise. Foundation's file errors
/// never print as themselves ("NSCocoaErrorDomain error 512"): they become the path and
/// the system's reason (`fileProblem`).
public func exitStatus(for error: Error) -> (message: String, code: Int32) {
    // One line per problem, whatever bytes of a file (a key, a cell, a header) it quotes.
    if let e = error as? PipelineError { return (e.problems.map { oneLine($0.description) }.joined(separator: "\nerror: "), e.exitCode) }
    if let e = error as? UserFacingError { return (oneLine(e.description), e.exitCode) }
    if let e = error as? H5Error { return (oneLine(e.description), 2) }
    let (path, reason) = fileProblem(error)
    return (oneLine(path.map { "\($0): \(reason)" } ?? reason), 2)
}

/// A Foundation (or any NSError) file error as the path it concerns and a reason a user
/// can act on, from the underlying POSIX error when there is one.
func fileProblem(_ error: Error) -> (path: String?, reason: String) {
    let ns = error as NSError
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return (path, systemReason(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return (path, systemReason(Int32(ns.code))) }
    switch CocoaError.Code(rawValue: ns.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return (path, "no such file or folder")
    case .fileReadNoPermission, .fileWriteNoPermission: return (path, "permission denied")
    case .fileWriteOutOfSpace: return (path, "the disk is full")
    case .fileWriteVolumeReadOnly: return (path, "the file system is read-only")
    case .fileWriteFileExists: return (path, "already exists")
    default:
        return (path, ns.domain == NSCocoaErrorDomain ? "a file operation failed (code \(ns.code))" : String(describing: error))
    }
}

/// The system's reason for `errno` in words a user acts on ("is a folder", not "EISDIR").
func systemReason(_ code: Int32) -> String {
    switch code {
    case EISDIR: return "is a folder, not a file"
    case ENOTDIR: return "a part of the path is not a folder"
    case ENOENT: return "no such file or folder"
    case EACCES, EPERM: return "permission denied"
    case ENOSPC: return "the disk is full"
    case EROFS: return "the file system is read-only"
    case EEXIST: return "already exists"
    default: return String(cString: strerror(code)).lowercased()
    }
}

/// `text` with its control characters escaped (a line break as \n, others as \u{…}), so
/// that a message quoting a file's bytes stays one line and prints no escape sequences.
func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
    var out = ""
    for u in text.unicodeScalars {
        switch u {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.properties.generalCategory == .control: out += "\\u{\(String(u.value, radix: 16))}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}
