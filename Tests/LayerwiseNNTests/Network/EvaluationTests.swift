import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Evaluation loss, inference in chunks and the initializers.
final class EvaluationTests: XCTestCase {
    func data(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in rng.uniform() }
    }

    /// 23 rows through a network of maxBatch 8 (chunks 8, 8, 7) give the same mean loss
    /// as one pass over all rows, and the same value the training path reports (no dropout).
    func testEvaluationLossIsChunkedMeanOfTheTrainingLoss() {
        let rows = 23
        let specs = [DenseSpec(inputs: 5, outputs: 7, activation: .relu), DenseSpec(inputs: 7, outputs: 4, activation: .sigmoid)]
        var rng = RandomGenerator(seed: 3)
        let small = Network(layers: specs, maxBatch: 8, rng: &rng)
        let whole = Network(layers: specs, maxBatch: rows, rng: &rng)
        whole.parameterValues = small.parameterValues
        let x = Matrix(rows: rows, cols: 5, storage: data(rows * 5, seed: 1))
        let t = Matrix(rows: rows, cols: 4, storage: data(rows * 4, seed: 2))
        for loss in [Loss.bce, .mse] {
            let chunked = small.loss(x, values: t, loss: loss)
            let reference = x.storage.withUnsafeBufferPointer { xb in
                t.storage.withUnsafeBufferPointer { tb in
                    whole.lossAndGradients(
                        input: xb, batch: rows, target: .values(tb), loss: loss, noise: .none,
                        training: false, rng: &rng
                    ).0
                }
            }
            XCTAssertEqual(chunked, reference, accuracy: 1e-6, "\(loss)")
        }
        // BCE by hand from predict's probabilities, in Double.
        let p = small.predict(x)
        var bce = 0.0
        for i in 0..<(rows * 4) {
            let q = Double(p.storage[i]), y = Double(t.storage[i])
            bce -= y * log(q) + (1 - y) * log(1 - q)
        }
        XCTAssertEqual(Double(small.loss(x, values: t, loss: .bce)), bce / Double(rows * 4), accuracy: 1e-5)
    }

    func testCrossEntropyIsMeanOverRows() {
        var rng = RandomGenerator(seed: 4)
        let net = Network(layers: [DenseSpec(inputs: 3, outputs: 4, activation: .softmax)], maxBatch: 4, rng: &rng)
        let x = Matrix(rows: 10, cols: 3, storage: data(30, seed: 5))
        let labels: [Int32] = (0..<10).map { Int32($0 % 4) }
        let p = net.predict(x)
        let expected = (0..<10).reduce(0.0) { $0 - log(Double(p[$1, Int(labels[$1])])) } / 10
        XCTAssertEqual(Double(net.loss(x, labels: labels)), expected, accuracy: 1e-5)
    }

    func testPredictUpToAnInnerLayer() {
        var rng = RandomGenerator(seed: 6)
        let net = Network(
            layers: [
                DenseSpec(inputs: 4, outputs: 3, activation: .tanh),
                DenseSpec(inputs: 3, outputs: 2, activation: .identity)
            ], maxBatch: 2, rng: &rng)
        let x = Matrix(rows: 5, cols: 4, storage: data(20, seed: 7))
        let codes = net.predict(x, upTo: 0)
        let w = net.kernel(0), b = net.bias(0)
        for r in 0..<5 {
            for c in 0..<3 {
                let z = (0..<4).reduce(b[c]) { $0 + x[r, $1] * w[$1, c] }
                XCTAssertEqual(codes[r, c], Foundation.tanh(z), accuracy: 1e-6)
            }
        }
    }

    /// Sample mean and variance of a 400×300 kernel against each initializer's law
    /// (120,000 draws: the variance's standard error is under 0.5 %; we allow 3 %).
    func testInitializerScales() {
        let (fanIn, fanOut) = (400, 300)
        let expected: [(Initializer, Float)] = [
            (.glorotUniform, 2 / Float(fanIn + fanOut)), (.glorotNormal, 2 / Float(fanIn + fanOut)),
            (.heUniform, 2 / Float(fanIn)), (.heNormal, 2 / Float(fanIn))
        ]
        for (initializer, variance) in expected {
            var rng = RandomGenerator(seed: 1)
            let net = Network(
                layers: [DenseSpec(inputs: fanIn, outputs: fanOut, activation: .relu, initializer: initializer)],
                maxBatch: 1, rng: &rng)
            let w = net.kernel(0).storage.map(Double.init)
            let mean = w.reduce(0, +) / Double(w.count)
            let v = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)
            XCTAssertEqual(mean, 0, accuracy: 3e-3 * Double(variance).squareRoot() * 10, "\(initializer)")
            XCTAssertEqual(v / Double(variance), 1, accuracy: 0.03, "\(initializer)")
            XCTAssertEqual(net.bias(0), [Float](repeating: 0, count: fanOut))
        }
        XCTAssertEqual(Initializer.recommended(for: .relu), .heUniform)
        XCTAssertEqual(Initializer.recommended(for: .sigmoid), .glorotUniform)
    }
}
