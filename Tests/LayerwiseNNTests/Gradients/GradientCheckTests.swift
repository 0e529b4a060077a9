import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Analytic gradients against central finite differences of the loss.
///
/// The engine computes in Float32, so differences use a step h = 1e-2 on small
/// networks. Two errors remain in (up − down)/2h: the curvature term h²/6·f‴, ~1e-4
/// relative for these smooth activations (measured up to 1.1e-3 relative, 3.3e-3 on the
/// VAE's exp(log σ²)), and Float32 rounding of the two losses: each is a sum of 50–800
/// rounded terms, off by ~1e-7 to 1e-6, which divided by 2h is 1e-5 to 5e-5 absolute.
/// We accept |analytic − numeric| ≤ 1e-4 + 2e-3·|numeric| per coordinate: over every
/// check here and in VAETests the worst |analytic − numeric| − 2e-3·|numeric| measured
/// 4.0e-5 (VAE, squared error), 1.6e-5 outside the VAE. A wrong term (a missing factor
/// 2, a dropped bias gradient, a sign, an ignored λ) misses that by orders of magnitude.
final class GradientCheckTests: XCTestCase {
    let h: Float = 1e-2

    func randomInput(_ n: Int, seed: UInt64, unit: Bool = false) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in unit ? rng.uniform() : rng.normal() }
    }

    /// Compares every gradient coordinate of `params` with central differences of `loss`.
    func check(
        params: [Float], analytic: [Float], tolerance: Float = 1e-4, relative: Float = 2e-3,
        file: StaticString = #filePath, line: UInt = #line, loss: ([Float]) -> Float
    ) {
        XCTAssertEqual(params.count, analytic.count, file: file, line: line)
        var worst: Float = 0
        var p = params
        for i in params.indices {
            let x = p[i]
            p[i] = x + h; let up = loss(p)
            p[i] = x - h; let down = loss(p)
            p[i] = x
            let numeric = (up - down) / (2 * h)
            let err = abs(analytic[i] - numeric)
            worst = max(worst, err - relative * abs(numeric))
            if err > tolerance + relative * abs(numeric) {
                XCTFail("coordinate \(i): analytic \(analytic[i]) numeric \(numeric)", file: file, line: line)
                return
            }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, file: file, line: line)
    }

    /// With `dropout` or `noise`, every evaluation restarts the generator from one seed,
    /// so the masks are the same at p, p + h and p − h and the loss is a smooth function
    /// of the parameters again.
    func checkNetwork(
        _ specs: [DenseSpec], loss: Loss, labels: Bool, weightDecay: Float = 0, dropout: Float = 0,
        noise: NoiseConfig = .none, anchored: Range<Int>? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        var rng = RandomGenerator(seed: 11)
        let net = Network(layers: specs, maxBatch: 8, rng: &rng, dropout: dropout)
        net.configure(optimizer: .defaultAdam, weightDecay: weightDecay)
        if let anchored {
            // Anchor at the initial kernels, then move away from them so W − W₀ is not 0.
            net.anchorKernels(anchored)
            let shift = randomInput(net.parameterValues.count, seed: 3)
            net.parameterValues = zip(net.parameterValues, shift).map { $0 + 0.5 * $1 }
        }
        let batch = 5
        let x = randomInput(batch * specs[0].inputs, seed: 1)
        let outputs = specs.last!.outputs
        let t = randomInput(batch * outputs, seed: 2, unit: true)
        let y: [Int32] = (0..<batch).map { Int32($0 % outputs) }
        func lossAt(_ p: [Float]) -> Float {
            net.parameterValues = p
            var rng = RandomGenerator(seed: 12)
            return x.withUnsafeBufferPointer { xb in
                t.withUnsafeBufferPointer { tb in
                    y.withUnsafeBufferPointer { yb in
                        net.lossAndGradients(
                            input: xb, batch: batch, target: labels ? .labels(yb) : .values(tb),
                            loss: loss, noise: noise, training: true, rng: &rng
                        ).0
                    }
                }
            }
        }
        let p0 = net.parameterValues
        _ = lossAt(p0)
        let analytic = net.gradientValues
        check(params: p0, analytic: analytic, file: file, line: line, loss: lossAt)
    }

    func testEveryHiddenActivationWithMSE() {
        for act in [Activation.sigmoid, .tanh, .identity, .relu, .leakyRelu, .softmax] {
            checkNetwork(
                [
                    DenseSpec(inputs: 4, outputs: 6, activation: act),
                    DenseSpec(inputs: 6, outputs: 3, activation: .identity)
                ], loss: .mse, labels: false)
        }
    }

    func testOutputActivationsUnderMSE() {
        for act in [Activation.sigmoid, .tanh, .relu] {
            checkNetwork(
                [
                    DenseSpec(inputs: 4, outputs: 5, activation: .tanh),
                    DenseSpec(inputs: 5, outputs: 3, activation: act)
                ], loss: .mse, labels: false)
        }
    }

    func testBCEOnSigmoidLogits() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 5, activation: .relu),
                DenseSpec(inputs: 5, outputs: 6, activation: .sigmoid)
            ], loss: .bce, labels: false)
    }

    func testSoftmaxCrossEntropyThroughThreeLayers() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 6, activation: .sigmoid),
                DenseSpec(inputs: 6, outputs: 5, activation: .tanh),
                DenseSpec(inputs: 5, outputs: 4, activation: .softmax)
            ], loss: .crossEntropy, labels: true)
    }

    /// Cross-entropy against weighted class distributions (pseudo-labels): −Σⱼ tⱼ·log pⱼ.
    func testSoftTargetCrossEntropy() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 6, activation: .relu),
                DenseSpec(inputs: 6, outputs: 3, activation: .softmax)
            ], loss: .crossEntropy, labels: false)
    }

    func testWeightDecayTerm() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 5, activation: .tanh),
                DenseSpec(inputs: 5, outputs: 3, activation: .softmax)
            ], loss: .crossEntropy, labels: true,
            weightDecay: 0.3)
    }

    /// Fine-tuning's L2-SP term: λ/2·‖W − W₀‖² on the anchored layer's kernel, λ/2·‖W‖² on the other's.
    func testAnchoredWeightDecayTerm() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 5, activation: .tanh),
                DenseSpec(inputs: 5, outputs: 3, activation: .softmax)
            ], loss: .crossEntropy, labels: true,
            weightDecay: 0.3, anchored: 0..<1)
    }

    /// The L2-SP value by hand: with W₀ the anchor, moving a kernel by Δ adds λ/2·‖Δ‖² to the loss.
    func testAnchoredWeightDecayValueByHand() {
        var rng = RandomGenerator(seed: 5)
        let specs = [DenseSpec(inputs: 3, outputs: 2, activation: .softmax)]
        let net = Network(layers: specs, maxBatch: 4, rng: &rng)
        let x: [Float] = [0.1, -0.2, 0.3]
        let y: [Int32] = [1]
        func loss(_ decay: Float) -> Float {
            net.configure(optimizer: .defaultAdam, weightDecay: decay)
            return x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    var r = RandomGenerator(seed: 1)
                    return net.lossAndGradients(
                        input: xb, batch: 1, target: .labels(yb), loss: .crossEntropy, noise: .none, training: false, rng: &r
                    ).0
                }
            }
        }
        net.anchorKernels(0..<1)
        XCTAssertEqual(loss(0.3), loss(0), accuracy: 1e-7, "at the anchor the term is 0")
        var p = net.parameterValues
        p[0] += 0.5
        p[3] -= 1.5
        net.parameterValues = p
        // λ/2 · (0.5² + 1.5²) = 0.15 · 2.5 = 0.375
        XCTAssertEqual(loss(0.3) - loss(0), 0.375, accuracy: 1e-5)
    }

    /// Inverted dropout after both hidden layers (sigmoid, whose derivative needs the
    /// unmasked output, and ReLU), one fixed mask.
    func testDropoutWithAFixedMask() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 8, activation: .sigmoid),
                DenseSpec(inputs: 8, outputs: 6, activation: .relu),
                DenseSpec(inputs: 6, outputs: 3, activation: .softmax)
            ], loss: .crossEntropy, labels: true,
            dropout: 0.4)
    }

    /// A denoising step: the gradient flows from the clean target through the corrupted input.
    func testInputNoiseWithAFixedDraw() {
        for noise in [NoiseConfig.masking(level: 0.3), .gaussian(stddev: 0.2), .saltPepper(level: 0.2)] {
            checkNetwork(
                [
                    DenseSpec(inputs: 6, outputs: 4, activation: .tanh),
                    DenseSpec(inputs: 4, outputs: 6, activation: .sigmoid)
                ], loss: .bce, labels: false, noise: noise)
        }
    }

    /// leaky_relu as hidden and output activation, from He- and Glorot-normal kernels.
    func testLeakyReluOutputUnderMSE() {
        checkNetwork(
            [
                DenseSpec(inputs: 4, outputs: 5, activation: .leakyRelu, initializer: .heNormal),
                DenseSpec(inputs: 5, outputs: 3, activation: .leakyRelu, initializer: .glorotNormal)
            ],
            loss: .mse, labels: false)
    }

    // MARK: Shallow autoencoder terms

    func checkAutoencoder(
        tied: Bool, activation: Activation = .sigmoid, output: Activation = .sigmoid,
        loss: Loss = .bce, sparsity: (Float, Float)? = nil, contractive: Float? = nil,
        weightDecay: Float = 0, file: StaticString = #filePath, line: UInt = #line
    ) {
        var rng = RandomGenerator(seed: 5)
        let ae = ShallowAutoencoder(
            inputs: 6, hidden: 4, activation: activation, outputActivation: output, loss: loss,
            tiedWeights: tied, noise: .none, sparsity: sparsity.map { ($0.0, $0.1) },
            contractiveWeight: contractive, weightDecay: weightDecay, maxBatch: 8,
            optimizer: .defaultAdam, rng: &rng)
        let batch = 7
        let x = randomInput(batch * 6, seed: 3, unit: true)
        func lossAt(_ p: [Float]) -> Float {
            ae.parameterValues = p
            return x.withUnsafeBufferPointer { ae.lossAndGradients(input: $0, batch: batch, noise: .none, rng: &rng) }
        }
        let p0 = ae.parameterValues
        _ = lossAt(p0)
        check(params: p0, analytic: ae.gradientValues, file: file, line: line, loss: lossAt)
    }

    func testAutoencoderBCE() { checkAutoencoder(tied: false) }
    func testAutoencoderTiedWeightsSumsBothGradients() { checkAutoencoder(tied: true) }
    func testAutoencoderMSEIdentityOutput() { checkAutoencoder(tied: false, activation: .tanh, output: .identity, loss: .mse) }
    func testKLSparsityPenalty() { checkAutoencoder(tied: false, sparsity: (0.1, 2.0)) }
    func testContractivePenalty() { checkAutoencoder(tied: false, contractive: 0.5) }
    func testContractivePenaltyTied() { checkAutoencoder(tied: true, contractive: 0.5) }
    func testAutoencoderWeightDecay() { checkAutoencoder(tied: false, weightDecay: 0.2) }

    /// The penalty values themselves, against a direct computation in Double.
    func testSparsityAndContractiveValues() {
        var rng = RandomGenerator(seed: 9)
        let make = { (sp: (Float, Float)?, c: Float?) -> ShallowAutoencoder in
            var r = RandomGenerator(seed: 9)
            return ShallowAutoencoder(
                inputs: 3, hidden: 2, activation: .sigmoid, outputActivation: .sigmoid, loss: .bce,
                tiedWeights: false, noise: .none, sparsity: sp, contractiveWeight: c, weightDecay: 0,
                maxBatch: 4, optimizer: .defaultAdam, rng: &r)
        }
        let x: [Float] = [0.1, 0.9, 0.5, 0.3, 0.2, 0.7, 0.8, 0.4, 0.6, 0.0, 1.0, 0.25]
        let base = make(nil, nil), sparse = make((0.2, 1.5), nil), contr = make(nil, 0.7)
        let l0 = x.withUnsafeBufferPointer { base.lossAndGradients(input: $0, batch: 4, noise: .none, rng: &rng) }
        let ls = x.withUnsafeBufferPointer { sparse.lossAndGradients(input: $0, batch: 4, noise: .none, rng: &rng) }
        let lc = x.withUnsafeBufferPointer { contr.lossAndGradients(input: $0, batch: 4, noise: .none, rng: &rng) }
        // Direct: h = σ(x W + b), W [3, 2].
        let w = base.encoderKernel, b = base.encoderBias.map(Double.init)
        var hs: [[Double]] = []
        for r in 0..<4 {
            hs.append(
                (0..<2).map { j in
                    let z = (0..<3).reduce(b[j]) { $0 + Double(x[r * 3 + $1]) * Double(w[$1, j]) }
                    return 1 / (1 + exp(-z))
                })
        }
        var kl = 0.0
        for j in 0..<2 {
            let rhoHat = hs.reduce(0) { $0 + $1[j] } / 4, rho = 0.2
            kl += rho * log(rho / rhoHat) + (1 - rho) * log((1 - rho) / (1 - rhoHat))
        }
        XCTAssertEqual(Double(ls - l0), 1.5 * kl, accuracy: 1e-5)
        var jac = 0.0
        for r in 0..<4 {
            for j in 0..<2 {
                let g = hs[r][j] * (1 - hs[r][j])
                jac += g * g * (0..<3).reduce(0.0) { $0 + Double(w[$1, j] * w[$1, j]) }
            }
        }
        XCTAssertEqual(Double(lc - l0), 0.7 * jac / 4, accuracy: 1e-5)
    }
}
