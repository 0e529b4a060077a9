import CLayerwiseKernels
import Foundation
import LayerwiseMath

/// One shallow autoencoder, the unit of greedy layer-wise pretraining:
///
///     x̃ = noise(x)                      (denoising; x̃ = x otherwise)
///     h = act(x̃ · W₁ + b₁)              W₁ [in, hidden]
///     y = out(h · W₂ + b₂)              W₂ [hidden, in], or W₁ᵀ with tied weights
///     loss = recon(y, x) + β·Σⱼ KL(ρ ‖ ρ̂ⱼ) + λ·‖∂h/∂x̃‖²_F + (wd/2)·‖W‖²
///
/// recon is BCE on the logits (sigmoid output) or MSE, mean over elements; ρ̂ⱼ is the
/// batch-mean activation of hidden unit j (sparse autoencoder, sigmoid units); the
/// contractive term (Rifai et al. 2011) for sigmoid units is
/// (1/B)·Σ_b Σⱼ (h_bj(1−h_bj))² · Σᵢ W₁ᵢⱼ². With tied weights both uses of W₁ add
/// their gradients into the one matrix.
public final class ShallowAutoencoder {
    /// Width of the input (and of the reconstruction).
    public let inputs: Int
    /// Width of the code h.
    public let hidden: Int
    /// The encoder's activation.
    public let activation: Activation
    /// The decoder's output activation.
    public let outputActivation: Activation
    /// The reconstruction loss: BCE or MSE.
    public let loss: Loss
    /// Whether the decoder kernel is W₁ᵀ.
    public let tiedWeights: Bool
    /// The corruption of the training inputs (`.none`: a plain autoencoder).
    public let noise: NoiseConfig
    /// The sparse penalty's target ρ and weight β; nil: none.
    public let sparsity: (target: Float, weight: Float)?
    /// The contractive penalty's weight λ; nil: none.
    public let contractiveWeight: Float?
    /// The largest batch one step processes.
    public let maxBatch: Int

    // Tensors of the store: W₁, b₁, [W₂ when untied], b₂.
    private let w1 = 0, b1 = 1, w2 = 2
    private let b2: Int
    private let store: ParameterStore
    /// Data-parallel training: every optimizer step first averages the gradients over the
    /// processes through this reducer (nil, the default: this process's gradients alone).
    public var reducer: GradientReducer? {
        get { store.reducer }
        set { store.reducer = newValue }
    }

    private let noisy: FloatBuffer  // x̃   [maxBatch, in]
    private let h: FloatBuffer  // h    [maxBatch, hidden]
    private let z: FloatBuffer  // logits of the output [maxBatch, in]
    private let y: FloatBuffer  // output [maxBatch, in]
    private let dz: FloatBuffer  // ∂loss/∂z [maxBatch, in]
    private let dh: FloatBuffer  // ∂loss/∂h, then ∂loss/∂(pre-activation) [maxBatch, hidden]
    private let colStats: FloatBuffer  // per-hidden-unit scratch [hidden] ×2

    /// An autoencoder whose W₁ (and W₂ unless tied) `initializer` draws from `rng`; biases start at 0.
    public init(
        inputs: Int, hidden: Int, activation: Activation, outputActivation: Activation, loss: Loss,
        tiedWeights: Bool, noise: NoiseConfig, sparsity: (target: Float, weight: Float)?,
        contractiveWeight: Float?, weightDecay: Float, maxBatch: Int, optimizer: OptimizerConfig,
        initializer: Initializer = .default, rng: inout RandomGenerator
    ) {
        precondition(inputs > 0 && hidden > 0 && maxBatch > 0, "autoencoder \(inputs)-\(hidden)-\(inputs), maxBatch \(maxBatch)")
        loss.checkReconstruction(outputActivation: outputActivation, model: "ShallowAutoencoder")
        (self.inputs, self.hidden, self.maxBatch) = (inputs, hidden, maxBatch)
        (self.activation, self.outputActivation, self.loss) = (activation, outputActivation, loss)
        (self.tiedWeights, self.noise) = (tiedWeights, noise)
        (self.sparsity, self.contractiveWeight) = (sparsity, contractiveWeight)
        let decoder = tiedWeights ? [] : [(rows: hidden, cols: inputs)]
        let weights = Weights(shapes: [(inputs, hidden), (1, hidden)] + decoder + [(1, inputs)])
        b2 = tiedWeights ? 2 : 3
        store = ParameterStore(
            weights, decayed: tiedWeights ? [w1] : [w1, w2], optimizer: optimizer,
            weightDecay: weightDecay)
        noisy = FloatBuffer(maxBatch * inputs)
        h = FloatBuffer(maxBatch * hidden)
        z = FloatBuffer(maxBatch * inputs)
        y = FloatBuffer(maxBatch * inputs)
        dz = FloatBuffer(maxBatch * inputs)
        dh = FloatBuffer(maxBatch * hidden)
        colStats = FloatBuffer(2 * hidden)
        initializer.fill(store[w1], inputs: inputs, outputs: hidden, rng: &rng)
        if !tiedWeights {
            initializer.fill(store[w2], inputs: hidden, outputs: inputs, rng: &rng)
        }
    }

