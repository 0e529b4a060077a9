import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Networks built from `DenseLayer` values: the trainable one draws no random numbers,
/// the inference-only one gives a `Network`'s outputs bit for bit, and its per-row
/// reconstruction errors are the mean squared errors.
final class InferenceNetworkTests: XCTestCase {
    func data(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in rng.uniform() }
    }

    func layers(_ specs: [DenseSpec], seed: UInt64) -> [DenseLayer] {
        var rng = RandomGenerator(seed: seed)
        let net = Network(layers: specs, maxBatch: 4, rng: &rng)
        // Non-zero biases too, so a bias that went missing shows.
        for l in specs.indices { net.setBias(l, (0..<specs[l].outputs).map { _ in rng.normal() * 0.1 }) }
        return net.denseLayers
    }

    let autoencoder = [
        DenseSpec(inputs: 10, outputs: 7, activation: .relu),
        DenseSpec(inputs: 7, outputs: 3, activation: .tanh),
        DenseSpec(inputs: 3, outputs: 10, activation: .sigmoid)
    ]
    let classifier = [
        DenseSpec(inputs: 10, outputs: 6, activation: .leakyRelu),
        DenseSpec(inputs: 6, outputs: 4, activation: .softmax)
    ]

    func bits(_ m: Matrix) -> [UInt32] { m.storage.map(\.bitPattern) }

    func testDenseLayersRoundTrip() {
        let saved = layers(autoencoder, seed: 1)
        let net = Network(layers: saved, maxBatch: 5)
        XCTAssertEqual(net.denseLayers, saved)
        XCTAssertEqual(net.specs, autoencoder.map { DenseSpec(inputs: $0.inputs, outputs: $0.outputs, activation: $0.activation) })
        XCTAssertEqual(InferenceNetwork(saved).layers, saved)
        net.denseLayers = layers(autoencoder, seed: 2)
        XCTAssertEqual(net.denseLayers, layers(autoencoder, seed: 2))
    }

    /// Training a network built from layers and one drawn with a throw-away generator then
    /// overwritten (the old way) gives the same bytes: the new init draws nothing and the
    /// step's own generator (dropout, noise) sees the same sequence.
    func testDenseLayerInitMatchesExplicitWeights() {
        let saved = layers(classifier, seed: 3)
        var scratch = RandomGenerator(seed: 0)
        let old = Network(layers: classifier, maxBatch: 8, rng: &scratch, dropout: 0.25)
        for (l, layer) in saved.enumerated() { old.setKernel(l, layer.kernel); old.setBias(l, layer.bias) }
        let new = Network(layers: saved, maxBatch: 8, dropout: 0.25)
        XCTAssertEqual(new.parameterValues.map(\.bitPattern), old.parameterValues.map(\.bitPattern))
        let x = data(8 * 10, seed: 4)
        let y: [Int32] = (0..<8).map { Int32($0 % 4) }
        for net in [old, new] {
            net.configure(optimizer: .defaultAdam, weightDecay: 1e-3)
            var rng = RandomGenerator(seed: 5)
            for _ in 0..<5 {
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeBufferPointer { yb in
                        _ = net.trainStep(
                            input: xb, batch: 8, target: .labels(yb), loss: .crossEntropy,
                            noise: .masking(level: 0.2), rng: &rng)
                    }
                }
            }
        }
        XCTAssertEqual(new.parameterValues.map(\.bitPattern), old.parameterValues.map(\.bitPattern))
        XCTAssertNotEqual(new.denseLayers, saved, "training moved the weights")
    }

    /// 23 rows in batches of 4 and 256: every layer's output, bit for bit.
    func testPredictIsBitIdenticalToNetwork() {
        for specs in [autoencoder, classifier] {
            let saved = layers(specs, seed: 6)
            let x = Matrix(rows: 23, cols: 10, storage: data(230, seed: 7))
            for maxBatch in [4, 256] {
                let net = Network(layers: saved, maxBatch: maxBatch)
                let inference = InferenceNetwork(saved, maxBatch: maxBatch)
                XCTAssertEqual(bits(inference.predict(x)), bits(net.predict(x)))
                for l in specs.indices {
                    XCTAssertEqual(bits(inference.predict(x, upTo: l)), bits(net.predict(x, upTo: l)), "layer \(l)")
                }
            }
        }
    }

    /// Against the squared differences summed in Double, and bit for bit against the
    /// reconstruction of each 4096-row chunk by `Network.predict` (4500 rows, batches
    /// of 300 restarting at row 4096).
    func testRowMeanSquaredErrors() {
        let saved = layers(autoencoder, seed: 8)
        let rows = 4500
        let x = Matrix(rows: rows, cols: 10, storage: data(rows * 10, seed: 9))
        let inference = InferenceNetwork(saved, maxBatch: 300)
        let errors = inference.rowMeanSquaredErrors(x)
        XCTAssertEqual(errors.count, rows)
        let y = inference.predict(x)
        for r in stride(from: 0, to: rows, by: 97) {
            let expected =
                (0..<10).reduce(0.0) { s, j in
                    let d = Double(y[r, j]) - Double(x[r, j])
                    return s + d * d
                } / 10
            XCTAssertEqual(Double(errors[r]), expected, accuracy: 1e-6 * max(expected, 1e-3), "row \(r)")
        }
        let net = Network(layers: saved, maxBatch: 300)
        var reference: [Float] = []
        for start in stride(from: 0, to: rows, by: 4096) {
            let end = min(start + 4096, rows)
            let part = Matrix(rows: end - start, cols: 10, storage: Array(x.storage[(start * 10)..<(end * 10)]))
            let r = net.predict(part)
            for i in 0..<part.rows {
                var s: Float = 0
                for j in 0..<10 { let d = r[i, j] - part[i, j]; s += d * d }
                reference.append(s / 10)
            }
        }
        XCTAssertEqual(errors.map(\.bitPattern), reference.map(\.bitPattern))
        XCTAssertEqual(inference.rowMeanSquaredErrors(Matrix(rows: 0, cols: 10)), [])
    }
}
