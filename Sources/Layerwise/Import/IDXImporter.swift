import CLayerwiseZlib
import Foundation
import LayerwiseHDF5

/// Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed, and
/// writes them in the input layout (features `[N, D]`, labels `[N]`).
///
/// An IDX file is a big-endian header — two zero bytes, a type code (0x08 = uint8),
/// the number of dimensions — then each dimension as a big-endian uint32, then the
/// data in row-major order.
public enum IDXImporter {
    /// Imports images `[N, rows, cols]` → `GROUP/images` uint8 `[N, rows·cols]` and
    /// labels `[N]` → `GROUP/labels` int64, returning a one-line summary.
    ///
    /// - Parameter perClass: keep only the first `perClass` samples of each class, in
    ///   file order (a stratified subset that is easy to reproduce); their rows in the
    ///   IDX files go to `GROUP/source_index` int64 `[n]`.
    /// - Throws: `InputError` naming the file for a missing, truncated or non-uint8 IDX
    ///   file, or image and label counts that differ; H5Error when writing fails.
    public static func importIDX(
        images: String, labels: String, output: String, group: String, append: Bool, force: Bool = false,
        perClass: Int? = nil, compression: Int = 4
    ) throws -> ImportReport {
        let (imageDims, pixels) = try read(images, expectedRank: nil)
        guard imageDims.count >= 2 else {
            throw InputError("\(images): expected an image file of rank ≥ 2 ([N, rows, cols]), got dimensions \(imageDims)")
        }
        let (labelDims, labelBytes) = try read(labels, expectedRank: 1)
        guard labelDims[0] == imageDims[0] else {
            throw InputError("\(labels): \(labelDims[0]) labels for \(imageDims[0]) images in \(images)")
        }
        let width = imageDims.dropFirst().reduce(1, *)
        var rows = Array(0..<imageDims[0])
        if let perClass {
            guard perClass > 0 else { throw InputError("--per-class: expected a positive number, got \(perClass)") }
            rows = firstRows(perClass: perClass, of: labelBytes)
        }
        let selectedPixels = perClass == nil ? pixels : rows.flatMap { pixels[($0 * width)..<(($0 + 1) * width)] }
        let out = ImportOutput(destination: output, group: group, append: append, force: force, compression: compression)
        return try out.write(features: "images", of: "uint8", width: width, labels: rows.map { Int64(labelBytes[$0]) }) { g in
            try g.write("images", selectedPixels, shape: [rows.count, width], compression: compression)
            try g.setAttribute("source", images)
            try g.setAttribute("image_shape", imageDims.dropFirst().map(Int64.init))
            if perClass != nil {
                try g.write("source_index", rows.map(Int64.init), shape: [rows.count], compression: compression)
                try g.setAttribute("selection", "first \(perClass ?? 0) samples of each class, in file order")
            }
        }
    }

    /// Rows of the first `n` samples of each class, in file order.
    static func firstRows(perClass n: Int, of labels: [UInt8]) -> [Int] {
        var taken = [Int](repeating: 0, count: 256)
        return labels.indices.filter { i in
            let c = Int(labels[i])
            taken[c] += 1
            return taken[c] <= n
        }
    }

    /// The dimensions and uint8 payload of an IDX file.
    ///
    /// zlib's `gzopen` tells gzip from plain data by the gzip magic bytes (1f 8b) and
    /// reads either. The payload is read in pieces and checked against the header, so
    /// a corrupt header claiming billions of values fails as "truncated" instead of
    /// allocating them up front.
    static func read(_ path: String, expectedRank: Int?) throws -> ([Int], [UInt8]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("\(path): no such file")
        }
        guard !isDirectory.boolValue, let gz = gzopen(path, "rb") else { throw InputError("\(path): cannot open as a file") }
        defer { gzclose(gz) }

        func readUpTo(_ n: Int) -> [UInt8] {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while out.count < n {
                let want = UInt32(min(n - out.count, buffer.count))
                let got = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, want) }
                if got <= 0 { break }
                out += buffer[0..<Int(got)]
            }
            return out
        }
        func readExactly(_ n: Int, _ what: String) throws -> [UInt8] {
            let bytes = readUpTo(n)
            guard bytes.count == n else {
                var reason = ""
                var code: Int32 = 0
                if let message = gzerror(gz, &code), code != Z_OK, code != Z_BUF_ERROR {
                    reason = "; zlib: " + String(cString: message)
                }
                throw InputError("\(path): truncated IDX file (expected \(n) bytes of \(what), got \(bytes.count)\(reason))")
            }
            return bytes
        }

        let magic = try readExactly(4, "magic number")
        guard magic[0] == 0, magic[1] == 0, magic[2] == 0x08, (1...4).contains(magic[3]) else {
            let hex = magic.map { String(format: "%02x", $0) }.joined(separator: " ")
            throw InputError("\(path): not an unsigned-byte IDX file (magic number \(hex), expected 00 00 08 0N with N = 1…4)")
        }
        let rank = Int(magic[3])
        if let expectedRank, rank != expectedRank {
            throw InputError("\(path): expected an IDX file of rank \(expectedRank), got rank \(rank)")
        }
        let header = try readExactly(4 * rank, "header")
        let dims = (0..<rank).map { i in header[(4 * i)..<(4 * i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        // Each dimension is < 2^32, so the product of up to four fits in Int only when checked.
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw InputError("\(path): IDX dimensions \(dims) are too large") }
            count = product
        }
        guard count > 0 else { throw InputError("\(path): empty IDX file (dimensions \(dims))") }
        // Checked against the file before reading: a plain file holds the values byte for
        // byte, gzip shrinks them at most 1032-fold.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let gzipped = gzdirect(gz) == 0
        let limit = size.map { $0.multipliedReportingOverflow(by: gzipped ? 1032 : 1) }
        if let size, let limit, !limit.overflow, count > limit.partialValue {
            throw InputError(
                "\(path): truncated IDX file (dimensions \(dims) need \(count) bytes of data, "
                    + "the \(gzipped ? "compressed " : "")file has \(size) bytes)")
        }
        if count > H5File.physicalMemory {
            throw InputError("\(path): IDX dimensions \(dims) need \(count) bytes, more than the \(H5File.physicalMemory) bytes of memory")
        }
        return (dims, try readExactly(count, "data"))
    }
}