    // MARK: Weights

    /// The L2 weight decay wd on the kernels.
    public var weightDecay: Float { store.weightDecay }
    /// W₁ `[inputs, hidden]`.
    public var encoderKernel: Matrix { store.weights.matrix(w1) }
    /// b₁ `[hidden]`.
    public var encoderBias: [Float] { store.weights.array(b1) }
    /// W₂ `[hidden, inputs]`, or W₁ᵀ with tied weights.
    public var decoderKernel: Matrix { tiedWeights ? encoderKernel.transposed : store.weights.matrix(w2) }
    /// b₂ `[inputs]`.
    public var decoderBias: [Float] { store.weights.array(b2) }

    /// Encoder then decoder as Dense layers (the decoder's kernel is W₁ᵀ with tied weights).
    public var denseLayers: (encoder: DenseLayer, decoder: DenseLayer) {
        (
            DenseLayer(kernel: encoderKernel, bias: encoderBias, activation: activation),
            DenseLayer(kernel: decoderKernel, bias: decoderBias, activation: outputActivation)
        )
    }

    /// Parameters as one flat array (for tests).
    public var parameterValues: [Float] {
        get { store.parameterValues }
        set { store.parameterValues = newValue }
    }
    /// Gradients of the last step (for tests).
    public var gradientValues: [Float] { store.gradientValues }

    // MARK: Forward

    /// h = act(x · W₁ + b₁) for `batch` rows into `h`.
    private func encode(_ x: UnsafePointer<Float>, batch: Int) {
        lw_dense_forward(
            x, store[w1], 0, store[b1], h.pointer, Int32(batch), Int32(inputs), Int32(hidden),
            activation.code, Activation.leak)
    }

    /// z = h · W₂ + b₂ and, when `output`, y = out(z) for `batch` rows (BCE training
    /// works on z alone, so it skips a pass of exponentials).
    private func decode(batch: Int, output: Bool = true) {
        // Tied: W₂ = W₁ᵀ, read in place as the transpose of W₁ [in, hidden].
        lw_dense_forward(
            h.pointer, store[tiedWeights ? w1 : w2], tiedWeights ? 1 : 0, store[b2], z.pointer,
            Int32(batch), Int32(hidden), Int32(inputs), Int32(LW_IDENTITY), Activation.leak)
        if output {
            lw_activate_copy(z.pointer, y.pointer, Int32(batch), Int32(inputs), outputActivation.code, Activation.leak)
        }
    }

    private func chunked(_ x: Matrix, width: Int, _ body: (UnsafePointer<Float>, Int) -> UnsafeMutablePointer<Float>) -> Matrix {
        precondition(x.cols == inputs, "autoencoder takes \(inputs) features, got \(x.cols)")
        return x.mapRowChunks(of: maxBatch, width: width) { src, dst, n in dst.update(from: body(src, n), count: n * width) }
    }

    /// The codes h of every row of `x`.
    public func encode(_ x: Matrix) -> Matrix {
        chunked(x, width: hidden) { p, n in
            encode(p, batch: n); return h.pointer
        }
    }

    /// The reconstruction y of every row of `x` (no noise).
    public func reconstruct(_ x: Matrix) -> Matrix {
        chunked(x, width: inputs) { p, n in
            encode(p, batch: n); decode(batch: n); return y.pointer
        }
    }

    /// Mean reconstruction loss (no noise, no penalties).
    public func reconstructionLoss(_ x: Matrix) -> Float {
        var total = 0.0
        _ = chunked(x, width: inputs) { p, n in
            encode(p, batch: n); decode(batch: n)
            total += reconstructionLoss(target: p, batch: n)
            return y.pointer
        }
        return Float(total / Double(max(x.rows * inputs, 1)))
    }

    /// Sum of the reconstruction loss over `batch` rows; writes ∂(mean loss)/∂z into `dz`.
    private func reconstructionLoss(target: UnsafePointer<Float>, batch: Int) -> Double {
        loss.reconstructionSum(
            logits: z.pointer, output: y.pointer, target: target, gradient: dz.pointer, rows: batch,
            cols: inputs, activation: outputActivation, scale: 1 / Float(batch * inputs))
    }

    // MARK: Training

    /// One step on `batch` rows of `input`: corrupt → encode → decode → loss →
    /// backward → update. Returns the batch's mean total loss.
    @discardableResult
    public func trainStep(input: UnsafeBufferPointer<Float>, batch: Int, rng: inout RandomGenerator) -> Float {
        let value = lossAndGradients(input: input, batch: batch, noise: noise, rng: &rng)
        store.update()
        return value
    }

