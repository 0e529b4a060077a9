import CLayerwiseKernels
import Foundation
import LayerwiseMath

/// Visible units of an RBM: binary (Bernoulli; real values in [0, 1] are read as
/// probabilities) or real-valued Gaussian with unit variance (standardized data).
public enum VisibleUnits: String, Sendable, CaseIterable {
    case bernoulli, gaussian
}

/// A restricted Boltzmann machine with binary hidden units, trained by contrastive
/// divergence (CD-k, Hinton 2002) or persistent CD (Tieleman 2008), following Hinton's
/// "A Practical Guide to Training RBMs" (2010):
///
///     energy  E(v, h) = −bᵀv − cᵀh − vᵀWh            (Bernoulli visible)
///             E(v, h) = ½‖v − b‖² − cᵀh − vᵀWh        (Gaussian visible, σ = 1)
///     free energy F(v) = −bᵀv − Σⱼ softplus(cⱼ + (vW)ⱼ)   (Gaussian: ½‖v − b‖² − Σⱼ softplus(…))
///     p(hⱼ = 1 | v) = σ(cⱼ + (vW)ⱼ);  E[v | h] = σ(b + Wh) (Bernoulli) or b + Wh (Gaussian)
///
/// W is `[visible, hidden]`, so the encoder of a DBN is exactly Dense(W, c, sigmoid)
/// and its decoder Dense(Wᵀ, b, sigmoid or identity).
///
/// One step on a batch v⁰: p⁰ = p(h | v⁰); h ~ p⁰ (sampled); the negative chain starts
/// from h (CD) or from the persistent fantasy particles (PCD) and runs k Gibbs steps
/// v ← E[v | h] (mean-field visible, as the guide recommends), p ← p(h | v), h ~ p
/// (the last hidden state is left as probabilities). The gradient estimate of the
/// negative log-likelihood is
///
///     ∂W = (vᵏᵀpᵏ − v⁰ᵀp⁰)/B + λW,   ∂b = mean(vᵏ − v⁰),   ∂c = mean(pᵏ − p⁰)
///
/// and SGD with momentum (PyTorch's semantics: buf ← μ·buf + g; θ ← θ − lr·buf)
/// applies it. A hidden unit is on when its 16-bit uniform (four per 64-bit draw of
/// the generator, in row-major order) is below p·65536.
public final class RBM {
    /// The number of visible units (the input width).
    public let visible: Int
    /// The number of hidden units.
    public let hidden: Int
    /// Bernoulli or Gaussian visible units.
    public let visibleUnits: VisibleUnits
    /// Gibbs steps k of CD-k / PCD-k.
    public let cdSteps: Int
    /// Persistent CD: the negative chain carries over between updates.
    public let persistent: Bool
    /// The largest batch one step processes.
    public let maxBatch: Int
    /// The step size of the SGD update; a change keeps the velocity.
    public var learningRate: Float { didSet { retune() } }
    /// The momentum μ of the SGD update; a change keeps the velocity.
    public var momentum: Float { didSet { retune() } }
    /// The weight cost λ: λ·W is added to W's gradient.
    public var weightDecay: Float {
        get { store.weightDecay }
        set { store.weightDecay = newValue }
    }

    // Tensors of the store: W, b (visible), c (hidden); the optimizer is SGD with momentum.
    private let w = 0, bv = 1, bh = 2
    private let store: ParameterStore
    /// Data-parallel training: every optimizer step first averages the gradients over the
    /// processes through this reducer (nil, the default: this process's gradients alone).
    public var reducer: GradientReducer? {
        get { store.reducer }
        set { store.reducer = newValue }
    }

    private let p0: FloatBuffer  // p(h | v⁰)          [maxBatch, hidden]
    private let hs: FloatBuffer  // sampled hidden      [maxBatch, hidden]
    private let vk: FloatBuffer  // chain's visible     [maxBatch, visible]
    private let pk: FloatBuffer  // p(h | vᵏ)           [maxBatch, hidden]
    private let chain: FloatBuffer  // PCD fantasy visible [maxBatch, visible]
    private var chainStarted = false

