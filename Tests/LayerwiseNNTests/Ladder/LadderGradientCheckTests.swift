import CLayerwiseKernels
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The ladder network's analytic gradients (Float32, the engine) against central
/// differences of the same cost written out in Double (`LadderReference`, h = 1e-5).
///
/// In Double the differences are exact to ~1e-9 (truncation h²/6·f‴ ~ 1e-10, rounding
/// 1e-16/h ~ 1e-11), so what remains is the engine's Float32 rounding: a gradient is a
/// sum over the batch of products of values ~1 each rounded to ~6e-8, through batch
/// normalisations that divide by stds below 1, so ~1e-5 relative after cancellation. We
/// accept |analytic − numeric| ≤ 1e-5 + 1e-4·|numeric| per coordinate. Each check prints
/// its worst error and the share of that bound it used: at most 0.12 (the sigmoid ladder,
/// 2.3e-5 on a gradient of ~2), 0.10 on the softmax layer's denoising cost, ≤ 0.03
/// elsewhere. A wrong term (a missing 1/n, a dropped statistics gradient, a sign) misses
/// the bound by orders of magnitude.
final class LadderGradientCheckTests: XCTestCase {
    let h = 1e-5

    func randoms(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in rng.normal() * scale }
    }

    func check(
        _ name: String, analytic: [Float], at x: [Double], tolerance: Double = 1e-5, relative: Double = 1e-4,
        file: StaticString = #filePath, line: UInt = #line, _ f: ([Double]) -> Double
    ) {
        XCTAssertEqual(analytic.count, x.count, file: file, line: line)
        var worstAbs = 0.0, worstShare = 0.0, p = x
        for i in x.indices {
            p[i] = x[i] + h; let up = f(p)
            p[i] = x[i] - h; let down = f(p)
            p[i] = x[i]
            let numeric = (up - down) / (2 * h)
            let err = abs(Double(analytic[i]) - numeric)
            worstAbs = max(worstAbs, err)
            worstShare = max(worstShare, err / (tolerance + relative * abs(numeric)))
            if err > tolerance + relative * abs(numeric) {
                XCTFail("\(name) coordinate \(i): analytic \(analytic[i]) numeric \(numeric)", file: file, line: line)
                return
            }
        }
        print("\(name): worst |analytic − numeric| = \(worstAbs), at most \(worstShare) of the tolerance")
    }

    // MARK: Pieces

    /// Batch normalisation in training mode, with gradients arriving on the output and on
    /// the batch mean and std (as the clean pass's statistics receive them).
    func testBatchNormTraining() {
        let n = 7, d = 5
        let x = randoms(n * d, seed: 1, scale: 2), wz = randoms(n * d, seed: 2), wm = randoms(d, seed: 3), ws = randoms(d, seed: 4)
        var out = [Float](repeating: 0, count: n * d), mean = [Float](repeating: 0, count: d), v = mean, s = mean
        lw_bn_forward(x, &out, &mean, &v, &s, Int32(n), Int32(d), LadderNetwork.epsilon)
        var dx = [Float](repeating: 0, count: n * d), scratch = [Float](repeating: 0, count: 2 * d)
        lw_bn_backward(wz, out, s, wm, ws, &dx, &scratch, Int32(n), Int32(d))
        let ref = LadderReference(widths: [d], activation: .identity, lambdas: [])
        check("batch norm", analytic: dx, at: x.map(Double.init)) { p in
            let (o, m, sd) = ref.batchNorm(p, n, d)
            return zip(o, wz).map { $0 * Double($1) }.reduce(0, +) + zip(m, wm).map { $0 * Double($1) }.reduce(0, +)
                + zip(sd, ws).map { $0 * Double($1) }.reduce(0, +)
        }
    }

    /// The vanilla combinator: gradients with respect to z̃, u and all ten parameters.
    func testCombinator() {
        let n = 6, d = 4
        let zc = randoms(n * d, seed: 5), u = randoms(n * d, seed: 6), a = randoms(10 * d, seed: 7), w = randoms(n * d, seed: 8)
        var dzc = [Float](repeating: 0, count: n * d), du = dzc, da = [Float](repeating: 0, count: 10 * d)
        lw_combinator_backward(w, zc, u, a, &dzc, &du, &da, Int32(n), Int32(d))
        var zhat = [Float](repeating: 0, count: n * d)
        lw_combinator_forward(zc, u, a, &zhat, Int32(n), Int32(d))
        let expected = LadderReference.combinator(zc.map(Double.init), u.map(Double.init), a.map(Double.init), n, d)
        for i in zhat.indices { XCTAssertEqual(Double(zhat[i]), expected[i], accuracy: 1e-5 * max(1, abs(expected[i]))) }
        let all = (zc + u + a).map(Double.init)
        check("combinator", analytic: dzc + du + da, at: all) { p in
            let g = LadderReference.combinator(Array(p[0..<(n * d)]), Array(p[(n * d)..<(2 * n * d)]), Array(p[(2 * n * d)...]), n, d)
            return zip(g, w).map { $0 * Double($1) }.reduce(0, +)
        }
    }

    /// The denoising cost kernel alone: gradients into ẑ, the clean z and the clean statistics.
    func testDenoisingCostKernel() {
        let n = 5, d = 3, lambda = 0.7
        let zh = randoms(n * d, seed: 9), zc = randoms(n * d, seed: 10), m = randoms(d, seed: 11)
        let s = randoms(d, seed: 12).map { abs($0) + 0.5 }
        var gh = [Float](repeating: 0, count: n * d), gc = gh, gm = [Float](repeating: 0, count: d), gs = gm
        _ = lw_denoising_cost(zh, zc, m, s, Int32(n), Int32(d), Float(2 * lambda) / Float(n * d), &gh, &gc, &gm, &gs)
        check("denoising cost", analytic: gh + gc + gm + gs, at: (zh + zc + m + s).map(Double.init)) { p in
            var total = 0.0
            for i in 0..<n {
                for j in 0..<d {
                    let e = (p[i * d + j] - p[2 * n * d + j]) / p[2 * n * d + d + j] - p[n * d + i * d + j]
                    total += e * e
                }
            }
            return lambda * total / Double(n * d)
        }
    }

    // MARK: The whole network

    /// Builds a small ladder with every parameter drawn away from its initial value (so
    /// no combinator is degenerate), draws one step's noise, and checks every parameter's
    /// gradient of the cost against the Double reference.
    func checkLadder(
        _ name: String, activation: Activation, lambdas: [Float], labeled m: Int = 4,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let widths = [5, 4, 3, 3], n = 6
        let spec = LadderSpec(inputs: 5, hidden: [4, 3], classes: 3, activation: activation, noise: 0.3, denoisingWeights: lambdas)
        var rng = RandomGenerator(seed: 21)
        let net = LadderNetwork(spec, maxBatch: 8, rng: &rng)
        let p0 = zip(net.parameterValues, randoms(net.parameterValues.count, seed: 22, scale: 0.5)).map(+)
        net.parameterValues = p0
        let x = randoms(n * 5, seed: 23), xl = randoms(m * 5, seed: 24)
        let labels: [Int32] = (0..<m).map { Int32($0 % 3) }
        var noiseRNG = RandomGenerator(seed: 25)
        net.drawNoise(&noiseRNG, unlabeled: n, labeled: m)
        let total = x.withUnsafeBufferPointer { xb in
            xl.withUnsafeBufferPointer { lb in
                labels.withUnsafeBufferPointer { yb in
                    net.lossAndGradients(
                        unlabeled: xb.baseAddress!, rows: n, labeled: lb.baseAddress, labels: yb.baseAddress,
                        labeledRows: m)
                }
            }
        }
        let noise = (0...3).map { l in
            Array(UnsafeBufferPointer(start: net.corrupted.noise[l].pointer, count: n * widths[l])).map(Double.init)
        }
        let labeledNoise = (0...3).map { l in
            Array(UnsafeBufferPointer(start: net.labeled.noise[l].pointer, count: m * widths[l])).map(Double.init)
        }
        let ref = LadderReference(widths: widths, activation: activation, lambdas: lambdas.map(Double.init))
        let cost = { (p: [Double]) in
            ref.cost(
                p, x: x.map(Double.init), n: n, xl: xl.map(Double.init), labels: labels.map(Int.init), m: m,
                noise: noise, labeledNoise: labeledNoise)
        }
        let (refTotal, refSup, refDen) = cost(p0.map(Double.init))
        XCTAssertEqual(total, refTotal, accuracy: 1e-5 * max(1, abs(refTotal)), "\(name): total cost", file: file, line: line)
        XCTAssertEqual(net.lastSupervised, refSup, accuracy: 1e-5 * max(1, refSup), file: file, line: line)
        for l in 0...3 { XCTAssertEqual(net.lastDenoising[l], refDen[l], accuracy: 1e-5 * max(1, refDen[l]), file: file, line: line) }
        check(name, analytic: net.gradientValues, at: p0.map(Double.init), file: file, line: line) { cost($0).0 }
    }

    /// Each denoising cost alone (λ one-hot, no labeled rows): the input's, each hidden
    /// layer's, the softmax layer's (the Γ-model).
    func testEveryDenoisingCost() {
        for l in 0...3 {
            var lambdas: [Float] = [0, 0, 0, 0]
            lambdas[l] = 1
            checkLadder("denoising layer \(l)", activation: .tanh, lambdas: lambdas, labeled: 0)
        }
    }

    func testSupervisedCostAlone() {
        checkLadder("cross-entropy", activation: .tanh, lambdas: [0, 0, 0, 0])
    }

    func testWholeLossReLU() {
        checkLadder("whole ladder, relu", activation: .relu, lambdas: [2, 1, 0.5, 0.3])
    }

    func testWholeLossSigmoid() {
        checkLadder("whole ladder, sigmoid", activation: .sigmoid, lambdas: [3, 0.5, 0.2, 0.1])
    }
}
