import Foundation
import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN

/// `layerwise export keras RESULTS.h5 -o model.weights.h5`: the trained encoder and
/// head as the weights of the equivalent Keras `Sequential` model of Dense layers,
/// named `encoder_0 … encoder_{k-1}`, `head_0 … head_{m-1}`.
///
/// One file holds two layouts, so `model.load_weights` reads it whatever its name and
/// Keras version:
/// - Keras 3's own (`*.weights.h5`): `layers/dense`, `layers/dense_1`, … each with
///   `vars/0` (kernel `[in, out]`) and `vars/1` (bias), plus an empty `vars` group;
/// - the legacy HDF5 layout (any other `*.h5`, and tf.keras 2): root attributes
///   `layer_names`, `backend`, `keras_version`; one group per layer with a
///   `weight_names` attribute naming its `kernel` and `bias` datasets.
///
/// The run's input scaling is folded into the first layer (x' = (x − a)/s makes
/// x'·W + b = x·(W/s) + (b − (a/s)·W)), so the Keras model takes raw inputs, as
/// `layerwise predict` does.
public enum KerasExport {
    struct Layer {
        var name: String
        var kernel: [Double]
        var rows: Int
        var cols: Int
        var bias: [Double]
        var activation: String
    }

    /// Writes the Keras weights of the model in `results` to `output`; returns the status
    /// line (for stderr) and the Python that builds the model and loads them (for stdout, so
    /// `> model.py` keeps a runnable file).
    public static func run(results: String, output: String) throws -> (status: String, python: String) {
        guard output.hasSuffix(".h5") || output.hasSuffix(".hdf5") else {
            throw InputError("-o: expected a file name ending in .weights.h5 (or .h5), got \(output)")
        }
        let model = try TrainedModel(path: results)
        var layers =
            model.layers.encoder.enumerated().map { layer($0.element, "encoder_\($0.offset)") }
            + model.layers.head.enumerated().map { layer($0.element, "head_\($0.offset)") }
        guard !layers.isEmpty else { throw InputError("\(results): has no encoder or head to export") }
        fold(model.scaler, into: &layers[0])
        try writeAtomically(output, key: "-o", inputs: [results]) { file in
            let root = try file.root
            // Keras 3's layout.
            _ = try root.createGroup("vars").setAttribute("name", "sequential")
            for (i, l) in layers.enumerated() {
                let vars = try root.createGroup("layers/\(i == 0 ? "dense" : "dense_\(i)")/vars")
                try vars.setAttribute("name", l.name)
                try vars.write("0", l.kernel.map(Float.init), shape: [l.rows, l.cols])
                try vars.write("1", l.bias.map(Float.init), shape: [l.cols])
            }
            // The legacy layout.
            try root.setAttribute("layer_names", layers.map(\.name))
            try root.setAttribute("backend", "jax")
            try root.setAttribute("keras_version", "3.0.0")
            for l in layers {
                let g = try root.createGroup(l.name)
                try g.setAttribute("weight_names", ["\(l.name)/kernel", "\(l.name)/bias"])
                try g.write("\(l.name)/kernel", l.kernel.map(Float.init), shape: [l.rows, l.cols])
                try g.write("\(l.name)/bias", l.bias.map(Float.init), shape: [l.cols])
            }
            try root.setAttribute("layerwise_results", results)
            try root.setAttribute("layerwise_preprocessing", "folded into \(layers[0].name): the model takes raw inputs")
        }
        return (
            "wrote \(output): \(layers.count) Dense layers (\(([layers[0].rows] + layers.map(\.cols)).map(String.init).joined(separator: "-"))), "
                + "the input scaling folded into \(layers[0].name)",
            python(layers, file: output, classNames: model.classNames)
        )
    }

    static func layer(_ l: DenseLayer, _ name: String) -> Layer {
        Layer(
            name: name, kernel: l.kernel.storage.map(Double.init), rows: l.kernel.rows, cols: l.kernel.cols,
            bias: l.bias.map(Double.init), activation: l.activation.rawValue)
    }

    /// Folds x' = (x − a)/s (per feature, or one a and s for all) into the first layer.
    static func fold(_ s: Scaler, into l: inout Layer) {
        let offset: (Int) -> Double, scale: (Int) -> Double
        switch s.kind {
        case .none: return
        case .unit:
            offset = { _ in Double(s.minimum) }
            scale = { _ in Double(s.maximum) - Double(s.minimum) }
        case .minmax:
            offset = { Double(s.featureMinimum[$0]) }
            scale = { Double(s.featureMaximum[$0]) - Double(s.featureMinimum[$0]) }
        case .auto: return
        case .standardize:
            offset = { Double(s.mean[$0]) }
            scale = { Double(s.std[$0]) }
        }
        for i in 0..<l.rows {
            let a = offset(i), inv = 1 / scale(i)
            for j in 0..<l.cols {
                let w = l.kernel[i * l.cols + j] * inv
                l.kernel[i * l.cols + j] = w
                l.bias[j] -= a * w
            }
        }
    }

    /// Keras's name for a Layerwise activation (leaky_relu needs our slope, 0.01; Keras's default is 0.2).
    static func kerasActivation(_ a: String) -> String {
        switch a {
        case "identity": return "\"linear\""
        case "leaky_relu": return "lambda x: keras.activations.leaky_relu(x, negative_slope=\(Activation.leak))"
        default: return "\"\(a)\""
        }
    }

    /// The Python that builds the model and loads the file.
    static func python(_ layers: [Layer], file: String, classNames: [String]? = nil) -> String {
        // Keras 3 picks its backend when imported; the line keeps one set in the environment.
        var lines = [
            "import os; os.environ.setdefault(\"KERAS_BACKEND\", \"jax\")", "import keras", "",
            "model = keras.Sequential([", "    keras.Input(shape=(\(layers[0].rows),)),"
        ]
        for l in layers {
            lines.append("    keras.layers.Dense(\(l.cols), activation=\(kerasActivation(l.activation)), name=\"\(l.name)\"),")
        }
        lines += ["])", "model.load_weights(\"\(file)\")"]
        if let classNames {
            // JSON string literals are Python string literals.
            let quoted = classNames.map { n in
                (try? JSONSerialization.data(withJSONObject: [n])).map { String(decoding: $0, as: UTF8.self).dropFirst().dropLast() }
                    .map(String.init) ?? "\"\(n)\""
            }
            lines.append("class_names = [\(quoted.joined(separator: ", "))]  # column i of model.predict(x) is class_names[i]")
        }
        return lines.joined(separator: "\n")
    }
}
