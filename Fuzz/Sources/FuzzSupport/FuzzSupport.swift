import Foundation
import LayerwiseHDF5
import Layerwise

/// What every fuzz target shares: a scratch folder, the input written to a file (every
/// Layerwise command reads paths, so the targets do too), and the rule that a thrown
/// error is the right answer to bad input.
///
/// A target fails only by crashing (a trap, a sanitizer report, an allocation above
/// libFuzzer's -malloc_limit_mb) or by taking longer than -timeout.
public enum Fuzz {
    /// The repository (this file is Fuzz/Sources/FuzzSupport/FuzzSupport.swift).
    public static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// This process's scratch folder: under $LAYERWISE_FUZZ_TMP (Scripts/fuzz.sh makes one
    /// in /dev/shm and removes it afterwards), else under the system's temporary folder.
    public static let folder: URL = {
        let env = ProcessInfo.processInfo.environment["LAYERWISE_FUZZ_TMP"]
        let base = env.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let url = base.appendingPathComponent("layerwise-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    public static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Writes `data` to `name` in the scratch folder, replacing what was there.
    @discardableResult
    public static func write(_ data: Data, to name: String) -> String {
        let p = path(name)
        _ = FileManager.default.createFile(atPath: p, contents: data)
        return p
    }

    /// Removes every file the previous input left, but the fixtures.
    public static func clean(keeping: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where !keeping.contains(name) {
            try? FileManager.default.removeItem(atPath: path(name))
        }
    }

    /// With LAYERWISE_FUZZ_STRICT=1 an error that is not one of Layerwise's user-facing
    /// errors (an InputError, a PipelineError, an H5Error naming the file) stops the run.
    static let strict = ProcessInfo.processInfo.environment["LAYERWISE_FUZZ_STRICT"] == "1"
    nonisolated(unsafe) static var seen = Set<String>()

    /// Runs one command as the CLI would: returning or throwing a user-facing error are
    /// both fine. An error the CLI would print badly (not user-facing, empty, several
    /// lines where one is due) is printed once per kind, and with LAYERWISE_FUZZ_STRICT=1
    /// aborts (a finding).
    public static func command(_ name: String, _ body: () throws -> Void) {
        do { try body() } catch {
            let (message, code) = exitStatus(for: error)
            var problem: String?
            if !(error is UserFacingError) && !(error is H5Error) {
                problem = "not a user-facing error (\(type(of: error)))"
            } else if message.isEmpty {
                problem = "an empty message"
            } else if message.split(separator: "\n").count != ((error as? PipelineError)?.problems.count ?? 1) {
                problem = "a message of several lines"
            } else if !(1...3).contains(code) {
                problem = "exit code \(code)"
            }
            guard let problem else { return }
            if seen.insert("\(name) \(problem)").inserted {
                FileHandle.standardError.write(Data("fuzz: \(name): \(problem): \(message)\n".utf8))
            }
            if strict { abort() }
        }
    }
}

/// Reads a fuzz input as little fields (flags, lengths) and byte strings.
public struct InputBytes {
    public var data: Data
    public init(_ p: UnsafePointer<UInt8>?, _ n: Int) {
        data = p.map { Data(bytes: $0, count: n) } ?? Data()
    }
    public mutating func byte() -> UInt8 {
        guard let b = data.first else { return 0 }
        data = data.dropFirst()
        return b
    }
    /// A little-endian length of `bytes` bytes.
    public mutating func length(_ bytes: Int) -> Int {
        (0..<bytes).reduce(0) { $0 | Int(byte()) << (8 * $1) }
    }
    public mutating func take(_ n: Int) -> Data {
        let part = data.prefix(n)
        data = data.dropFirst(part.count)
        return Data(part)
    }
    public var rest: Data { Data(data) }
}

extension Data {
    /// Little-endian length prefix, the inverse of `InputBytes.length`.
    public static func length(_ n: Int, bytes: Int) -> Data {
        Data((0..<bytes).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) })
    }
}

/// Seed corpora: each target writes its own when started with LAYERWISE_FUZZ_SEEDS=folder
/// (Scripts/fuzz.sh does, before fuzzing), then exits.
public enum Seeds {
    public static func writeIfAsked(_ make: () throws -> [(String, Data)]) {
        guard let dir = ProcessInfo.processInfo.environment["LAYERWISE_FUZZ_SEEDS"] else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let seeds = try make()
            for (name, data) in seeds {
                _ = FileManager.default.createFile(atPath: URL(fileURLWithPath: dir).appendingPathComponent(name).path, contents: data)
            }
            print("wrote \(seeds.count) seeds to \(dir)")
            fflush(stdout)
            _exit(0)   // not exit(): LeakSanitizer would report what the seeds still hold

        } catch {
            FileHandle.standardError.write(Data("fuzz: cannot write seeds: \(error)\n".utf8))
            exit(1)
        }
    }
}
