import CZlib
import Foundation
import HDF5

/// Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed:
/// a big-endian header — two zero bytes, a type code (0x08 = uint8), the number of
/// dimensions — then each dimension as a big-endian uint32, then the data.
public enum IDXImporter {
    /// Imports images `[N, rows, cols]` → `/<group>/images` uint8 `[N, rows·cols]` and
    /// labels `[N]` → `/<group>/labels` int64.
    public static func importIDX(images: String, labels: String, output: String, group: String,
                                 append: Bool) throws -> String {
        let (imageDims, pixels) = try read(images, expectedRank: nil)
        guard imageDims.count >= 2 else {
            throw InputError("\(images): expected an image file of rank ≥ 2, got dimensions \(imageDims)")
        }
        let (labelDims, labelBytes) = try read(labels, expectedRank: 1)
        guard labelDims[0] == imageDims[0] else {
            throw InputError("\(labels): \(labelDims[0]) labels for \(imageDims[0]) images in \(images)")
        }
        let width = imageDims.dropFirst().reduce(1, *)
        return try ImportOutput(destination: output, group: group, append: append).write(features: { g in
            try g.write("images", pixels, shape: [imageDims[0], width], compression: 4)
            try g.setAttribute("source", images)
            try g.setAttribute("image_shape", imageDims.dropFirst().map(Int64.init))
        }, labels: labelBytes.map(Int64.init))
    }

    /// The dimensions and uint8 payload of an IDX file.
    static func read(_ path: String, expectedRank: Int?) throws -> ([Int], [UInt8]) {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such file") }
        guard let gz = gzopen(path, "rb") else { throw InputError("\(path): cannot open") }
        defer { gzclose(gz) }
        func readExactly(_ n: Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: n)
            var got = 0
            while got < n {
                let chunk = Int32(min(n - got, 1 << 30))
                let r = out.withUnsafeMutableBytes { gzread(gz, $0.baseAddress! + got, UInt32(chunk)) }
                if r <= 0 { throw InputError("\(path): truncated IDX file (expected \(n) bytes of data, got \(got))") }
                got += Int(r)
            }
            return out
        }
        let magic = try readExactly(4)
        guard magic[0] == 0, magic[1] == 0, magic[2] == 0x08, (1...4).contains(magic[3]) else {
            let hex = magic.map { String(format: "%02x", $0) }.joined(separator: " ")
            throw InputError("\(path): not an unsigned-byte IDX file (magic number \(hex), expected 00 00 08 0N)")
        }
        let rank = Int(magic[3])
        if let expectedRank, rank != expectedRank {
            throw InputError("\(path): expected an IDX file of rank \(expectedRank), got rank \(rank)")
        }
        let header = try readExactly(4 * rank)
        let dims = (0..<rank).map { i in header[(4 * i)..<(4 * i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let count = dims.reduce(1, *)
        guard count > 0 else { throw InputError("\(path): empty IDX file (dimensions \(dims))") }
        return (dims, try readExactly(count))
    }
}