    /// Forward and backward without updating: fills `gradientValues`, returns the mean
    /// total loss (reconstruction + penalties).
    func lossAndGradients(
        input: UnsafeBufferPointer<Float>, batch: Int, noise: NoiseConfig,
        rng: inout RandomGenerator
    ) -> Float {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        guard let x = input.baseAddress else { return 0 }
        let xt = noise.corrupted(x, into: noisy.pointer, batch * inputs, &rng)
        encode(xt, batch: batch)
        decode(batch: batch, output: loss != .bce)
        let recon = reconstructionLoss(target: x, batch: batch) / Double(batch * inputs)
        return Float(recon + backward(xt, batch: batch))
    }

    /// Gradients of every term into `grads`; returns the penalty terms' value.
    private func backward(_ xt: UnsafePointer<Float>, batch: Int) -> Double {
        var extra = 0.0
        // Decoder: ∂W₂ = hᵀ·dz, ∂b₂ = Σ dz, ∂h = dz·W₂ᵀ (tied: dz·W₁).
        if !tiedWeights {
            lw_dense_backward_params(
                dz.pointer, y.pointer, h.pointer, store.gradient(w2), store.gradient(b2),
                Int32(batch), Int32(hidden), Int32(inputs), Int32(LW_IDENTITY), Activation.leak)
            BLAS.gemm(dz.pointer, store[w2], dh.pointer, m: batch, n: hidden, k: inputs, transB: true)
        } else {
            BLAS.gemm(dz.pointer, store[w1], dh.pointer, m: batch, n: hidden, k: inputs)
            lw_column_sums(dz.pointer, store.gradient(b2), Int32(batch), Int32(inputs))
        }

        // Sparsity: β·Σⱼ KL(ρ‖ρ̂ⱼ); ∂/∂h_bj = (β/B)·(−ρ/ρ̂ⱼ + (1−ρ)/(1−ρ̂ⱼ)).
        if let sp = sparsity, sp.weight > 0 {
            let rhoHat = colStats.pointer
            lw_column_sums(h.pointer, rhoHat, Int32(batch), Int32(hidden))
            let rho = Double(sp.target), beta = Double(sp.weight)
            for j in 0..<hidden {
                let r = min(max(Double(rhoHat[j]) / Double(batch), 1e-6), 1 - 1e-6)
                extra += beta * (rho * log(rho / r) + (1 - rho) * log((1 - rho) / (1 - r)))
                rhoHat[j] = Float(beta / Double(batch) * (-rho / r + (1 - rho) / (1 - r)))
            }
            for b in 0..<batch {
                let row = dh.pointer + b * hidden
                for j in 0..<hidden { row[j] += rhoHat[j] }
            }
        }

        // Contractive: (λ/B)·Σ_b Σⱼ g_bj²·sⱼ with g = h(1−h), sⱼ = Σᵢ W₁ᵢⱼ².
        var meanG2: UnsafeMutablePointer<Float>? = nil
        if let lambda = contractiveWeight, lambda > 0 {
            let s = colStats.pointer, g2 = colStats.pointer + hidden
            s.update(repeating: 0, count: hidden)
            g2.update(repeating: 0, count: hidden)
            for i in 0..<inputs {
                let row = store[w1] + i * hidden
                for j in 0..<hidden { s[j] += row[j] * row[j] }
            }
            var pen = 0.0
            let scale = lambda / Float(batch)
            for b in 0..<batch {
                let hr = h.pointer + b * hidden, dr = dh.pointer + b * hidden
                for j in 0..<hidden {
                    let g = hr[j] * (1 - hr[j])
                    pen += Double(g * g * s[j])
                    g2[j] += g * g
                    dr[j] += scale * s[j] * 2 * g * (1 - 2 * hr[j])
                }
            }
            extra += Double(lambda) * pen / Double(batch)
            meanG2 = g2
        }

        // Encoder: through the activation, ∂W₁ = x̃ᵀ·dA (+ dzᵀ·h when tied), ∂b₁ = Σ dA.
        lw_dense_backward_params(
            dh.pointer, h.pointer, xt, store.gradient(w1), store.gradient(b1), Int32(batch),
            Int32(inputs), Int32(hidden), activation.code, Activation.leak)
        if tiedWeights {
            BLAS.gemm(dz.pointer, h.pointer, store.gradient(w1), m: inputs, n: hidden, k: batch, transA: true, beta: 1)
        }
        if let g2 = meanG2, let lambda = contractiveWeight {
            // ∂/∂W₁ᵢⱼ of the penalty through sⱼ: 2λ·W₁ᵢⱼ·(1/B)·Σ_b g_bj².
            let scale = 2 * lambda / Float(batch)
            for i in 0..<inputs {
                let w = store[w1] + i * hidden, g = store.gradient(w1) + i * hidden
                for j in 0..<hidden { g[j] += scale * g2[j] * w[j] }
            }
        }
        store.addWeightDecay(to: &extra)
        return extra
    }
}
