import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// One forward pass of a tiny ladder network (2-2-2, 3 unlabeled and 2 labeled rows)
/// against values computed independently in numpy by Tests/Python/ladder_forward.py
/// (parameters and noise from the formulas given there).
final class LadderForwardTests: XCTestCase {
    func testForwardPassMatchesNumpy() {
        let spec = LadderSpec(
            inputs: 2, hidden: [2], classes: 2, activation: .relu, noise: 0.3,
            denoisingWeights: [1000, 10, 0.1])
        var rng = RandomGenerator(seed: 0)
        let net = LadderNetwork(spec, maxBatch: 4, rng: &rng)
        XCTAssertEqual(net.parameterValues.count, 82)
        net.parameterValues = (0..<82).map { Float(0.1 * Double((7 * $0) % 11) - 0.5) }
        var k = 0
        for pass in [net.corrupted, net.labeled] {
            let rows = pass === net.corrupted ? 3 : 2
            for l in 0...2 {
                for i in 0..<(rows * 2) { pass.noise[l].pointer[i] = Float(0.3 * Double((5 * (k + i)) % 7) / 3 - 0.3) }
                k += rows * 2
            }
        }
        let x: [Float] = [0.1, 0.9, 0.5, 0.2, 0.8, 0.4], xl: [Float] = [0.3, 0.7, 0.6, 0.1], y: [Int32] = [1, 0]
        let total = net.lossAndGradients(unlabeled: x, rows: 3, labeled: xl, labels: y, labeledRows: 2)

        func close(_ a: [Float], _ b: [Double], _ what: String) {
            XCTAssertEqual(a.count, b.count, what)
            for (u, v) in zip(a, b) { XCTAssertEqual(Double(u), v, accuracy: 2e-6 * max(1, abs(v)), what) }
        }
        XCTAssertEqual(net.lastSupervised, 0.700270642, accuracy: 1e-6)
        close(net.lastDenoising.map(Float.init), [965.254405, 743.050263, 4.36718307], "denoising costs")
        XCTAssertEqual(total, 1713.37212, accuracy: 1713.37212 * 2e-6)
        close(
            Array(UnsafeBufferPointer(start: net.clean.h[1].pointer, count: 6)),
            [1.06969743, 0.842631076, 0.506647309, 0, 0, 0], "clean h1")
        close(
            Array(UnsafeBufferPointer(start: net.corrupted.h[2].pointer, count: 6)),
            [0.496339948, 0.503660052, 0.443371393, 0.556628607, 0.4556496, 0.5443504], "corrupted softmax")
        close(
            Array(UnsafeBufferPointer(start: net.decoder.zhat[0].pointer, count: 6)),
            [-0.871370385, 0.0110256212, -0.638233881, 0.792559608, -0.752715812, 0.392195729], "ẑ_0")
    }

    /// The folded Dense layers reproduce the clean pass with the running statistics.
    func testFoldedLayersMatchTheCleanInferencePass() {
        let spec = LadderSpec(
            inputs: 6, hidden: [5, 4], classes: 3, activation: .relu, noise: 0.3,
            denoisingWeights: [1000, 10, 0.1, 0.1])
        var rng = RandomGenerator(seed: 3)
        let net = LadderNetwork(spec, maxBatch: 16, rng: &rng)
        var data = RandomGenerator(seed: 4)
        let x = Matrix(rows: 40, cols: 6, storage: (0..<240).map { _ in data.uniform() })
        let labels: [Int32] = (0..<16).map { Int32($0 % 3) }
        x.storage.withUnsafeBufferPointer { xb in
            for step in 0..<30 {
                let start = (step * 16) % 24
                net.trainStep(
                    unlabeled: xb.baseAddress! + start * 6, rows: 16, labeled: xb.baseAddress!, labels: labels,
                    labeledRows: 16, rng: &data)
            }
        }
        let direct = net.predict(x)
        let folded = InferenceNetwork(net.foldedLayers).predict(x)
        var worst: Float = 0
        for (a, b) in zip(direct.storage, folded.storage) { worst = max(worst, abs(a - b)) }
        XCTAssertLessThan(worst, 1e-5)
        print("folded vs clean inference pass: max |Δp| = \(worst)")
    }
}