    /// An RBM with W drawn from N(0, 0.01²) and zero biases (see `initializeVisibleBiases(from:)`).
    public init(
        visible: Int, hidden: Int, visibleUnits: VisibleUnits, cdSteps: Int = 1, persistent: Bool = false,
        learningRate: Float, momentum: Float, weightDecay: Float, maxBatch: Int, rng: inout RandomGenerator
    ) {
        precondition(
            visible > 0 && hidden > 0 && maxBatch > 0 && cdSteps > 0,
            "RBM \(visible)-\(hidden), maxBatch \(maxBatch), CD-\(cdSteps)")
        self.visible = visible
        self.hidden = hidden
        self.visibleUnits = visibleUnits
        self.cdSteps = cdSteps
        self.persistent = persistent
        self.maxBatch = maxBatch
        self.learningRate = learningRate
        self.momentum = momentum
        p0 = FloatBuffer(maxBatch * hidden)
        hs = FloatBuffer(maxBatch * hidden)
        vk = FloatBuffer(maxBatch * visible)
        pk = FloatBuffer(maxBatch * hidden)
        chain = FloatBuffer(maxBatch * visible)
        store = ParameterStore(
            Weights(shapes: [(visible, hidden), (1, visible), (1, hidden)]), decayed: [w],
            optimizer: .sgd(learningRate: learningRate, momentum: momentum, nesterov: false),
            weightDecay: weightDecay)
        // Guide §8: weights from N(0, 0.01²), hidden biases 0.
        let weights = store[w]
        for i in 0..<(visible * hidden) { weights[i] = 0.01 * rng.normal() }
    }

    /// The momentum schedule changes the settings between epochs; the velocity stays.
    private func retune() { store.retune(.sgd(learningRate: learningRate, momentum: momentum, nesterov: false)) }

    /// Visible biases from the data (guide §8): log(pᵢ/(1 − pᵢ)) of each unit's mean
    /// pᵢ for Bernoulli units (clamped to [0.001, 0.999]), the mean for Gaussian ones.
    public func initializeVisibleBiases(from x: Matrix) {
        precondition(x.cols == visible, "RBM takes \(visible) features, got \(x.cols)")
        guard x.rows > 0 else { return }
        var mean = [Double](repeating: 0, count: visible)
        for r in 0..<x.rows { for i in 0..<visible { mean[i] += Double(x[r, i]) } }
        let bias = store[bv]
        for i in 0..<visible {
            let m = mean[i] / Double(x.rows)
            switch visibleUnits {
            case .bernoulli:
                let p = min(max(m, 0.001), 0.999)
                bias[i] = Float(log(p / (1 - p)))
            case .gaussian:
                bias[i] = Float(m)
            }
        }
    }

    // MARK: Weights

    /// W `[visible, hidden]`.
    public var kernel: Matrix { store.weights.matrix(w) }
    /// c `[hidden]`: the hidden biases.
    public var hiddenBias: [Float] { store.weights.array(bh) }
    /// b `[visible]`: the visible biases.
    public var visibleBias: [Float] { store.weights.array(bv) }
    /// Activation of E[v | h]: the decoder's output activation.
    public var visibleActivation: Activation { visibleUnits == .bernoulli ? .sigmoid : .identity }

    /// W, b, c as one flat array (for tests).
    public var parameterValues: [Float] {
        get { store.parameterValues }
        set { store.parameterValues = newValue }
    }
    /// The gradient estimate of the last step (for tests).
    public var gradientValues: [Float] { store.gradientValues }
    /// PCD's fantasy particles, the visible state the next negative chain starts from (for tests).
    var fantasyParticles: [Float] { chain.values }

    // MARK: Conditionals

    private func hiddenProbabilities(_ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int) {
        lw_dense_forward(
            v, store[w], 0, store[bh], out, Int32(batch), Int32(visible), Int32(hidden),
            Int32(LW_SIGMOID), 0)
    }

    private func visibleMeans(_ h: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int) {
        lw_dense_forward(
            h, store[w], 1, store[bv], out, Int32(batch), Int32(hidden), Int32(visible),
            visibleActivation.code, 0)
    }

    /// out[i] = 1 with probability p[i], else 0 (see the type's comment for the draw).
    static func sampleBernoulli(
        _ p: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        _ rng: inout RandomGenerator
    ) {
        forEachUniform16(n, &rng) { i, u in out[i] = Float(u) < p[i] * 65_536 ? 1 : 0 }
    }

    // MARK: Training

    /// One CD-k / PCD-k update on `batch` rows of `input`. Returns the reconstruction
    /// error of the first Gibbs step, mean over elements of (v⁰ − E[v | h⁰])² with h⁰
    /// sampled: the guide's monitoring quantity.
    @discardableResult
    public func trainStep(input: UnsafeBufferPointer<Float>, batch: Int, rng: inout RandomGenerator) -> Float {
        let error = gradients(input: input, batch: batch, rng: &rng)
        store.update()
        return error
    }

