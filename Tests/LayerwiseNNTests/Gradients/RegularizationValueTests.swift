import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Weight decay and dropout by value, not only through finite differences of the same
/// loss (which an ignored λ or a wrong dropout scale would pass): the decay term and
/// its gradient against λ/2·Σ‖W‖² and λ·W computed here in Double, the dropout masks
/// against the fraction p and the scale 1/(1 − p) on the stored forward outputs.
final class RegularizationValueTests: XCTestCase {
    func data(_ n: Int, seed: UInt64, unit: Bool = false) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in unit ? rng.uniform() : rng.normal() }
    }

    func sumOfSquares(_ m: Matrix) -> Double { m.storage.reduce(0.0) { $0 + Double($1) * Double($1) } }

    /// A loss difference of two Float losses near `value` carries ≤ 1 ulp of rounding
    /// from each (each is a Double total rounded once to Float): we allow 4 ulps
    /// (measured: 0.34 and 0.13 ulp for the Network, 0.19 and 0.22 for the autoencoder).
    func lossTolerance(_ value: Float) -> Double { 4 * Double(value.ulp) }

    // MARK: Weight decay

    /// Loss and gradients of `net` on one batch with weight decay `lambda` (no dropout, no noise).
    func lossAndGradients(_ net: Network, lambda: Float, x: [Float], y: [Int32], batch: Int) -> (Float, [Float]) {
        net.configure(optimizer: .defaultAdam, weightDecay: lambda)
        var rng = RandomGenerator(seed: 1)
        let loss = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                net.lossAndGradients(
                    input: xb, batch: batch, target: .labels(yb), loss: .crossEntropy,
                    noise: .none, training: true, rng: &rng
                ).0
            }
        }
        return (loss, net.gradientValues)
    }

    /// Network: loss(λ) − loss(0) = λ/2·Σ_l ‖W_l‖² over the kernels of the trainable
    /// layers (biases not decayed); gradient(λ) − gradient(0) = λ·W on those kernels, 0
    /// on biases (bit for bit) and on frozen layers.
    func testNetworkWeightDecayByValue() {
        let specs = [
            DenseSpec(inputs: 6, outputs: 9, activation: .tanh),
            DenseSpec(inputs: 9, outputs: 7, activation: .relu),
            DenseSpec(inputs: 7, outputs: 4, activation: .softmax)
        ]
        let lambda: Float = 0.3, batch = 10
        let x = data(batch * 6, seed: 2), y: [Int32] = (0..<batch).map { Int32($0 % 4) }
        for frozenFirst in [false, true] {
            var rng = RandomGenerator(seed: 7)
            let net = Network(layers: specs, maxBatch: 16, rng: &rng)
            // Non-zero biases, so a decay wrongly applied to them would show.
            for l in 0..<3 { net.setBias(l, data(specs[l].outputs, seed: UInt64(20 + l))) }
            if frozenFirst { net.setFrozen(0, true) }
            let trainable = frozenFirst ? 1..<3 : 0..<3
            let (plain, g0) = lossAndGradients(net, lambda: 0, x: x, y: y, batch: batch)
            let (decayed, g1) = lossAndGradients(net, lambda: lambda, x: x, y: y, batch: batch)
            let term = Double(lambda) / 2 * trainable.reduce(0.0) { $0 + sumOfSquares(net.kernel($1)) }
            XCTAssertGreaterThan(term, 0.5, "the term must stand out of the rounding")
            XCTAssertEqual(Double(decayed) - Double(plain), term, accuracy: lossTolerance(decayed), "frozen first: \(frozenFirst)")

            var offset = 0
            for l in 0..<3 {
                let k = net.kernel(l).storage, nk = k.count, nb = specs[l].outputs
                for i in 0..<nk {
                    let want = trainable.contains(l) ? Double(lambda) * Double(k[i]) : 0
                    // g + λw is rounded once to Float (≤ ½ ulp of the sum) after λ·w is (≤ ½ ulp of λw).
                    let tolerance = Double(g1[offset + i].ulp) + Double((lambda * k[i]).ulp)
                    XCTAssertEqual(
                        Double(g1[offset + i]) - Double(g0[offset + i]), want, accuracy: tolerance,
                        "layer \(l) kernel[\(i)], frozen first: \(frozenFirst)")
                }
                let biasDiff = (0..<nb).map { g1[offset + nk + $0].bitPattern == g0[offset + nk + $0].bitPattern }
                XCTAssertEqual(biasDiff, [Bool](repeating: true, count: nb), "layer \(l) bias gradient")
                offset += nk + nb
            }
        }
    }

    /// Shallow autoencoder: λ/2·(‖W₁‖² + ‖W₂‖²), or λ/2·‖W‖² once when tied (one
    /// parameter); gradient λ·W on each kernel, nothing on biases.
    func testAutoencoderWeightDecayByValue() {
        let x = data(7 * 6, seed: 3, unit: true)
        for tied in [false, true] {
            func make(_ lambda: Float) -> ShallowAutoencoder {
                var rng = RandomGenerator(seed: 5)
                return ShallowAutoencoder(
                    inputs: 6, hidden: 4, activation: .sigmoid, outputActivation: .sigmoid, loss: .bce,
                    tiedWeights: tied, noise: .none, sparsity: nil, contractiveWeight: nil,
                    weightDecay: lambda, maxBatch: 8, optimizer: .defaultAdam, rng: &rng)
            }
            let lambda: Float = 0.2
            let plain = make(0), decayed = make(lambda)
            XCTAssertEqual(plain.parameterValues, decayed.parameterValues, "same seed, same start")
            var rng = RandomGenerator(seed: 1)
            let l0 = x.withUnsafeBufferPointer { plain.lossAndGradients(input: $0, batch: 7, noise: .none, rng: &rng) }
            let l1 = x.withUnsafeBufferPointer { decayed.lossAndGradients(input: $0, batch: 7, noise: .none, rng: &rng) }
            let w1 = plain.encoderKernel
            let term = Double(lambda) / 2 * (sumOfSquares(w1) + (tied ? 0 : sumOfSquares(plain.decoderKernel)))
            XCTAssertEqual(Double(l1) - Double(l0), term, accuracy: lossTolerance(l1), "tied: \(tied)")

            // Layout W₁ [6, 4], b₁ [4], W₂ [4, 6] when untied, b₂ [6].
            let p = plain.parameterValues, g0 = plain.gradientValues, g1 = decayed.gradientValues
            let kernels: [Range<Int>] = tied ? [0..<24] : [0..<24, 28..<52]
            for i in p.indices {
                let isKernel = kernels.contains { $0.contains(i) }
                let want = isKernel ? Double(lambda) * Double(p[i]) : 0
                let tolerance = Double(g1[i].ulp) + Double((lambda * p[i]).ulp)
                XCTAssertEqual(Double(g1[i]) - Double(g0[i]), want, accuracy: isKernel ? tolerance : 0, "tied \(tied), parameter \(i)")
            }
        }
    }

    // MARK: Dropout

    /// Inverted dropout with p = 0.3 after both hidden layers of a 20-400-300-5 network
    /// (sigmoid, so every unit is > 0 before dropout), batch 64, read from the stored
    /// forward outputs: about 30 % of each hidden layer's units are exactly 0, every
    /// other one is its inference value × 1/(1 − p), the next layer is computed from the
    /// dropped values, and the output layer is never dropped.
    func testDropoutZeroesAFractionPAndScalesTheRestByOneOverKeep() {
        let p: Float = 0.3, batch = 64
        let specs = [
            DenseSpec(inputs: 20, outputs: 400, activation: .sigmoid),
            DenseSpec(inputs: 400, outputs: 300, activation: .sigmoid),
            DenseSpec(inputs: 300, outputs: 5, activation: .softmax)
        ]
        var rng = RandomGenerator(seed: 8)
        let net = Network(layers: specs, maxBatch: batch, rng: &rng, dropout: p)
        let x = data(batch * 20, seed: 9)
        func forward(training: Bool) -> [[Float]] {
            x.withUnsafeBufferPointer { net.forward($0.baseAddress!, batch: batch, training: training, rng: &rng) }
            return (0..<3).map { Array(net.outputs[$0].values.prefix(batch * specs[$0].outputs)) }
        }
        let clean = forward(training: false)
        let dropped = forward(training: true)
        XCTAssertEqual(clean[2], net.predict(Matrix(rows: batch, cols: 20, storage: x)).storage, "inference has no dropout")

        for l in 0..<2 {
            let n = clean[l].count
            XCTAssertFalse(clean[l].contains(0), "sigmoid units are > 0 without dropout")
            // Binomial(n, 0.3) share: sd = √(0.21/n) = 0.0029 (layer 0, n = 25600) and 0.0033
            // (layer 1, n = 19200); 0.012 is ≥ 3.6 sd (measured 0.3083 and 0.3006), while
            // keeping p instead of dropping it (0.7) or no dropout (0) misses by ≥ 0.3.
            let zeros = dropped[l].filter { $0 == 0 }.count
            XCTAssertEqual(Double(zeros) / Double(n), Double(p), accuracy: 0.012, "layer \(l) dropped share")
        }
        // Layer 0's kept units: its inference value × 1/(1 − p) (both passes see the same
        // input): two float32 roundings (the scale, the product) and 0.7's representation,
        // ≤ 3e-7 relative (measured 6e-8). Forgetting the scale is 30 % off, × (1 − p) instead 51 %.
        var worst0 = 0.0
        for i in clean[0].indices where dropped[0][i] != 0 {
            worst0 = max(worst0, abs(Double(dropped[0][i]) / (Double(clean[0][i]) / (1 - Double(p))) - 1))
        }
        XCTAssertLessThan(worst0, 3e-7, "layer 0 kept units scaled by 1/(1 − p)")

        // Layer 1 and the output from layer 0's dropped values, in Double:
        // kept layer-1 units = σ(h₀ᵈʳᵒᵖ·W₁ + b₁)/(1 − p); output = softmax(h₁ᵈʳᵒᵖ·W₂ + b₂), not dropped.
        func dense(_ input: [Float], _ l: Int) -> [Double] {
            let w = net.kernel(l), b = net.bias(l), (nIn, nOut) = (specs[l].inputs, specs[l].outputs)
            var z = [Double](repeating: 0, count: batch * nOut)
            for r in 0..<batch {
                for c in 0..<nOut {
                    var s = Double(b[c])
                    for k in 0..<nIn { s += Double(input[r * nIn + k]) * Double(w[k, c]) }
                    z[r * nOut + c] = s
                }
            }
            return z
        }
        let z1 = dense(dropped[0], 1)
        var worst1 = 0.0
        for i in z1.indices where dropped[1][i] != 0 {
            let want = 1 / (1 + Foundation.exp(-z1[i])) / (1 - Double(p))
            worst1 = max(worst1, abs(Double(dropped[1][i]) / want - 1))
        }
        // A 400-term float32 dot product through a sigmoid and the scale (measured 7.1e-7).
        XCTAssertLessThan(worst1, 5e-6, "layer 1 = σ(dropped layer 0 · W₁ + b₁) / (1 − p)")
        let z2 = dense(dropped[1], 2)
        var worst2 = 0.0
        for r in 0..<batch {
            let row = z2[(r * 5)..<(r * 5 + 5)], m = row.max()!
            let e = row.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
            for c in 0..<5 { worst2 = max(worst2, abs(Double(dropped[2][r * 5 + c]) - e[c] / s)) }
        }
        // Probabilities from a 300-term float32 dot product (measured 7.6e-8).
        XCTAssertLessThan(worst2, 1e-6, "output = softmax(dropped layer 1 · W₂ + b₂), never dropped")
        XCTAssertFalse(dropped[2].contains(0))
    }
}
