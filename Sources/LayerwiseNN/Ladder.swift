import CLayerwiseKernels
import LayerwiseMath

/// The shape and costs of a ladder network (Rasmus, Valpola, Honkala, Berglund, Raiko,
/// "Semi-Supervised Learning with Ladder Networks", NeurIPS 2015): widths d_0 (the
/// input), the hidden widths, then d_L = the classes (softmax).
public struct LadderSpec: Equatable, Sendable {
    /// d_0: width of the input.
    public var inputs: Int
    /// d_1 … d_{L−1}: the hidden widths.
    public var hidden: [Int]
    /// d_L: the classes of the softmax layer.
    public var classes: Int
    /// The hidden layers' activation.
    public var activation: Activation
    /// Stddev of the Gaussian noise on the input and on every normalised z (corrupted pass).
    public var noise: Float
    /// λ_l for l = 0 (the input) … L (the softmax layer): `hidden.count + 2` values.
    public var denoisingWeights: [Float]

    /// A ladder of `hidden` widths between `inputs` and `classes`; `denoisingWeights` holds `hidden.count + 2` values.
    public init(
        inputs: Int, hidden: [Int], classes: Int, activation: Activation = .relu, noise: Float = 0.3,
        denoisingWeights: [Float]
    ) {
        precondition(
            denoisingWeights.count == hidden.count + 2,
            "\(denoisingWeights.count) denoising weights for \(hidden.count + 2) layers")
        self.inputs = inputs; self.hidden = hidden; self.classes = classes
        self.activation = activation; self.noise = noise; self.denoisingWeights = denoisingWeights
    }

    /// d_0 … d_L.
    public var widths: [Int] { [inputs] + hidden + [classes] }
    /// L: the number of weight layers.
    public var depth: Int { hidden.count + 1 }

    /// The paper's weights: 1000 on the input, 10 on the first layer, 0.1 above.
    public static func defaultDenoisingWeights(hiddenLayers: Int) -> [Float] {
        [1000, 10] + Array(repeating: 0.1, count: hiddenLayers)
    }
}

/// What a trained ladder network needs to go on training or to be inspected: every
/// parameter by name and the batch-normalisation running statistics.
public struct LadderState: Equatable, Sendable {
    /// W_l `[d_{l−1}, d_l]`, l = 1 … L.
    public var kernels: [Matrix]
    /// β_l `[d_l]`, l = 1 … L.
    public var betas: [[Float]]
    /// γ of the softmax layer `[d_L]`.
    public var gamma: [Float]
    /// V_l `[d_{l+1}, d_l]`, l = 0 … L−1: the decoder's map from ẑ_{l+1} to u_l.
    public var decoderKernels: [Matrix]
    /// a1 … a10 of the combinator `[10, d_l]`, l = 0 … L.
    public var combinators: [Matrix]
    /// Running mean and (unbiased) variance of z_pre over the clean pass, l = 1 … L.
    public var runningMean: [[Float]]
    /// Running (unbiased) variance of z_pre over the clean pass, l = 1 … L.
    public var runningVariance: [[Float]]
    /// Updates of the running statistics so far (their average weighs 1/min(count, 10)).
    public var statisticsUpdates: Int

    /// A state of the given parameters and running statistics.
    public init(
        kernels: [Matrix], betas: [[Float]], gamma: [Float], decoderKernels: [Matrix], combinators: [Matrix],
        runningMean: [[Float]], runningVariance: [[Float]], statisticsUpdates: Int
    ) {
        self.kernels = kernels; self.betas = betas; self.gamma = gamma; self.decoderKernels = decoderKernels
        self.combinators = combinators; self.runningMean = runningMean; self.runningVariance = runningVariance
        self.statisticsUpdates = statisticsUpdates
    }
}

/// A ladder network: an encoder run twice per step (clean, and corrupted with Gaussian
/// noise on the input and on every batch-normalised pre-activation), a decoder that
/// denoises every layer top-down through the "vanilla" combinator, and the cost
/// Σ_l λ_l·(denoising cost of layer l) + the cross-entropy of the corrupted softmax on
/// the labeled rows.
///
/// Encoder layer l: z_pre = h_{l−1}·W_l, z = (z_pre − mean)/√(var + ε) with the batch's
/// statistics (+ noise when corrupted), h_l = act(z + β_l), and at the top h_L =
/// softmax(γ⊙(z + β_L)). Decoder: u_L = BN(h̃_L), u_l = BN(ẑ_{l+1}·V_l), ẑ_l = g(z̃_l, u_l).
///
/// Parameters, gradients and Adam's moments live in one `ParameterStore`; every buffer
/// is sized for `maxBatch` rows at init, so a training step allocates nothing; every
/// matrix product is a `BLAS.gemm`, the element-wise work is in CLayerwiseKernels (ladder.c).
public final class LadderNetwork {
    /// ε of every batch normalisation (1e-10, as in the ladder paper's public code).
    public static let epsilon: Float = 1e-10
    /// The running statistics are an average with weight 1/min(updates, this).
    public static let statisticsWindow = 10

