import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Determinism, freezing and noise: properties every stage of a run relies on.
final class TrainingBehaviourTests: XCTestCase {
    func data(_ rows: Int, _ cols: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(rows * cols)).map { _ in rng.uniform() }
    }

    func trainedNetwork(seed: UInt64, frozen: [Int] = [], steps: Int = 20) -> (Network, [Float]) {
        var rng = RandomGenerator(seed: seed)
        let net = Network(
            layers: [
                DenseSpec(inputs: 12, outputs: 8, activation: .relu),
                DenseSpec(inputs: 8, outputs: 6, activation: .sigmoid),
                DenseSpec(inputs: 6, outputs: 3, activation: .softmax)
            ],
            maxBatch: 16, rng: &rng, dropout: 0.3)
        for l in frozen { net.setFrozen(l, true) }
        let before = net.parameterValues
        let x = data(16, 12, seed: 1)
        let y: [Int32] = (0..<16).map { Int32($0 % 3) }
        for _ in 0..<steps {
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    _ = net.trainStep(
                        input: xb, batch: 16, target: .labels(yb), loss: .crossEntropy,
                        noise: .masking(level: 0.2), rng: &rng)
                }
            }
        }
        return (net, before)
    }

    func testSameSeedSameBytes() {
        let (a, _) = trainedNetwork(seed: 42), (b, _) = trainedNetwork(seed: 42), (c, _) = trainedNetwork(seed: 43)
        XCTAssertEqual(a.parameterValues.map(\.bitPattern), b.parameterValues.map(\.bitPattern))
        XCTAssertNotEqual(a.parameterValues, c.parameterValues)
    }

    func testFrozenLayersAreByteIdenticalAndOthersMove() {
        let (net, before) = trainedNetwork(seed: 1, frozen: [0, 1])
        let k0 = 12 * 8 + 8, k1 = k0 + 8 * 6 + 6
        let after = net.parameterValues
        XCTAssertEqual(Array(after[0..<k1]).map(\.bitPattern), Array(before[0..<k1]).map(\.bitPattern))
        XCTAssertNotEqual(Array(after[k1...]), Array(before[k1...]))
        let (free, start) = trainedNetwork(seed: 1)
        XCTAssertNotEqual(Array(free.parameterValues[0..<k0]), Array(start[0..<k0]))
    }

    /// A frozen middle layer passes the gradient down to the trainable layer below it.
    func testFrozenMiddleLayerStillTrainsTheLayerBelow() {
        let (net, before) = trainedNetwork(seed: 2, frozen: [1])
        let k0 = 12 * 8 + 8, k1 = k0 + 8 * 6 + 6
        let after = net.parameterValues
        XCTAssertEqual(Array(after[k0..<k1]).map(\.bitPattern), Array(before[k0..<k1]).map(\.bitPattern))
        XCTAssertNotEqual(Array(after[0..<k0]), Array(before[0..<k0]))
        XCTAssertNotEqual(Array(after[k1...]), Array(before[k1...]))
    }

    func testTrainingLowersTheLoss() {
        var rng = RandomGenerator(seed: 3)
        let ae = ShallowAutoencoder(
            inputs: 20, hidden: 8, activation: .relu, outputActivation: .sigmoid, loss: .bce,
            tiedWeights: false, noise: .none, sparsity: nil, contractiveWeight: nil,
            weightDecay: 0, maxBatch: 32, optimizer: .defaultAdam, rng: &rng)
        let x = Matrix(rows: 32, cols: 20, storage: data(32, 20, seed: 4).map { $0 > 0.5 ? 1 : 0 })
        let first = ae.reconstructionLoss(x)
        for _ in 0..<200 { x.storage.withUnsafeBufferPointer { _ = ae.trainStep(input: $0, batch: 32, rng: &rng) } }
        XCTAssertLessThan(ae.reconstructionLoss(x), first * 0.8)
    }

    /// `noise` applied to all of `x`.
    func corrupt(_ x: [Float], _ noise: NoiseConfig, _ rng: inout RandomGenerator) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { noise.apply(xb.baseAddress!, $0.baseAddress!, x.count, &rng) }
        }
        return out
    }

    func testNoiseStatistics() {
        var rng = RandomGenerator(seed: 8)
        let n = 100_000
        let x = [Float](repeating: 0.5, count: n)
        var out = corrupt(x, .masking(level: 0.3), &rng)
        XCTAssertEqual(Double(out.filter { $0 == 0 }.count) / Double(n), 0.3, accuracy: 0.01)
        out = corrupt(x, .gaussian(stddev: 0.2), &rng)
        let mean = out.reduce(0, +) / Float(n)
        let sd = (out.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)).squareRoot()
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
        XCTAssertEqual(sd, 0.2, accuracy: 0.005)
        out = corrupt(x, .saltPepper(level: 0.2), &rng)
        XCTAssertEqual(Double(out.filter { $0 == 0 }.count) / Double(n), 0.1, accuracy: 0.01)
        XCTAssertEqual(Double(out.filter { $0 == 1 }.count) / Double(n), 0.1, accuracy: 0.01)
    }

    /// The vectorized Box–Muller gives standard normals: the 1σ/2σ/3σ masses, symmetric
    /// (skewness ≈ 0), kurtosis ≈ 3, and neighbours (one Box–Muller pair) uncorrelated.
    /// 200,001 draws (odd, so the scalar tail runs too): standard errors ≈ 0.001 for the
    /// masses, 0.006 for skewness, 0.011 for kurtosis, 0.003 for the pair correlation; tolerances
    /// are about 4 of them.
    func testGaussianNoiseIsStandardNormal() {
        var rng = RandomGenerator(seed: 21)
        let n = 200_001
        let d = corrupt([Float](repeating: 0, count: n), .gaussian(stddev: 1), &rng).map(Double.init)
        func mass(_ k: Double) -> Double { Double(d.filter { abs($0) < k }.count) / Double(n) }
        XCTAssertEqual(mass(1), 0.682_689, accuracy: 0.004)
        XCTAssertEqual(mass(2), 0.954_500, accuracy: 0.002)
        XCTAssertEqual(mass(3), 0.997_300, accuracy: 0.0006)
        let mean = d.reduce(0, +) / Double(n)
        let m2 = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let m3 = d.reduce(0) { $0 + pow($1 - mean, 3) } / Double(n)
        let m4 = d.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(m2, 1, accuracy: 0.013)
        XCTAssertEqual(m3 / pow(m2, 1.5), 0, accuracy: 0.025)
        XCTAssertEqual(m4 / (m2 * m2), 3, accuracy: 0.045)
        // Elements 2i and 2i+1 are the cosine and sine of one angle.
        var cross = 0.0, count = 0
        for i in stride(from: 0, to: n - 1, by: 2) { cross += d[i] * d[i + 1]; count += 1 }
        XCTAssertEqual(cross / Double(count), 0, accuracy: 0.012)
        XCTAssertTrue(d.allSatisfy(\.isFinite))
    }

    func testDerivedStreamsDiffer() {
        let base = RandomGenerator(seed: 7)
        var a = base.derived(1), b = base.derived(2), a2 = base.derived(1)
        XCTAssertNotEqual(a.nextUInt64(), b.nextUInt64())
        var a3 = base.derived(1)
        XCTAssertEqual(a2.nextUInt64(), a3.nextUInt64())
    }
}
