import Foundation

/// A numeric CSV file read at the byte level: comma-separated cells, one row per line,
/// no quoting (the file holds numbers, plus names on an optional header line).
///
/// Working on bytes with `strtof`/`strtoll` instead of Swift `String`s (grapheme
/// splitting, Foundation trimming) makes a 60,000 × 785 MNIST CSV import in seconds
/// rather than a minute. Swift processes keep the C locale, so '.' is the decimal point.
final class CSVReader {
    let path: String
    /// The file's bytes plus a terminating 0, so the C parsers always stop inside it.
    private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(contentsOf path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(FileManager.default.fileExists(atPath: path) ? "\(path): cannot read the file" : "\(path): no such file")
        }
        guard !data.contains(0) else { throw InputError("\(path): a binary file, expected CSV text") }
        bytes = .allocate(capacity: data.count + 1)
        _ = bytes.initialize(from: data)
        bytes[data.count] = 0
    }

    deinit { bytes.deallocate() }

    /// Calls `body` with the 1-based line number and the trimmed cell ranges of every
    /// line that is not blank.
    func forEachLine(_ body: (Int, [Range<Int>]) throws -> Void) rethrows {
        let end = bytes.count - 1
        var start = 0, line = 1
        var cells: [Range<Int>] = []
        while start < end {
            var stop = start
            while stop < end && bytes[stop] != 0x0A { stop += 1 }
            cells.removeAll(keepingCapacity: true)
            var cellStart = start
            for i in start...stop where i == stop || bytes[i] == 0x2C {
                cells.append(trimmed(cellStart..<i))
                cellStart = i + 1
            }
            if !(cells.count == 1 && cells[0].isEmpty) { try body(line, cells) }
            start = stop + 1
            line += 1
        }
    }

    /// The cell's text, for names and error messages (at most 40 characters).
    func text(_ cell: Range<Int>) -> String {
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[cell]), as: UTF8.self)
        return s.count > 40 ? s.prefix(39) + "…" : s
    }

    /// The cell's whole text (names, ids).
    func fullText(_ cell: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[cell]), as: UTF8.self)
    }

    /// The cell as a finite Float, or nil when it is not exactly one.
    func float(_ cell: Range<Int>) -> Float? {
        guard !cell.isEmpty, let base = bytes.baseAddress else { return nil }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { p in
            var stop: UnsafeMutablePointer<CChar>? = nil
            let v = strtof(p + cell.lowerBound, &stop)
            return stop == p + cell.upperBound && v.isFinite ? v : nil
        }
    }

    /// The cell as a Double (any C number syntax, `nan` and `inf` included), or nil when it is not one.
    func double(_ cell: Range<Int>) -> Double? {
        guard !cell.isEmpty, let base = bytes.baseAddress else { return nil }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { p in
            var stop: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(p + cell.lowerBound, &stop)
            return stop == p + cell.upperBound ? v : nil
        }
    }

    /// The cell as an integer, or nil when it is not exactly one.
    func integer(_ cell: Range<Int>) -> Int64? {
        guard !cell.isEmpty, let base = bytes.baseAddress else { return nil }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { p in
            var stop: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let v = strtoll(p + cell.lowerBound, &stop, 10)
            return stop == p + cell.upperBound && errno == 0 ? Int64(v) : nil
        }
    }

    /// `range` without leading and trailing spaces, tabs and carriage returns.
    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
        while lo < hi && blank(bytes[lo]) { lo += 1 }
        while hi > lo && blank(bytes[hi - 1]) { hi -= 1 }
        return lo..<hi
    }
}
