import Foundation
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The RBM against direct computations in Double on models small enough to enumerate:
/// free energy by summing over every hidden state, CD-k/PCD-k updates by a plain
/// re-implementation drawing the same random numbers, and training raising the exact
/// log-likelihood (partition function by enumerating every visible state).
final class RBMTests: XCTestCase {
    let nv = 5, nh = 3

    func makeRBM(
        _ units: VisibleUnits, cdSteps: Int = 1, persistent: Bool = false, batch: Int = 4,
        lr: Float = 0.1, momentum: Float = 0, decay: Float = 0
    ) -> RBM {
        var rng = RandomGenerator(seed: 11)
        let rbm = RBM(
            visible: nv, hidden: nh, visibleUnits: units, cdSteps: cdSteps, persistent: persistent,
            learningRate: lr, momentum: momentum, weightDecay: decay, maxBatch: batch, rng: &rng)
        // Weights large enough that every term matters (the default init is N(0, 0.01²)).
        var p = RandomGenerator(seed: 12)
        rbm.parameterValues = (0..<rbm.parameterValues.count).map { _ in 0.3 * p.normal() }
        return rbm
    }

    struct Params {
        var w: [[Double]], b: [Double], c: [Double]
        init(_ flat: [Float], nv: Int, nh: Int) {
            w = (0..<nv).map { i in (0..<nh).map { j in Double(flat[i * nh + j]) } }
            b = (0..<nv).map { Double(flat[nv * nh + $0]) }
            c = (0..<nh).map { Double(flat[nv * nh + nv + $0]) }
        }
    }

    func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// −E(v, h).
    func negEnergy(_ v: [Double], _ h: [Double], _ p: Params, _ units: VisibleUnits) -> Double {
        var e = 0.0
        for i in v.indices {
            e += units == .bernoulli ? p.b[i] * v[i] : -0.5 * (v[i] - p.b[i]) * (v[i] - p.b[i])
            for j in h.indices { e += v[i] * p.w[i][j] * h[j] }
        }
        for j in h.indices { e += p.c[j] * h[j] }
        return e
    }

    func states(_ n: Int) -> [[Double]] {
        (0..<(1 << n)).map { s in (0..<n).map { Double((s >> $0) & 1) } }
    }

    /// F(v) = −log Σ_h exp(−E(v, h)).
    func enumeratedFreeEnergy(_ v: [Double], _ p: Params, _ units: VisibleUnits) -> Double {
        -log(states(nh).map { exp(negEnergy(v, $0, p, units)) }.reduce(0, +))
    }

    func testFreeEnergyMatchesSumOverHiddenStates() {
        for units in VisibleUnits.allCases {
            let rbm = makeRBM(units)
            let p = Params(rbm.parameterValues, nv: nv, nh: nh)
            var rng = RandomGenerator(seed: 5)
            let x = Matrix(rows: 6, cols: nv, storage: (0..<(6 * nv)).map { _ in units == .bernoulli ? rng.uniform() : 1.5 * rng.normal() })
            let f = rbm.freeEnergy(x)
            for r in 0..<x.rows {
                let v = (0..<nv).map { Double(x[r, $0]) }
                let want = enumeratedFreeEnergy(v, p, units)
                XCTAssertEqual(f[r], want, accuracy: 1e-4 * max(1, abs(want)), "\(units) row \(r)")
            }
        }
    }

    /// The sampling rule of `RBM.sampleBernoulli`, restated.
    func sample(_ probs: [Double], _ rng: inout RandomGenerator) -> [Double] {
        var out: [Double] = []
        var bits: UInt64 = 0
        for (k, q) in probs.enumerated() {
            if k % 4 == 0 { bits = rng.next() }
            out.append(Float(bits & 0xFFFF) < Float(q) * 65_536 ? 1 : 0)
            bits >>= 16
        }
        return out
    }

