import LayerwiseMath

/// Inference and evaluation: no dropout, no input noise, no gradients kept, any number
/// of rows processed `maxBatch` at a time through the buffers made at init.
extension Network {
    /// The last layer's output `[rows, outputs]` for `x` `[rows, inputs]`, or the
    /// activation of layer `upTo` (e.g. the bottleneck codes of an autoencoder).
    public func predict(_ x: Matrix, upTo layer: Int? = nil) -> Matrix { stack.predict(x, upTo: layer) }

    /// Mean evaluation loss of `x` `[rows, inputs]` against `values` `[rows, outputs]`
    /// (MSE, BCE: mean over all elements). No update, no dropout or noise, and no
    /// weight-decay term (as PyTorch, whose decay lives in the optimizer).
    public func loss(_ x: Matrix, values: Matrix, loss: Loss) -> Float {
        precondition(
            values.rows == x.rows && values.cols == specs[specs.count - 1].outputs,
            "loss: targets are \(values.rows)×\(values.cols), expected \(x.rows)×\(specs[specs.count - 1].outputs)")
        return values.storage.withUnsafeBufferPointer { t in
            evaluate(x, loss: loss) { start, n in
                .values(UnsafeBufferPointer(rebasing: t[(start * values.cols)..<((start + n) * values.cols)]))
            }
        }
    }

    /// Mean cross-entropy (over rows) of `x` `[rows, inputs]` against class `labels` `[rows]`.
    public func loss(_ x: Matrix, labels: [Int32], loss: Loss = .crossEntropy) -> Float {
        precondition(labels.count == x.rows, "loss: \(labels.count) labels for \(x.rows) rows")
        return labels.withUnsafeBufferPointer { y in
            evaluate(x, loss: loss) { start, n in .labels(UnsafeBufferPointer(rebasing: y[start..<(start + n)])) }
        }
    }

    /// Σ over chunks of (chunk mean · chunk weight) / total weight, where the weight is a
    /// chunk's element count (MSE, BCE) or row count (cross-entropy).
    private func evaluate(_ x: Matrix, loss: Loss, target: (Int, Int) -> Target) -> Float {
        precondition(x.cols == specs[0].inputs, "loss: \(x.cols) features, the network takes \(specs[0].inputs)")
        guard x.rows > 0 else { return 0 }
        let perRow = loss == .crossEntropy ? 1 : specs[specs.count - 1].outputs
        var rng = RandomGenerator(seed: 0)
        var total = 0.0
        x.storage.withUnsafeBufferPointer { src in
            var start = 0
            while start < x.rows {
                let n = min(maxBatch, x.rows - start)
                forward(src.baseAddress! + start * x.cols, batch: n, training: false, rng: &rng, fusedLoss: loss != .mse)
                total += outputLoss(batch: n, target: target(start, n), loss: loss) * Double(n * perRow)
                start += n
            }
        }
        return Float(total / Double(x.rows * perRow))
    }
}
