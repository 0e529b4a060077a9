import CLayerwiseKernels
import Foundation
import LayerwiseMath

/// A variational autoencoder with a Gaussian latent (Kingma & Welling 2014), built from
/// two `Network`s:
///
///     encoder   x → hidden layers → [μ | log σ²]     (one identity Dense layer of 2·latent outputs)
///     sample    z = μ + σ·ε,  ε ~ N(0, I),  σ = exp(½ log σ²)     (reparameterisation)
///     decoder   z → mirrored hidden layers → x̂        (sigmoid + BCE, or any output + squared error)
///
///     loss per row = recon(x̂, x) + β·KL(N(μ, σ²) ‖ N(0, I)),
///     recon = Σ_features BCE (or Σ (x̂ − x)²),  KL = −½ Σⱼ (1 + log σ²ⱼ − μⱼ² − σ²ⱼ)
///
/// summed over features and latent units as in the paper (so β = 1 is the ELBO), and
/// averaged over the batch. The encoder mean μ is the code the classifier sees;
/// `reconstruct` decodes μ.
public final class VariationalAutoencoder {
    /// Width of the input (and of the reconstruction).
    public let inputs: Int
    /// Width of the latent z (and of μ and log σ²).
    public let latent: Int
    /// The reconstruction loss, summed over features: BCE, or squared error for `.mse`.
    public let loss: Loss
    /// The largest batch one step processes.
    public let maxBatch: Int
    /// The KL term's weight (β-VAE; a warm-up changes it between epochs).
    public var beta: Float

    let encoder: Network
    let decoder: Network
    /// Data-parallel training: every optimizer step of the encoder and the decoder first
    /// averages their gradients over the processes through this reducer (nil, the default:
    /// this process's gradients alone).
    public var reducer: GradientReducer? {
        get { encoder.reducer }
        set { encoder.reducer = newValue; decoder.reducer = newValue }
    }
    private let z: FloatBuffer  // [maxBatch, latent]
    private let eps: FloatBuffer  // [maxBatch, latent]
    private let dz: FloatBuffer  // ∂loss/∂z [maxBatch, latent]

    /// - Parameters:
    ///   - hidden: encoder widths between the input and the latent (the decoder mirrors them).
    public init(
        inputs: Int, hidden: [Int], latent: Int, activation: Activation, outputActivation: Activation,
        loss: Loss, beta: Float, maxBatch: Int, optimizer: OptimizerConfig, weightDecay: Float = 0,
        rng: inout RandomGenerator
    ) {
        precondition(inputs > 0 && latent > 0 && maxBatch > 0, "VAE \(inputs)-\(hidden)-\(latent)")
        loss.checkReconstruction(outputActivation: outputActivation, model: "VariationalAutoencoder")
        self.inputs = inputs
        self.latent = latent
        self.loss = loss
        self.beta = beta
        self.maxBatch = maxBatch
        let widths = [inputs] + hidden
        var enc = zip(widths, widths.dropFirst()).map { DenseSpec(inputs: $0, outputs: $1, activation: activation) }
        enc.append(DenseSpec(inputs: widths.last ?? inputs, outputs: 2 * latent, activation: .identity))
        let back = [latent] + hidden.reversed()
        var dec = zip(back, back.dropFirst()).map { DenseSpec(inputs: $0, outputs: $1, activation: activation) }
        dec.append(DenseSpec(inputs: back.last ?? latent, outputs: inputs, activation: outputActivation))
        encoder = Network(layers: enc, maxBatch: maxBatch, rng: &rng)
        decoder = Network(layers: dec, maxBatch: maxBatch, rng: &rng)
        encoder.configure(optimizer: optimizer, weightDecay: weightDecay)
        decoder.configure(optimizer: optimizer, weightDecay: weightDecay)
        z = FloatBuffer(maxBatch * latent)
        eps = FloatBuffer(maxBatch * latent)
        dz = FloatBuffer(maxBatch * latent)
    }

    /// The batch means of one step's terms.
    public struct Terms: Equatable {
        /// The reconstruction term plus β times the KL term (and the weight decay).
        public var loss: Float
        /// The reconstruction term, summed over features.
        public var reconstruction: Float
        /// KL(N(μ, σ²) ‖ N(0, I)), summed over latent units, before β.
        public var kl: Float
    }

    // MARK: Training

    /// One step on `batch` rows of `input`: sample ε, forward, loss, backward, update both networks.
    @discardableResult
    public func trainStep(input: UnsafeBufferPointer<Float>, batch: Int, rng: inout RandomGenerator) -> Terms {
        let e = eps.pointer
        for i in 0..<(batch * latent) { e[i] = rng.normal() }
        let terms = lossAndGradients(input: input, batch: batch, rng: &rng)
        encoder.applyGradients(from: 0)
        decoder.applyGradients(from: 0)
        return terms
    }