    /// CD-k / PCD-k gradient of one batch, step by step in Double.
    func referenceGradients(
        _ v0: [[Double]], _ p: Params, _ units: VisibleUnits, k: Int,
        chain: inout [[Double]]?, _ rng: inout RandomGenerator
    ) -> [Double] {
        func hidden(_ v: [Double]) -> [Double] {
            (0..<nh).map { j in sigmoid(p.c[j] + (0..<nv).map { v[$0] * p.w[$0][j] }.reduce(0, +)) }
        }
        func visible(_ h: [Double]) -> [Double] {
            (0..<nv).map { i in
                let a = p.b[i] + (0..<nh).map { p.w[i][$0] * h[$0] }.reduce(0, +)
                return units == .bernoulli ? sigmoid(a) : a
            }
        }
        let B = v0.count
        let p0 = v0.map(hidden)
        let h0 = sample(p0.flatMap { $0 }, &rng)
        var vk = (0..<B).map { visible(Array(h0[($0 * nh)..<(($0 + 1) * nh)])) }
        if let fantasy = chain {
            let pc = sample(fantasy.map(hidden).flatMap { $0 }, &rng)
            vk = (0..<B).map { visible(Array(pc[($0 * nh)..<(($0 + 1) * nh)])) }
        }
        var pk = vk.map(hidden)
        for _ in 1..<k {
            let hk = sample(pk.flatMap { $0 }, &rng)
            vk = (0..<B).map { visible(Array(hk[($0 * nh)..<(($0 + 1) * nh)])) }
            pk = vk.map(hidden)
        }
        if chain != nil { chain = vk }
        var g = [Double](repeating: 0, count: nv * nh + nv + nh)
        for r in 0..<B {
            for i in 0..<nv {
                for j in 0..<nh { g[i * nh + j] += (vk[r][i] * pk[r][j] - v0[r][i] * p0[r][j]) / Double(B) }
                g[nv * nh + i] += (vk[r][i] - v0[r][i]) / Double(B)
            }
            for j in 0..<nh { g[nv * nh + nv + j] += (pk[r][j] - p0[r][j]) / Double(B) }
        }
        return g
    }

    func checkUpdates(_ units: VisibleUnits, k: Int, persistent: Bool) {
        let batch = 4, lr: Float = 0.05, mu: Float = 0.8, decay: Float = 0.01
        let rbm = makeRBM(units, cdSteps: k, persistent: persistent, batch: batch, lr: lr, momentum: mu, decay: decay)
        var dataRNG = RandomGenerator(seed: 21)
        var rng = RandomGenerator(seed: 99)
        var refRNG = RandomGenerator(seed: 99)
        var chain: [[Double]]? = nil
        var velocity = [Double](repeating: 0, count: rbm.parameterValues.count)
        var params = rbm.parameterValues.map(Double.init)
        for step in 0..<5 {
            let v0 = (0..<batch).map { _ in
                (0..<nv).map { _ in Double(units == .bernoulli ? (dataRNG.uniform() < 0.4 ? 1 : 0) : dataRNG.normal()) }
            }
            if persistent && chain == nil { chain = v0 }
            let p = Params(params.map(Float.init), nv: nv, nh: nh)
            var g = referenceGradients(v0, p, units, k: k, chain: &chain, &refRNG)
            for i in 0..<(nv * nh) { g[i] += Double(decay) * params[i] }
            let flat = v0.flatMap { $0 }.map(Float.init)
            // A momentum and learning-rate schedule: new settings, the velocity kept.
            let stepMu: Float = step < 2 ? mu : 0.5, stepLR: Float = step < 3 ? lr : 0.02
            rbm.momentum = stepMu
            rbm.learningRate = stepLR
            flat.withUnsafeBufferPointer { _ = rbm.trainStep(input: $0, batch: batch, rng: &rng) }
            let got = rbm.gradientValues
            if let chain {
                let fantasy = rbm.fantasyParticles
                for (i, want) in chain.flatMap({ $0 }).enumerated() {
                    XCTAssertEqual(Double(fantasy[i]), want, accuracy: 1e-5, "fantasy particle \(i) after step \(step)")
                }
            }
            for i in g.indices {
                XCTAssertEqual(Double(got[i]), g[i], accuracy: 1e-5, "\(units) CD-\(k) persistent \(persistent) step \(step) gradient \(i)")
            }
            // SGD with momentum, PyTorch's form: buf ← μ·buf + g (buf = g at first); θ ← θ − lr·buf.
            for i in params.indices {
                velocity[i] = step == 0 ? g[i] : Double(stepMu) * velocity[i] + g[i]
                params[i] -= Double(stepLR) * velocity[i]
            }
            let now = rbm.parameterValues
            for i in params.indices { XCTAssertEqual(Double(now[i]), params[i], accuracy: 1e-5, "parameter \(i) after step \(step)") }
            params = now.map(Double.init)  // keep Float rounding from accumulating
        }
    }

