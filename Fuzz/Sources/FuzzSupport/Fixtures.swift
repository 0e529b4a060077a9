import Foundation
import LayerwiseHDF5
import Layerwise

/// Small real inputs for seeds and for the fixed half of a target (the model `predict`
/// applies, the data a fuzzed pipeline names): Fashion-MNIST from Datasets/, each image
/// averaged over 7×7 blocks to 16 features, so files stay a few kilobytes.
public enum Fixtures {
    public static let shipped = Fuzz.repoRoot.appendingPathComponent("Datasets/fashion-mnist-small.h5").path

    /// The first `rows` images of `group` (`/train`, `/test`), 4×4 uint8, and their labels.
    public static func images(_ group: String, rows: Int, full: Bool = false) throws -> (x: [UInt8], y: [Int64]) {
        let root = try H5File.open(shipped).root
        let img = try root.dataset("\(group)/images").readRows(0..<rows, as: UInt8.self)
        let y = try root.dataset("\(group)/labels").readRows(0..<rows, as: Int64.self)
        if full { return (img, y) }
        var x = [UInt8](repeating: 0, count: rows * 16)
        for r in 0..<rows {
            for by in 0..<4 {
                for bx in 0..<4 {
                    var s = 0
                    for dy in 0..<7 { for dx in 0..<7 { s += Int(img[r * 784 + (by * 7 + dy) * 28 + bx * 7 + dx]) } }
                    x[r * 16 + by * 4 + bx] = UInt8(s / 49)
                }
            }
        }
        return (x, y)
    }

    public enum Variant: CaseIterable {
        case contiguous, compressed, float32, rank3, int32Labels, noTest, full784
    }

    /// A data file as `layerwise import` writes one: `/train/images`, `/train/labels`,
    /// `/test/images`, `/test/labels`.
    public static func writeData(_ path: String, _ variant: Variant = .contiguous, train: Int = 40, test: Int = 12) throws {
        let full = variant == .full784
        let (tr, te) = (full ? 8 : train, full ? 4 : test)
        let a = try images("/train", rows: tr, full: full), b = try images("/test", rows: te, full: full)
        let width = full ? 784 : 16
        let file = try H5File.create(path)
        let root = try file.root
        for (name, x, y) in [("train", a.x, a.y), ("test", b.x, b.y)] where !(variant == .noTest && name == "test") {
            let g = try root.createGroup(name)
            let rows = y.count
            let shape = variant == .rank3 ? [rows, 4, 4] : [rows, width]
            switch variant {
            case .compressed: try g.write("images", x, shape: shape, compression: 4)
            case .float32: try g.write("images", x.map { Float($0) / 255 }, shape: shape)
            default: try g.write("images", x, shape: shape)
            }
            if variant == .int32Labels { try g.write("labels", y.map { Int32($0) }, shape: [rows]) }
            else { try g.write("labels", y, shape: [rows], compression: variant == .compressed ? 4 : nil) }
        }
        try file.flush()
    }

    /// A small pipeline over `tiny.h5` with every stage; `extra` lines are spliced in.
    public static func pipeline(_ changes: [String: String] = [:]) -> String {
        var sections: [(String, String)] = [
            ("name", "tiny"),
            ("seed", "1"),
            ("data", """

              train: tiny.h5:/train/images
              train_labels: tiny.h5:/train/labels
              test: tiny.h5:/test/images
              test_labels: tiny.h5:/test/labels
              labeled: {count: 20}
              validation: {fraction: 0.2}
            """),
            ("pretrain", """

              layers: [8, 4]
              model: denoising
              epochs: 2
              batch_size: 16
              end_to_end: {epochs: 1}
            """),
            ("classifier", "{hidden: [6], epochs: 2, batch_size: 8, early_stopping: {patience: 2}}"),
            ("fine_tune", "{epochs: 1, batch_size: 8}"),
            ("anomaly", "{threshold: {percentile: 90}}"),
            ("output", "\n  results: out/{name}.h5"),
        ]
        for (k, v) in changes {
            if let i = sections.firstIndex(where: { $0.0 == k }) { sections[i].1 = v } else { sections.append((k, v)) }
        }
        return sections.filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
    }

    /// Pipelines whose results files cover every part of the format: denoising with
    /// fine-tuning, tied weights, VAE, DBN, standardized and unscaled data, one-class
    /// anomaly, labels only.
    public static let resultsPipelines: [(String, [String: String])] = [
        ("full", [:]),
        ("tied", ["pretrain": "\n  layers: [8, 4]\n  tied_weights: true\n  epochs: 1\n  end_to_end: {epochs: 1}"]),
        ("vae", ["pretrain": "\n  layers: [8, 3]\n  model: vae\n  epochs: 1"]),
        ("dbn", ["pretrain": "\n  layers: [8, 4]\n  model: rbm\n  epochs: 1\n  end_to_end: {epochs: 1}"]),
        ("standardize", ["pretrain": "\n  layers: [6]\n  model: basic\n  epochs: 1",
                         "data": "\n  train: tiny.h5:/train/images\n  train_labels: tiny.h5:/train/labels\n  test: tiny.h5:/test/images\n  test_labels: tiny.h5:/test/labels\n  scale: standardize\n  labeled: {count: 20}"]),
        ("unscaled", ["pretrain": "\n  layers: [6]\n  epochs: 1",
                      "data": "\n  train: tiny.h5:/train/images\n  train_labels: tiny.h5:/train/labels\n  test: tiny.h5:/test/images\n  test_labels: tiny.h5:/test/labels\n  scale: none"]),
        ("oneclass", ["classifier": "", "fine_tune": "", "anomaly": "{normal_classes: [0, 1, 2, 3, 4]}"]),
        ("labels-only", ["pretrain": "", "fine_tune": "", "anomaly": ""]),
    ]

    /// Runs `text` over a fresh `tiny.h5` in `folder` and returns the results file's path.
    public static func run(_ text: String, in folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeData(folder.appendingPathComponent("tiny.h5").path)
        let p = folder.appendingPathComponent("p.yaml").path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return try Runner.run(pipelineFile: p, options: RunOptions(threads: 1, quiet: true)).resultsPath
    }

    /// A `.npy` file (format 1.0) of `values` encoded little-endian as `descr`.
    public static func npy(descr: String, shape: [Int], payload: Data) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        d += Data.length(header.utf8.count, bytes: 2)
        d += Data(header.utf8)
        return d + payload
    }

    /// An IDX file of unsigned bytes with `dims`.
    public static func idx(dims: [Int], payload: [UInt8]) -> Data {
        var d = Data([0, 0, 8, UInt8(dims.count)])
        for n in dims { d += Data([UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]) }
        return d + Data(payload)
    }

    /// `data` gzip-compressed by the system's gzip.
    public static func gzip(_ data: Data) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-c", "-n"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return out
    }
}