    /// The network's widths, noise and denoising weights.
    public let spec: LadderSpec
    /// The most rows one step or pass processes.
    public let maxBatch: Int
    let store: ParameterStore
    /// Data-parallel training: every optimizer step first averages the gradients over the
    /// processes through this reducer (nil, the default: this process's gradients alone).
    public var reducer: GradientReducer? {
        get { store.reducer }
        set { store.reducer = newValue }
    }
    let widths: [Int]
    let L: Int
    /// Running mean / unbiased variance of z_pre, index l = 1 … L (index 0 unused).
    let runningMean: [FloatBuffer]
    let runningVariance: [FloatBuffer]
    var statisticsUpdates = 0

    // Training buffers (LadderNetwork+Training.swift).
    let clean: EncoderPass
    let corrupted: EncoderPass
    let labeled: EncoderPass
    let decoder: DecoderPass
    let zeros: FloatBuffer
    let scratch: FloatBuffer
    let deltaA: FloatBuffer
    let deltaB: FloatBuffer
    let labelBuffer: UnsafeMutablePointer<Int32>
    /// The last step's costs: supervised, then λ_l·C_l for l = 0 … L.
    public internal(set) var lastSupervised: Double = 0
    /// λ_l·C_l of the last step, l = 0 … L.
    public internal(set) var lastDenoising: [Double]

    // MARK: Tensor layout

    func kernelIndex(_ l: Int) -> Int { 2 * (l - 1) }
    func betaIndex(_ l: Int) -> Int { 2 * (l - 1) + 1 }
    var gammaIndex: Int { 2 * L }
    func decoderIndex(_ l: Int) -> Int { 2 * L + 1 + l }
    func combinatorIndex(_ l: Int) -> Int { 3 * L + 1 + l }

    static func shapes(_ w: [Int]) -> [(rows: Int, cols: Int)] {
        let L = w.count - 1
        var s: [(rows: Int, cols: Int)] = []
        for l in 1...L { s += [(w[l - 1], w[l]), (1, w[l])] }
        s.append((1, w[L]))
        for l in 0..<L { s.append((w[l + 1], w[l])) }
        for l in 0...L { s.append((10, w[l])) }
        return s
    }

