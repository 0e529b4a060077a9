import Foundation
import HDF5
import LinearAlgebra
import NeuralNet

/// A model read back from a results file (SPEC §3): preprocessing, encoder, decoder,
/// head and anomaly threshold, ready to apply to new data.
struct TrainedModel {
    let path: String
    let scaler: Scaler
    let width: Int
    let encoder: [SavedLayer]
    /// The encoder the decoder was trained with (differs from `encoder` after fine-tuning).
    let autoencoderEncoder: [SavedLayer]
    let decoder: [SavedLayer]
    let head: [SavedLayer]
    let threshold: Float?

    init(path: String) throws {
        self.path = path
        let root = try ResultsFile.open(path)
        let pre = try root.group("model/preprocessing")
        guard case .string(let kindName) = try pre.attribute("scale"), let kind = ScaleKind(rawValue: kindName),
              case .int(let n) = try pre.attribute("n_features") else {
            throw InputError("\(path): /model/preprocessing lacks its scale and n_features attributes")
        }
        var scaler = Scaler(kind: kind)
        switch kind {
        case .none: break
        case .unit:
            if case .double(let lo) = try pre.attribute("min"), case .double(let hi) = try pre.attribute("max") {
                scaler.minimum = Float(lo); scaler.maximum = Float(hi)
            }
        case .standardize:
            scaler.mean = try pre.dataset("mean").read(as: Float.self)
            scaler.std = try pre.dataset("std").read(as: Float.self)
        }
        self.scaler = scaler
        width = Int(n)
        encoder = try Self.layers(root, "model/encoder")
        let pretrained = try Self.layers(root, "model/pretrained_encoder")
        autoencoderEncoder = pretrained.isEmpty ? encoder : pretrained
        decoder = try Self.decoderLayers(root, encoder: autoencoderEncoder)
        head = try Self.layers(root, "model/head")
        if root.exists("anomaly"), case .double(let t) = try root.group("anomaly").attribute("threshold") {
            threshold = Float(t)
        } else {
            threshold = nil
        }
    }

    /// `group/layer_0`, `layer_1`, … in order.
    static func layers(_ root: H5Group, _ group: String) throws -> [SavedLayer] {
        guard root.exists(group) else { return [] }
        let g = try root.group(group)
        var out: [SavedLayer] = []
        while g.exists("layer_\(out.count)") {
            let l = try g.group("layer_\(out.count)")
            let k = try l.dataset("kernel")
            guard k.shape.count == 2, case .string(let act) = try l.attribute("activation") else {
                throw InputError("\(root.file.path): \(l.path) is not a Dense layer (kernel [in, out], activation)")
            }
            out.append(SavedLayer(kernel: Matrix(rows: k.shape[0], cols: k.shape[1], storage: try k.read(as: Float.self)),
                                  bias: try l.dataset("bias").read(as: Float.self), activation: act))
        }
        return out
    }

    /// Decoder layers; tied layers (`tied_to`, no kernel) use the transposed encoder kernel.
    static func decoderLayers(_ root: H5Group, encoder: [SavedLayer]) throws -> [SavedLayer] {
        guard root.exists("model/decoder") else { return [] }
        let g = try root.group("model/decoder")
        if g.exists("layer_0/kernel") { return try layers(root, "model/decoder") }
        var out: [SavedLayer] = []
        while g.exists("layer_\(out.count)") {
            let l = try g.group("layer_\(out.count)")
            let enc = encoder.count - 1 - out.count
            guard enc >= 0, case .string(let act) = try l.attribute("activation") else {
                throw InputError("\(root.file.path): \(l.path) has neither a kernel nor a tied encoder layer")
            }
            out.append(SavedLayer(kernel: encoder[enc].kernel.transposed, bias: try l.dataset("bias").read(as: Float.self),
                                  activation: act))
        }
        return out
    }
}
