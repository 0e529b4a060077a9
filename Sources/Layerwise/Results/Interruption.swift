import Dispatch
import Foundation

/// What a command does on SIGINT (Ctrl-C) or SIGTERM: it removes the temporary files of
/// the outputs it was writing, prints one `error:` line and exits 130 or 143 (what a
/// shell reports for a process those signals end).
///
/// For `layerwise run` the line names the stages the checkpoint holds and the command
/// that continues from them (`layerwise run … --resume`). A checkpoint being saved when
/// the signal comes is finished first, so every stage that finished is in it; the stage
/// in progress is dropped and runs again on `--resume`. Nothing else waits.
public enum Interruption {
    /// Held while a checkpoint is saved and while the bookkeeping below changes; the
    /// signal handler takes it and never gives it back (the process ends there).
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var temporaries = Set<String>()
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var resumeCommand: String?
    nonisolated(unsafe) private static var saved: (checkpoint: String, stages: [String])?
    nonisolated(unsafe) private static var finished = false

    /// Handles SIGINT and SIGTERM from now on (the CLI calls it once, before any command runs).
    public static func install() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for (signo, name, code) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            // Ignored as a signal, seen as an event: the handler runs on a queue, not inside
            // a signal handler, so it may take the lock and wait for a checkpoint.
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { stop(name, code) }
            source.resume()
            sources.append(source)
        }
    }

    /// Folders the run created for its output, deepest first: an interruption removes those still empty.
    nonisolated(unsafe) private static var madeFolders: [UnsafeMutablePointer<CChar>] = []

    /// Sets the folders to remove on an interruption while they are empty (`[]`: none).
    static func removeIfEmpty(_ folders: [String]) {
        lock.lock(); defer { lock.unlock() }
        madeFolders.forEach { free($0) }
        // C strings made now: the signal handler can only call rmdir, not build them.
        madeFolders = folders.compactMap { strdup($0) }
    }

    /// `layerwise run`: the command line that continues this run, printed when it is interrupted.
    public static func setResumeCommand(_ command: String) {
        lock.lock(); defer { lock.unlock() }
        resumeCommand = command
    }

    /// The checkpoint at `path` holds `stages` (at the start of a run, and after each save).
    static func checkpoint(_ path: String, stages: [String]) {
        lock.lock(); defer { lock.unlock() }
        saved = (path, stages)
        finished = false
    }

    /// The run's results are complete (and its checkpoint removed): nothing to resume.
    static func runFinished() {
        lock.lock(); defer { lock.unlock() }
        saved = nil
        finished = true
    }

    /// A file being written under a temporary name: removed if the command is interrupted.
    static func writing(_ temporary: String) {
        lock.lock(); defer { lock.unlock() }
        temporaries.insert(temporary)
    }

    static func done(_ temporary: String) {
        lock.lock(); defer { lock.unlock() }
        temporaries.remove(temporary)
    }

    /// Runs `body` (saving a checkpoint) to its end even if a signal comes meanwhile.
    static func uninterrupted<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Another rank of an MPI job than rank 0: interrupted, it exits without a line (rank 0 says it).
    nonisolated(unsafe) private static var silent = false

    /// Makes this process exit without an `error:` line when interrupted: for every rank of
    /// an MPI job but rank 0, which says it for the job.
    public static func silence() {
        lock.lock(); defer { lock.unlock() }
        silent = true
    }

    /// Removes the temporary files being written (a run ending on an error in an MPI job,
    /// which ends the process without unwinding).
    public static func removeTemporaries() {
        lock.lock(); defer { lock.unlock() }
        for t in temporaries { unlink(t) }
    }

    private static func stop(_ name: String, _ code: Int32) -> Never {
        lock.lock()
        for t in temporaries { unlink(t) }
        for f in madeFolders { rmdir(f) }
        if silent { _exit(code) }
        var line = "error: interrupted by \(name)"
        if let command = resumeCommand, !finished {
            if let saved, !saved.stages.isEmpty {
                line +=
                    "; the finished stages (\(saved.stages.joined(separator: ", "))) are saved in \(saved.checkpoint): "
                    + "continue with `\(command)`"
            } else {
                // Nothing to resume from: the same command without --resume starts it again.
                let again = command.hasSuffix(" --resume") ? String(command.dropLast(" --resume".count)) : command
                line += " before any stage finished (nothing saved); start it again with `\(again)`"
            }
        }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        // Not exit(): other threads are inside libhdf5 and OpenBLAS, whose exit handlers would run under them.
        _exit(code)
    }

    /// `args` as one shell command line, each argument quoted when it needs to be.
    public static func commandLine(_ args: [String]) -> String {
        args.map { a in
            let plain =
                !a.isEmpty
                && a.unicodeScalars.allSatisfy {
                    CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_./=:,@%+".unicodeScalars.contains($0)
                }
            return plain ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