    /// The gradient estimate into `gradientValues` without updating; returns the
    /// reconstruction error (see `trainStep`).
    func gradients(input: UnsafeBufferPointer<Float>, batch: Int, rng: inout RandomGenerator) -> Float {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        guard let v0 = input.baseAddress else { return 0 }
        let nh = batch * hidden, nv = batch * visible

        // Positive phase and the first reconstruction.
        hiddenProbabilities(v0, p0.pointer, batch: batch)
        RBM.sampleBernoulli(p0.pointer, hs.pointer, nh, &rng)
        visibleMeans(hs.pointer, vk.pointer, batch: batch)
        var error = 0.0
        let vkp = vk.pointer
        for i in 0..<nv { let d = Double(vkp[i] - v0[i]); error += d * d }

        // Negative phase: k Gibbs steps from h⁰ (CD; the first is done) or from the fantasy particles (PCD).
        var done = 1
        if persistent {
            if !chainStarted { chain.pointer.update(from: v0, count: nv); chainStarted = true }
            hiddenProbabilities(chain.pointer, pk.pointer, batch: batch)
            RBM.sampleBernoulli(pk.pointer, hs.pointer, nh, &rng)
            visibleMeans(hs.pointer, vk.pointer, batch: batch)
        }
        while true {
            hiddenProbabilities(vk.pointer, pk.pointer, batch: batch)
            if done == cdSteps { break }
            RBM.sampleBernoulli(pk.pointer, hs.pointer, nh, &rng)
            visibleMeans(hs.pointer, vk.pointer, batch: batch)
            done += 1
        }
        if persistent { chain.pointer.update(from: vk.pointer, count: nv) }

        // ∂W = (vᵏᵀpᵏ − v⁰ᵀp⁰)/B + λW; ∂b = mean(vᵏ − v⁰); ∂c = mean(pᵏ − p⁰).
        let inv = 1 / Float(batch)
        BLAS.gemm(vk.pointer, pk.pointer, store.gradient(w), m: visible, n: hidden, k: batch, transA: true, alpha: inv)
        BLAS.gemm(v0, p0.pointer, store.gradient(w), m: visible, n: hidden, k: batch, transA: true, alpha: -inv, beta: 1)
        store.addWeightDecayGradients()
        columnMeanDifference(vk.pointer, v0, store.gradient(bv), rows: batch, cols: visible)
        columnMeanDifference(pk.pointer, p0.pointer, store.gradient(bh), rows: batch, cols: hidden)
        return Float(error / Double(nv))
    }

    /// out[j] = mean over rows of (a − b)[·, j].
    private func columnMeanDifference(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        out.update(repeating: 0, count: cols)
        for r in 0..<rows {
            let ar = a + r * cols, br = b + r * cols
            for j in 0..<cols { out[j] += ar[j] - br[j] }
        }
        let inv = 1 / Float(rows)
        for j in 0..<cols { out[j] *= inv }
    }

    // MARK: Monitoring and features

    /// Free energy F(v) of every row of `x` (see the type's comment), in Double.
    public func freeEnergy(_ x: Matrix) -> [Double] {
        precondition(x.cols == visible, "RBM takes \(visible) features, got \(x.cols)")
        var out = [Double](repeating: 0, count: x.rows)
        let pre = x.mapRowChunks(of: maxBatch, width: hidden) { v, o, n in
            lw_dense_forward(v, store[w], 0, store[bh], o, Int32(n), Int32(visible), Int32(hidden), Int32(LW_IDENTITY), 0)
        }
        let bias = store[bv]
        for r in 0..<x.rows {
            var f = 0.0
            for i in 0..<visible {
                let v = Double(x[r, i]), b = Double(bias[i])
                f += visibleUnits == .bernoulli ? -b * v : 0.5 * (v - b) * (v - b)
            }
            for j in 0..<hidden {
                let a = Double(pre[r, j])
                f -= max(a, 0) + log1p(exp(-abs(a)))
            }
            out[r] = f
        }
        return out
    }

    /// p(h = 1 | v) of every row: the DBN's codes for the next layer.
    public func encode(_ x: Matrix) -> Matrix {
        x.mapRowChunks(of: maxBatch, width: hidden) { v, o, n in hiddenProbabilities(v, o, batch: n) }
    }

    /// E[v | h = p(h | v)] of every row (mean-field reconstruction).
    public func reconstruct(_ x: Matrix) -> Matrix {
        let h = encode(x)
        return h.mapRowChunks(of: maxBatch, width: visible) { hp, o, n in visibleMeans(hp, o, batch: n) }
    }

    /// Mean squared error of the mean-field reconstruction, over elements.
    public func reconstructionError(_ x: Matrix) -> Float {
        let y = reconstruct(x)
        var s = 0.0
        for i in 0..<x.storage.count { let d = Double(y.storage[i] - x.storage[i]); s += d * d }
        return Float(s / Double(max(x.storage.count, 1)))
    }
}
