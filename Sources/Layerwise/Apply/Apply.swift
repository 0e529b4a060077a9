import Foundation
import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN

/// `layerwise encode | predict | score`: apply a trained model to new data, reading
/// the input in chunks (a dataset larger than memory works) and writing the output
/// file atomically.
public enum Apply {
    /// What to compute for each input row, and the datasets the output file holds.
    public enum Kind: String, Sendable {
        /// Bottleneck codes: `/codes` float32 [N, d].
        case encode
        /// `/probability` float32 [N, C] and `/label` int32 [N]; with class names, `/label_name`
        /// strings [N] too (and `/label@class_names`); with ids beside the input rows
        /// (`GROUP/ids`, `import csv --id-column`), `/ids` [N].
        case predict
        /// `/error` float32 [N] (mean squared reconstruction error per row, scaled data)
        /// and, when the run had an anomaly stage, `/flag` uint8 [N] (error > threshold).
        case score
    }

    /// Rows per chunk: a multiple of the inference batch (256), so chunked results are
    /// bit-identical to those `run` stored.
    static let chunkRows = 8192

    /// Applies the model in `results` to the dataset `input` (`file.h5:/path`), writing `output`.
    /// `threads` bounds BLAS (default: all cores); with the thread count of the run, the
    /// numbers are bit-identical to what the run stored.
    public static func run(_ kind: Kind, results: String, input: String, output: String, threads: Int? = nil) throws -> String {
        BLAS.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let model = try TrainedModel(path: results)
        guard let colon = input.lastIndex(of: ":"), colon != input.startIndex else {
            throw InputError("\(input): expected INPUT.h5:/path/to/dataset")
        }
        let ref = DatasetRef(file: String(input[..<colon]), dataset: String(input[input.index(after: colon)...]))
        let reader = try FeatureReader(ref, resolvedPath: ref.file)
        try reader.checkFeatures()
        guard reader.width == model.width else {
            throw InputError("\(ref): \(reader.width) features per row, but the model in \(results) takes \(model.width)")
        }
        let layers: [DenseLayer]
        switch kind {
        case .encode:
            guard !model.layers.encoder.isEmpty else { throw InputError("\(results): has no encoder (the run had no pretrain: stage)") }
            layers = model.layers.encoder
        case .predict:
            guard !model.layers.head.isEmpty else {
                throw InputError("\(results): has no classifier head (the run had no classifier: stage)")
            }
            layers = model.layers.classifier
        case .score:
            guard !model.layers.decoder.isEmpty else { throw InputError("\(results): has no decoder (the run had no pretrain: stage)") }
            layers = model.layers.autoencoder
        }
        let net = InferenceNetwork(layers)
        let outWidth = kind == .score ? 1 : layers.last?.outputs ?? 0
        let n = reader.rows
        try writeAtomically(output, key: "-o", inputs: [results, ref.file]) { file in
            let root = try file.root
            try root.setAttribute("source", ref.description)
            try root.setAttribute("results", results)
            var outputs: [H5Dataset] = []
            switch kind {
            case .encode:
                outputs = [try root.createDataset("codes", of: Float.self, shape: [n, outWidth], chunkRows: nil, compression: 4)]
            case .predict:
                outputs = [
                    try root.createDataset("probability", of: Float.self, shape: [n, outWidth], chunkRows: nil, compression: 4),
                    try root.createDataset("label", of: Int32.self, shape: [n], chunkRows: nil, compression: 4)
                ]
            case .score:
                outputs = [try root.createDataset("error", of: Float.self, shape: [n], chunkRows: nil, compression: 4)]
                if let t = model.threshold {
                    try root.setAttribute("threshold", Double(t))
                    outputs.append(try root.createDataset("flag", of: UInt8.self, shape: [n], chunkRows: nil, compression: 4))
                }
            }
            var predicted: [Int32] = []
            var start = 0
            while start < n {
                let end = min(start + chunkRows, n)
                var x = try reader.readFeatures(start..<end)
                model.scaler.apply(&x, width: model.width)
                let chunk = Matrix(rows: end - start, cols: model.width, storage: x)
                switch kind {
                case .encode:
                    try outputs[0].writeRows(start..<end, net.predict(chunk).storage)
                case .predict:
                    let p = net.predict(chunk)
                    try outputs[0].writeRows(start..<end, p.storage)
                    let labels = argmaxRows(p.storage, classes: p.cols)
                    try outputs[1].writeRows(start..<end, labels)
                    if model.classNames != nil { predicted += labels }
                case .score:
                    let e = net.rowMeanSquaredErrors(chunk)
                    try outputs[0].writeRows(start..<end, e)
                    if let t = model.threshold { try outputs[1].writeRows(start..<end, e.map { UInt8($0 > t ? 1 : 0) }) }
                }
                start = end
            }
            if kind == .predict {
                if let names = model.classNames {
                    try outputs[1].setAttribute("class_names", names)
                    try root.write("label_name", strings: predicted.map { Int($0) < names.count ? names[Int($0)] : String($0) })
                }
                try copyIDs(beside: ref, rows: n, into: root)
            }
        }
        return output
    }

    /// Copies `GROUP/ids` (int64 or strings, one per row) from beside the input dataset to `/ids`.
    static func copyIDs(beside ref: DatasetRef, rows n: Int, into root: H5Group) throws {
        let group = ref.dataset.split(separator: "/").dropLast().joined(separator: "/")
        let path = (group.isEmpty ? "" : group + "/") + "ids"
        let src = try H5File.open(ref.file).root
        guard src.exists(path) else { return }
        let d = try src.dataset(path)
        guard d.shape == [n] else { return }
        if d.elementType == .string {
            try root.write("ids", strings: try d.readStrings())
        } else {
            try root.write("ids", try d.read(as: Int64.self), shape: [n])
        }
    }
}
