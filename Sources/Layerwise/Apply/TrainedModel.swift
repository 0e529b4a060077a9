import Foundation
import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN

/// A model read back from a results file (docs/results-format.md): preprocessing, the
/// layers and the anomaly threshold, ready to apply to new data.
struct TrainedModel {
    let path: String
    let scaler: Scaler
    let width: Int
    let layers: ModelLayers
    let threshold: Float?
    /// Class i's name (`/data@class_names`), nil when the classes are numbers.
    let classNames: [String]?

    init(path: String) throws {
        self.path = path
        let root = try ResultsFile.open(path)
        let pre = try root.group("model/preprocessing")
        guard case .string(let kindName) = try pre.attribute("scale"), let kind = ScaleKind(rawValue: kindName), kind != .auto,
            case .int(let n) = try pre.attribute("n_features")
        else {
            throw InputError("\(path): /model/preprocessing lacks its scale and n_features attributes")
        }
        var scaler = Scaler(kind: kind)
        switch kind {
        case .none: break
        case .unit:
            if case .double(let lo) = try pre.attribute("min"), case .double(let hi) = try pre.attribute("max") {
                scaler.minimum = Float(lo); scaler.maximum = Float(hi)
            }
        case .minmax:
            scaler.featureMinimum = try pre.dataset("min").read(as: Float.self)
            scaler.featureMaximum = try pre.dataset("max").read(as: Float.self)
        case .auto: break
        case .standardize:
            scaler.mean = try pre.dataset("mean").read(as: Float.self)
            scaler.std = try pre.dataset("std").read(as: Float.self)
        }
        guard n > 0, n <= Int32.max else {
            throw InputError("\(path): /model/preprocessing has n_features = \(n)")
        }
        width = Int(n)
        if kind == .minmax
            && (scaler.featureMinimum.count != width || scaler.featureMaximum.count != width
                || zip(scaler.featureMinimum, scaler.featureMaximum).contains { !($0 < $1) })
        {
            throw InputError(
                "\(path): /model/preprocessing holds \(scaler.featureMinimum.count) minima and \(scaler.featureMaximum.count) maxima for \(width) features (each min below its max)"
            )
        }
        if kind == .standardize && (scaler.mean.count != width || scaler.std.count != width) {
            throw InputError(
                "\(path): /model/preprocessing holds \(scaler.mean.count) means and \(scaler.std.count) standard deviations for \(width) features"
            )
        }
        self.scaler = scaler
        layers = try ModelLayers.read(from: try root.group("model"))
        // Every network applied to new data starts at the encoder (or, without one, the head).
        if let first = (layers.encoder.first ?? layers.head.first)?.kernel.rows, first != width {
            throw InputError("\(path): the model's first layer takes \(first) inputs, /model/preprocessing has n_features = \(width)")
        }
        if root.exists("data"), case .strings(let names)? = try? root.group("data").attribute("class_names") {
            classNames = names
        } else {
            classNames = nil
        }
        if root.exists("anomaly"), case .double(let t) = try root.group("anomaly").attribute("threshold") {
            threshold = Float(t)
        } else {
            threshold = nil
        }
    }
}