    /// A network with freshly drawn weights: W_l and V_l ~ N(0, 1/fan_in) (as the
    /// ladder paper's public code draws them), β = 0, γ = 1, combinator a2 = a7 = 1 and the rest 0.
    /// `pretrained[l−1]`, where its shape is W_l's, replaces W_l after the draws.
    public init(
        _ spec: LadderSpec, maxBatch: Int, rng: inout RandomGenerator, pretrained: [Matrix] = [],
        optimizer: OptimizerConfig = .adam(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    ) {
        precondition(maxBatch > 1, "a ladder network normalises over batches of at least 2 rows")
        self.spec = spec
        self.maxBatch = maxBatch
        widths = spec.widths
        L = spec.depth
        store = ParameterStore(Weights(shapes: Self.shapes(widths)), decayed: [], optimizer: optimizer)
        runningMean = widths.map { FloatBuffer($0) }
        runningVariance = widths.map { w in
            let b = FloatBuffer(w); b.pointer.update(repeating: 1, count: w); return b
        }
        let widest = widths.max() ?? 1
        clean = EncoderPass(widths, rows: maxBatch, role: .clean)
        corrupted = EncoderPass(widths, rows: maxBatch, role: .corrupted)
        labeled = EncoderPass(widths, rows: maxBatch, role: .labeled)
        decoder = DecoderPass(widths, rows: maxBatch)
        zeros = FloatBuffer(maxBatch * widest)
        scratch = FloatBuffer(2 * widest)
        deltaA = FloatBuffer(maxBatch * widest)
        deltaB = FloatBuffer(maxBatch * widest)
        labelBuffer = .allocate(capacity: maxBatch)
        labelBuffer.initialize(repeating: 0, count: maxBatch)
        lastDenoising = Array(repeating: 0, count: widths.count)

        let w = store.weights
        for l in 1...L { normal(w[kernelIndex(l)], widths[l - 1] * widths[l], sigma: 1 / Float(widths[l - 1]).squareRoot(), &rng) }
        for l in 0..<L { normal(w[decoderIndex(l)], widths[l + 1] * widths[l], sigma: 1 / Float(widths[l + 1]).squareRoot(), &rng) }
        w[gammaIndex].update(repeating: 1, count: widths[L])
        for l in 0...L {
            w[combinatorIndex(l)].advanced(by: widths[l]).update(repeating: 1, count: widths[l])  // a2
            w[combinatorIndex(l)].advanced(by: 6 * widths[l]).update(repeating: 1, count: widths[l])  // a7
        }
        for (i, k) in pretrained.enumerated() where i < L && k.rows == widths[i] && k.cols == widths[i + 1] {
            w.set(kernelIndex(i + 1), k)
        }
    }

    deinit { labelBuffer.deallocate() }

    private func normal(_ p: UnsafeMutablePointer<Float>, _ n: Int, sigma: Float, _ rng: inout RandomGenerator) {
        for i in 0..<n { p[i] = rng.normal() * sigma }
    }

    /// A fresh optimizer (state reset).
    public func configure(optimizer: OptimizerConfig) { store.configure(optimizer) }
    /// New settings, state kept (the learning-rate schedule).
    public func retune(optimizer: OptimizerConfig) { store.retune(optimizer) }

    /// All parameters, tensor after tensor (W_1, β_1, …, W_L, β_L, γ, V_0 … V_{L−1}, a_0 … a_L).
    public var parameterValues: [Float] {
        get { store.parameterValues }
        set { store.parameterValues = newValue }
    }
    /// Gradients of the last backward pass, in the layout of `parameterValues`.
    public var gradientValues: [Float] { store.gradientValues }

    // MARK: State

    /// Every parameter and the running statistics; setting copies them in.
    public var state: LadderState {
        get {
            let w = store.weights
            return LadderState(
                kernels: (1...L).map { w.matrix(kernelIndex($0)) }, betas: (1...L).map { w.array(betaIndex($0)) },
                gamma: w.array(gammaIndex), decoderKernels: (0..<L).map { w.matrix(decoderIndex($0)) },
                combinators: (0...L).map { w.matrix(combinatorIndex($0)) },
                runningMean: (1...L).map { runningMean[$0].values }, runningVariance: (1...L).map { runningVariance[$0].values },
                statisticsUpdates: statisticsUpdates)
        }
        set {
            let w = store.weights
            precondition(newValue.kernels.count == L && newValue.combinators.count == L + 1, "a ladder state of another depth")
            for l in 1...L {
                w.set(kernelIndex(l), newValue.kernels[l - 1]); w.set(betaIndex(l), newValue.betas[l - 1])
                runningMean[l].values = newValue.runningMean[l - 1]; runningVariance[l].values = newValue.runningVariance[l - 1]
            }
            w.set(gammaIndex, newValue.gamma)
            for l in 0..<L { w.set(decoderIndex(l), newValue.decoderKernels[l]) }
            for l in 0...L { w.set(combinatorIndex(l), newValue.combinators[l]) }
            statisticsUpdates = newValue.statisticsUpdates
        }
    }

    // MARK: Inference

    /// The clean encoder with the running statistics folded into plain Dense layers:
    /// layer l's kernel is W_l·diag(c/s), its bias c⊙(β − m/s), s = √(v + ε), c = γ on the
    /// softmax layer and 1 below; the last layer is the softmax over the classes.
    public var foldedLayers: [DenseLayer] {
        (1...L).map { l in
            let d = widths[l], inputs = widths[l - 1]
            let w = store.weights[kernelIndex(l)], beta = store.weights[betaIndex(l)]
            let m = runningMean[l].pointer, v = runningVariance[l].pointer
            var kernel = Matrix(rows: inputs, cols: d)
            var bias = [Float](repeating: 0, count: d)
            for j in 0..<d {
                let c: Float = l == L ? store.weights[gammaIndex][j] : 1
                let s = (v[j] + Self.epsilon).squareRoot()
                for i in 0..<inputs { kernel.storage[i * d + j] = w[i * d + j] * (c / s) }
                bias[j] = c * (beta[j] - m[j] / s)
            }
            return DenseLayer(kernel: kernel, bias: bias, activation: l == L ? .softmax : spec.activation)
        }
    }

    /// Class probabilities `[rows, classes]` by the clean pass with the running statistics,
    /// computed as the training pass computes it (z_pre = h·W, normalised, shifted, scaled,
    /// activated), `maxBatch` rows at a time: what `foldedLayers` must reproduce.
    public func predict(_ x: Matrix) -> Matrix {
        precondition(x.cols == widths[0], "\(x.cols) features, the ladder takes \(widths[0])")
        let p = clean
        return x.mapRowChunks(of: maxBatch, width: widths[L]) { src, dst, n in
            var h = src
            for l in 1...L {
                let d = widths[l]
                BLAS.gemm(h, store.weights[kernelIndex(l)], p.pre[l].pointer, m: n, n: d, k: widths[l - 1])
                let z = p.pre[l].pointer, m = runningMean[l].pointer, v = runningVariance[l].pointer
                for r in 0..<n { for j in 0..<d { z[r * d + j] = (z[r * d + j] - m[j]) / (v[j] + Self.epsilon).squareRoot() } }
                let out = l == L ? dst : p.h[l].pointer
                lw_shift_scale(z, store.weights[betaIndex(l)], l == L ? store.weights[gammaIndex] : nil, out, Int32(n), Int32(d))
                lw_activate(out, Int32(n), Int32(d), l == L ? Int32(LW_SOFTMAX) : spec.activation.code, Activation.leak)
                h = UnsafePointer(out)
            }
        }
    }
}
