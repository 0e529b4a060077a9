import LayerwiseMath

/// A stack of Dense layers for inference only: the weights and one output buffer per
/// layer, no gradients, no optimizer state, no random generator. It runs the forward
/// code of `Network` (`DenseStack`), so its outputs are bit-identical to a `Network`'s
/// holding the same weights.
public final class InferenceNetwork {
    private let stack: DenseStack

    /// A network holding copies of `layers`' weights (consecutive: `layers[i].outputs ==
    /// layers[i+1].inputs`) that processes up to `maxBatch` rows at a time.
    public init(_ layers: [DenseLayer], maxBatch: Int = 256) {
        let specs = layers.map(\.spec)
        stack = DenseStack(specs, maxBatch: maxBatch, weights: Weights(dense: specs))
        for (l, layer) in layers.enumerated() { stack.setLayer(l, layer) }
    }

    /// Each layer's shape and activation.
    public var specs: [DenseSpec] { stack.specs }
    /// The most rows `forward` takes at once.
    public var maxBatch: Int { stack.maxBatch }
    /// The number of Dense layers.
    public var layerCount: Int { stack.specs.count }
    /// Width of the first layer's input.
    public var inputs: Int { stack.specs[0].inputs }
    /// Width of the last layer's output.
    public var outputs: Int { stack.specs[stack.specs.count - 1].outputs }

    /// The weights, layer by layer.
    public var layers: [DenseLayer] { stack.specs.indices.map(stack.layer) }

    /// The last layer's output `[rows, outputs]` for `x` `[rows, inputs]`, or the
    /// activation of layer `upTo` (e.g. the bottleneck codes of an autoencoder).
    public func predict(_ x: Matrix, upTo layer: Int? = nil) -> Matrix { stack.predict(x, upTo: layer) }

    /// The last layer's output for `rows` (≤ `maxBatch`) rows at `input`, in a buffer the
    /// next call overwrites: a streamed batch passed through the layers trained so far.
    public func forward(_ input: UnsafePointer<Float>, rows: Int) -> UnsafePointer<Float> {
        precondition(rows <= maxBatch, "forward: \(rows) rows, the network holds \(maxBatch)")
        stack.forward(input, batch: rows)
        return UnsafePointer(stack.outputs[layerCount - 1].pointer)
    }

    /// Rows reconstructed per chunk by `rowMeanSquaredErrors` (each chunk in batches of
    /// `maxBatch` rows from its first row).
    public static let errorChunkRows = 4096

    /// Mean squared reconstruction error of every row of `x` (an autoencoder: outputs ==
    /// inputs): (1/D)·Σⱼ (yⱼ − xⱼ)², summed in Float in feature order.
    public func rowMeanSquaredErrors(_ x: Matrix) -> [Float] {
        precondition(outputs == inputs, "rowMeanSquaredErrors: the network maps \(inputs) features to \(outputs)")
        let width = x.cols
        var errors: [Float] = []
        errors.reserveCapacity(x.rows)
        x.storage.withUnsafeBufferPointer { src in
            for chunk in stride(from: 0, to: x.rows, by: Self.errorChunkRows) {
                let rows = chunk..<min(chunk + Self.errorChunkRows, x.rows)
                stack.forEachBatch(x, rows: rows, upTo: layerCount - 1) { start, n, y in
                    let input = src.baseAddress! + start * width
                    for i in 0..<n {
                        var s: Float = 0
                        for j in 0..<width { let d = y[i * width + j] - input[i * width + j]; s += d * d }
                        errors.append(s / Float(width))
                    }
                }
            }
        }
        return errors
    }
}