    /// The noise ε of the next `lossAndGradients` (tests fix it to check gradients).
    func setNoise(_ values: [Float]) {
        values.withUnsafeBufferPointer { eps.pointer.update(from: $0.baseAddress!, count: min(values.count, eps.count)) }
    }

    /// Forward and backward with the current ε (no update); gradients in both networks.
    func lossAndGradients(input: UnsafeBufferPointer<Float>, batch: Int, rng: inout RandomGenerator) -> Terms {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        guard let x = input.baseAddress else { return Terms(loss: 0, reconstruction: 0, kl: 0) }
        let k = latent
        let zp = z.pointer, ep = eps.pointer, dzp = dz.pointer
        // Encoder: [μ | log σ²] per row.
        encoder.forward(x, batch: batch, training: true, rng: &rng)
        let stats = encoder.outputs[encoder.layerCount - 1].pointer
        var kl = 0.0
        for b in 0..<batch {
            let row = stats + b * 2 * k
            for j in 0..<k {
                let mu = row[j], logVar = row[k + j]
                let sigma = exp(0.5 * logVar)
                zp[b * k + j] = mu + sigma * ep[b * k + j]
                kl += -0.5 * Double(1 + logVar - mu * mu - sigma * sigma)
            }
        }
        // Decoder and the reconstruction term: Σ over features, mean over rows.
        let scale = 1 / Float(batch)
        decoder.forward(z.pointer, batch: batch, training: true, rng: &rng, fusedLoss: loss != .mse)
        let recon = decoder.outputLoss(batch: batch, target: .values(input), loss: loss, perRow: true)
        kl /= Double(batch)
        _ = decoder.backward(z.pointer, batch: batch, training: true, inputGradient: dz.pointer)
        // Into the encoder's output: ∂/∂μ = ∂L/∂z + β·μ/B;  ∂/∂log σ² = ∂L/∂z·ε·σ/2 + β·(σ² − 1)/(2B).
        let d = encoder.outputDelta, bk = beta * scale
        for b in 0..<batch {
            let row = stats + b * 2 * k, drow = d + b * 2 * k
            for j in 0..<k {
                let mu = row[j], variance = exp(row[k + j]), sigma = variance.squareRoot()
                let g = dzp[b * k + j]
                drow[j] = g + bk * mu
                drow[k + j] = g * ep[b * k + j] * 0.5 * sigma + 0.5 * bk * (variance - 1)
            }
        }
        _ = encoder.backward(x, batch: batch, training: true)
        let decay = encoder.weightDecayTerm(from: 0) + decoder.weightDecayTerm(from: 0)
        let total = recon + Double(beta) * kl + decay
        return Terms(loss: Float(total), reconstruction: Float(recon), kl: Float(kl))
    }

    // MARK: Use

    /// μ of every row: the features passed to the classifier.
    public func encodeMean(_ x: Matrix) -> Matrix {
        let stats = encoder.predict(x)
        var out = Matrix(rows: x.rows, cols: latent)
        for r in 0..<x.rows { for j in 0..<latent { out[r, j] = stats[r, j] } }
        return out
    }

    /// decoder(μ) of every row.
    public func reconstruct(_ x: Matrix) -> Matrix { decoder.predict(encodeMean(x)) }

    // MARK: Weights, as Dense layers

    /// Encoder hidden layers then the μ layer (the first `latent` columns of the stats layer).
    public var encoderLayers: [DenseLayer] { encoder.denseLayers.dropLast() + [statsColumns(0..<latent)] }

    /// The log σ² layer (the last `latent` columns of the stats layer), identity.
    public var logVarianceLayer: DenseLayer { statsColumns(latent..<(2 * latent)) }

    /// The decoder's Dense layers, latent side first.
    public var decoderLayers: [DenseLayer] { decoder.denseLayers }

    private func statsColumns(_ cols: Range<Int>) -> DenseLayer {
        let top = encoder.layerCount - 1
        let w = encoder.kernel(top), b = encoder.bias(top)
        var out = Matrix(rows: w.rows, cols: cols.count)
        for r in 0..<w.rows { for (c, j) in cols.enumerated() { out[r, c] = w[r, j] } }
        return DenseLayer(kernel: out, bias: Array(b[cols]), activation: .identity)
    }

    /// Both networks' parameters, encoder first (for tests).
    var parameterValues: [Float] {
        get { encoder.parameterValues + decoder.parameterValues }
        set {
            let n = encoder.parameterValues.count
            encoder.parameterValues = Array(newValue[0..<n])
            decoder.parameterValues = Array(newValue[n...])
        }
    }
    var gradientValues: [Float] { encoder.gradientValues + decoder.gradientValues }
}
