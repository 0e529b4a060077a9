import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The fused losses stay finite and exact where the naive formulas overflow: logits of
/// ±30…±1000 (σ(z) rounds to 0 or 1 in Float32, e^z overflows past 88). Expected values
/// are computed in Double from the stable forms; tolerance 1e-4 relative.
final class StabilityTests: XCTestCase {
    /// A one-layer identity-input network whose logits are exactly `z` (kernel = I, bias 0).
    func network(logits z: [Float], activation: Activation) -> Network {
        let n = z.count
        var rng = RandomGenerator(seed: 0)
        let net = Network(layers: [DenseSpec(inputs: n, outputs: n, activation: activation)], maxBatch: 1, rng: &rng)
        var eye = Matrix(rows: n, cols: n)
        for i in 0..<n { eye[i, i] = 1 }
        net.setKernel(0, eye)
        net.setBias(0, [Float](repeating: 0, count: n))
        return net
    }

    func testBCEOnExtremeLogits() {
        let z: [Float] = [-1000, -100, -30, 0, 30, 100, 1000]
        let t: [Float] = [1, 0, 1, 0.5, 0, 1, 0]
        let net = network(logits: z, activation: .sigmoid)
        var rng = RandomGenerator(seed: 1)
        let loss = z.withUnsafeBufferPointer { x in
            t.withUnsafeBufferPointer {
                net.lossAndGradients(input: x, batch: 1, target: .values($0), loss: .bce, noise: .none, training: true, rng: &rng).0
            }
        }
        // max(z, 0) − z·t + log(1 + e^−|z|), mean over elements.
        let expected =
            zip(z, t).map { zf, tf -> Double in
                let z = Double(zf), t = Double(tf)
                return max(z, 0) - z * t + log1p(exp(-abs(z)))
            }.reduce(0, +) / Double(z.count)
        XCTAssertTrue(loss.isFinite)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-4 * expected)
        // The bias gradient is ∂loss/∂z = (σ(z) − t)/n itself (batch of one row).
        let n = z.count
        let grads = net.gradientValues
        for j in 0..<n {
            let sigma = 1 / (1 + exp(-Double(z[j])))
            XCTAssertEqual(Double(grads[n * n + j]), (sigma - Double(t[j])) / Double(n), accuracy: 1e-7, "z = \(z[j])")
        }
    }

    func testSoftmaxCrossEntropyOnExtremeLogits() {
        let z: [Float] = [1000, -1000, 999, 0]
        let net = network(logits: z, activation: .softmax)
        var rng = RandomGenerator(seed: 1)
        for label: Int32 in [0, 1, 2, 3] {
            let loss = z.withUnsafeBufferPointer { x in
                [label].withUnsafeBufferPointer {
                    net.lossAndGradients(
                        input: x, batch: 1, target: .labels($0), loss: .crossEntropy, noise: .none,
                        training: true, rng: &rng
                    ).0
                }
            }
            // −log softmax(z)_label = logsumexp(z) − z_label, logsumexp = 1000 + log(1 + e^−1 + …).
            let lse = 1000 + log(1 + exp(-1.0) + exp(-1000.0) + exp(-2000.0))
            let expected = lse - Double(z[Int(label)])
            XCTAssertTrue(loss.isFinite, "label \(label)")
            XCTAssertEqual(Double(loss), expected, accuracy: max(1e-4 * expected, 1e-5), "label \(label)")
            XCTAssertTrue(net.gradientValues.allSatisfy(\.isFinite))
        }
        XCTAssertTrue(net.predict(Matrix(rows: 1, cols: 4, storage: z)).storage.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
    }

    /// Sigmoid and tanh saturate to their limits without NaN; softmax rows sum to 1.
    func testActivationsSaturateCleanly() {
        let z: [Float] = [-1000, -88, -20, 0, 20, 88, 1000]
        for act in [Activation.sigmoid, .tanh] {
            let y = network(logits: z, activation: act).predict(Matrix(rows: 1, cols: z.count, storage: z)).storage
            for (zi, yi) in zip(z, y) {
                let exact = act == .sigmoid ? 1 / (1 + exp(-Double(zi))) : Foundation.tanh(Double(zi))
                XCTAssertEqual(Double(yi), exact, accuracy: 1e-6, "\(act)(\(zi))")
            }
        }
        let p = network(logits: z, activation: .softmax).predict(Matrix(rows: 1, cols: z.count, storage: z)).storage
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertTrue(p.allSatisfy(\.isFinite))
    }
}
