import CLayerwiseKernels
import LayerwiseMath

/// The forward pass of a stack of Dense layers, `y_l = act_l(y_{l−1} · kernel_l + bias_l)`,
/// over `Weights` in the Dense layout (layer l's kernel is tensor 2l, its bias 2l + 1),
/// with every output buffer sized for `maxBatch` rows at init: the one forward code that
/// `Network` (training) and `InferenceNetwork` (no gradients) both run.
final class DenseStack {
    let specs: [DenseSpec]
    let maxBatch: Int
    let weights: Weights
    /// y_l, `[maxBatch, out_l]` each (post-activation).
    let outputs: [FloatBuffer]
    /// Logits of the last layer `[maxBatch, out_last]` (losses are fused on logits).
    let logits: FloatBuffer

    init(_ specs: [DenseSpec], maxBatch: Int, weights: Weights) {
        precondition(!specs.isEmpty, "a network needs at least one layer")
        precondition(maxBatch > 0, "maxBatch must be positive")
        for i in specs.indices.dropFirst() {
            precondition(
                specs[i - 1].outputs == specs[i].inputs,
                "layer \(i) takes \(specs[i].inputs) inputs, layer \(i - 1) gives \(specs[i - 1].outputs)")
        }
        precondition(weights.tensors.count == 2 * specs.count, "\(weights.tensors.count) tensors for \(specs.count) layers")
        self.specs = specs
        self.maxBatch = maxBatch
        self.weights = weights
        outputs = specs.map { FloatBuffer(maxBatch * $0.outputs) }
        logits = FloatBuffer(maxBatch * specs[specs.count - 1].outputs)
    }

    func kernel(_ l: Int) -> UnsafeMutablePointer<Float> { weights[2 * l] }
    func bias(_ l: Int) -> UnsafeMutablePointer<Float> { weights[2 * l + 1] }

    /// Layer l's weights as a value.
    func layer(_ l: Int) -> DenseLayer {
        DenseLayer(kernel: weights.matrix(2 * l), bias: weights.array(2 * l + 1), activation: specs[l].activation)
    }

    /// Copies `layer`'s kernel and bias into layer l (same shape and activation).
    func setLayer(_ l: Int, _ layer: DenseLayer) {
        precondition(
            layer.spec.inputs == specs[l].inputs && layer.spec.outputs == specs[l].outputs
                && layer.activation == specs[l].activation,
            "layer \(l) is \(specs[l].inputs)→\(specs[l].outputs) \(specs[l].activation), got \(layer.inputs)→\(layer.outputs) \(layer.activation)"
        )
        weights.set(2 * l, layer.kernel)
        weights.set(2 * l + 1, layer.bias)
    }

    /// Forward pass over `batch` rows of `input` through layer `upTo` (default: the
    /// last); the result is in `outputs[upTo]`. The last layer writes its logits and,
    /// unless `fusedLoss` (the loss reads the logits: BCE, cross-entropy), applies its
    /// activation to a copy. `hidden(l, y, count)` runs on each hidden layer's output
    /// (a training network's dropout).
    func forward(
        _ input: UnsafePointer<Float>, batch: Int, upTo last: Int? = nil, fusedLoss: Bool = false,
        hidden: (Int, UnsafeMutablePointer<Float>, Int) -> Void = { _, _, _ in }
    ) {
        let top = last ?? (specs.count - 1)
        var x = input
        for l in 0...top {
            let s = specs[l]
            let isLast = l == specs.count - 1
            let out = isLast ? logits.pointer : outputs[l].pointer
            lw_dense_forward(
                x, kernel(l), 0, bias(l), out, Int32(batch), Int32(s.inputs), Int32(s.outputs),
                isLast ? Int32(LW_IDENTITY) : s.activation.code, Activation.leak)
            if !isLast {
                hidden(l, out, batch * s.outputs)
            } else if !fusedLoss {
                lw_activate_copy(out, outputs[l].pointer, Int32(batch), Int32(s.outputs), s.activation.code, Activation.leak)
            }
            x = UnsafePointer(outputs[l].pointer)
        }
    }

    /// Inference over rows `range` of `x`, `maxBatch` rows at a time from `range`'s
    /// start: `body(first row, row count, layer upTo's output)` after each batch.
    func forEachBatch(
        _ x: Matrix, rows range: Range<Int>, upTo top: Int,
        _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        precondition(x.cols == specs[0].inputs, "\(x.cols) features, the network takes \(specs[0].inputs)")
        precondition(top >= 0 && top < specs.count, "layer \(top) outside 0..<\(specs.count)")
        x.storage.withUnsafeBufferPointer { src in
            var start = range.lowerBound
            while start < range.upperBound {
                let n = min(maxBatch, range.upperBound - start)
                forward(src.baseAddress! + start * x.cols, batch: n, upTo: top)
                body(start, n, outputs[top].pointer)
                start += n
            }
        }
    }

    /// The output of layer `upTo` (default: the last) for every row of `x`.
    func predict(_ x: Matrix, upTo layer: Int?) -> Matrix {
        let top = layer ?? (specs.count - 1)
        precondition(top >= 0 && top < specs.count, "predict: layer \(top) outside 0..<\(specs.count)")
        let width = specs[top].outputs
        var result = Matrix(rows: x.rows, cols: width)
        result.storage.withUnsafeMutableBufferPointer { dst in
            forEachBatch(x, rows: 0..<x.rows, upTo: top) { start, n, y in
                (dst.baseAddress! + start * width).update(from: y, count: n * width)
            }
        }
        return result
    }
}
