import Foundation
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The VAE: gradients of the whole loss (reconstruction + β·KL through the
/// reparameterisation) against central differences at a fixed ε, its terms against a
/// direct computation, and that training lowers the loss.
extension GradientCheckTests {
    func makeVAE(_ loss: Loss, activation: Activation, output: Activation, beta: Float, decay: Float = 0) -> VariationalAutoencoder {
        var rng = RandomGenerator(seed: 31)
        return VariationalAutoencoder(
            inputs: 6, hidden: [5, 4], latent: 3, activation: activation, outputActivation: output,
            loss: loss, beta: beta, maxBatch: 8, optimizer: .defaultAdam, weightDecay: decay, rng: &rng)
    }

    func checkVAE(_ vae: VariationalAutoencoder, unitInputs: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let batch = 4
        let x = randomInput(batch * vae.inputs, seed: 41, unit: unitInputs)
        let eps = randomInput(batch * vae.latent, seed: 42)
        func lossAt(_ p: [Float]) -> Float {
            vae.parameterValues = p
            vae.setNoise(eps)
            var rng = RandomGenerator(seed: 1)
            return x.withUnsafeBufferPointer { vae.lossAndGradients(input: $0, batch: batch, rng: &rng).loss }
        }
        let p0 = vae.parameterValues
        _ = lossAt(p0)
        let analytic = vae.gradientValues
        check(params: p0, analytic: analytic, file: file, line: line, loss: lossAt)
        vae.parameterValues = p0
    }

    func testVAEGradientsWithBCE() {
        // Smooth units: a ReLU kink within h of a pre-activation spoils central differences.
        checkVAE(makeVAE(.bce, activation: .sigmoid, output: .sigmoid, beta: 1), unitInputs: true)
    }

    func testVAEGradientsWithSquaredErrorBetaAndWeightDecay() {
        checkVAE(makeVAE(.mse, activation: .tanh, output: .identity, beta: 0.5, decay: 0.01), unitInputs: false)
    }

    func testVAETermsMatchADirectComputation() {
        let vae = makeVAE(.bce, activation: .relu, output: .sigmoid, beta: 2)
        let batch = 4
        let x = randomInput(batch * 6, seed: 7, unit: true)
        let eps = randomInput(batch * 3, seed: 8)
        vae.setNoise(eps)
        var rng = RandomGenerator(seed: 1)
        let terms = x.withUnsafeBufferPointer { vae.lossAndGradients(input: $0, batch: batch, rng: &rng) }

        // Encoder statistics through the saved layers, in Double.
        func dense(_ v: [Double], _ l: DenseLayer) -> [Double] {
            (0..<l.kernel.cols).map { j in
                let a = Double(l.bias[j]) + v.indices.reduce(0.0) { $0 + v[$1] * Double(l.kernel[$1, j]) }
                switch l.activation {
                case .relu: return max(a, 0)
                case .sigmoid: return 1 / (1 + exp(-a))
                default: return a
                }
            }
        }
        let enc = vae.encoderLayers, lv = vae.logVarianceLayer
        XCTAssertEqual(lv.activation, .identity)
        var kl = 0.0, recon = 0.0
        for b in 0..<batch {
            var h = (0..<6).map { Double(x[b * 6 + $0]) }
            for l in enc.dropLast() { h = dense(h, l) }
            let mu = dense(h, enc[enc.count - 1])
            let logVar = dense(h, lv)
            var z = [Double](repeating: 0, count: 3)
            for j in 0..<3 {
                let term: Double = 1 + logVar[j] - mu[j] * mu[j] - exp(logVar[j])
                kl -= 0.5 * term
                z[j] = mu[j] + exp(0.5 * logVar[j]) * Double(eps[b * 3 + j])
            }
            for l in vae.decoderLayers { z = dense(z, l) }
            for i in 0..<6 {
                let t = Double(x[b * 6 + i]), y = z[i]
                recon -= t * log(y) + (1 - t) * log(1 - y)
            }
        }
        XCTAssertEqual(Double(terms.kl), kl / Double(batch), accuracy: 1e-5 * max(1, kl))
        XCTAssertEqual(Double(terms.reconstruction), recon / Double(batch), accuracy: 1e-4 * max(1, recon))
        XCTAssertEqual(terms.loss, terms.reconstruction + 2 * terms.kl, accuracy: 1e-5 * terms.loss)
        // μ is the feature: encodeMean gives the μ layer's output.
        let m = vae.encodeMean(Matrix(rows: batch, cols: 6, storage: x))
        var h = (0..<6).map { Double(x[$0]) }
        for l in enc { h = dense(h, l) }
        for j in 0..<3 { XCTAssertEqual(Double(m[0, j]), h[j], accuracy: 1e-5) }
    }

    func testVAETrainingLowersTheLoss() {
        var rng = RandomGenerator(seed: 3)
        let vae = VariationalAutoencoder(
            inputs: 8, hidden: [16], latent: 2, activation: .relu, outputActivation: .sigmoid,
            loss: .bce, beta: 1, maxBatch: 32, optimizer: .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), rng: &rng)
        // Two binary prototypes with noise: an easy 2-d manifold.
        var data = RandomGenerator(seed: 4)
        var x: [Float] = []
        for r in 0..<32 {
            for i in 0..<8 {
                let on = (i < 4) == (r % 2 == 0)
                let v: Float = (on ? 0.9 : 0.1) + 0.05 * data.normal()
                x.append(min(max(v, 0), 1))
            }
        }
        var first: Float = 0, last: Float = 0
        x.withUnsafeBufferPointer { xb in
            for step in 0..<300 {
                let t = vae.trainStep(input: xb, batch: 32, rng: &rng)
                if step == 0 { first = t.loss }
                last = t.loss
            }
        }
        XCTAssertLessThan(last, 0.7 * first, "\(first) → \(last)")
    }
}