    func testCD1UpdatesMatchDirectComputation() { checkUpdates(.bernoulli, k: 1, persistent: false) }
    func testCD3UpdatesMatchDirectComputation() { checkUpdates(.bernoulli, k: 3, persistent: false) }
    func testGaussianVisibleCD1MatchesDirectComputation() { checkUpdates(.gaussian, k: 1, persistent: false) }
    func testPersistentCDCarriesTheChainOver() { checkUpdates(.bernoulli, k: 2, persistent: true) }

    /// Mean exact log-likelihood of binary data: −F(v) − log Z, Z over all 2^nv visible states.
    func logLikelihood(_ rbm: RBM, _ data: [[Double]]) -> Double {
        let p = Params(rbm.parameterValues, nv: nv, nh: nh)
        let logZ = log(states(nv).map { exp(-enumeratedFreeEnergy($0, p, .bernoulli)) }.reduce(0, +))
        return data.map { -enumeratedFreeEnergy($0, p, .bernoulli) - logZ }.reduce(0, +) / Double(data.count)
    }

    func testTrainingRaisesTheExactLikelihood() {
        // Two prototypes with 10 % bit flips.
        var rng = RandomGenerator(seed: 3)
        let prototypes: [[Double]] = [[1, 1, 0, 0, 1], [0, 0, 1, 1, 0]]
        let data = (0..<64).map { r in prototypes[r % 2].map { rng.uniform() < 0.1 ? 1 - $0 : $0 } }
        let flat = data.flatMap { $0 }.map(Float.init)
        for persistent in [false, true] {
            var initRNG = RandomGenerator(seed: 1)
            let rbm = RBM(
                visible: nv, hidden: nh, visibleUnits: .bernoulli, cdSteps: 1, persistent: persistent,
                learningRate: 0.1, momentum: 0.5, weightDecay: 0, maxBatch: 16, rng: &initRNG)
            let before = logLikelihood(rbm, data)
            var sampleRNG = RandomGenerator(seed: 2)
            flat.withUnsafeBufferPointer { all in
                for step in 0..<400 {
                    let start = (step % 4) * 16 * nv
                    rbm.trainStep(input: UnsafeBufferPointer(rebasing: all[start..<(start + 16 * nv)]), batch: 16, rng: &sampleRNG)
                }
            }
            let after = logLikelihood(rbm, data)
            // Uniform model: 5·log ½ = −3.47; the data's entropy bound is about −2.3.
            XCTAssertGreaterThan(after, before + 0.5, "persistent \(persistent): \(before) → \(after)")
            let m = Matrix(rows: data.count, cols: nv, storage: flat)
            XCTAssertLessThan(rbm.reconstructionError(m), 0.1)
        }
    }

    func testVisibleBiasesFromDataMeans() {
        var rng = RandomGenerator(seed: 1)
        let rbm = RBM(
            visible: 2, hidden: 2, visibleUnits: .bernoulli, learningRate: 0.1, momentum: 0, weightDecay: 0, maxBatch: 4, rng: &rng)
        rbm.initializeVisibleBiases(from: Matrix(rows: 4, cols: 2, storage: [1, 0, 1, 0, 1, 0, 0, 0]))
        XCTAssertEqual(Double(rbm.visibleBias[0]), log(0.75 / 0.25), accuracy: 1e-6)
        XCTAssertEqual(Double(rbm.visibleBias[1]), log(0.001 / 0.999), accuracy: 1e-5)
    }
}
