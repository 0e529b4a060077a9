import CLayerwiseKernels
import LayerwiseMath

/// Tensors packed one after another in one Float allocation, each a row-major
/// `[rows, cols]` block at a fixed offset (a bias is `[1, n]`): the weights of any
/// model, and all an inference-only network holds.
final class Weights {
    struct Tensor {
        let offset: Int
        let rows: Int
        let cols: Int
        var count: Int { rows * cols }
        var end: Int { offset + count }
    }

    let tensors: [Tensor]
    let buffer: FloatBuffer

    /// Zero tensors of these shapes, in this order.
    init(shapes: [(rows: Int, cols: Int)]) {
        var offset = 0
        tensors = shapes.map { s in
            defer { offset += s.rows * s.cols }
            return Tensor(offset: offset, rows: s.rows, cols: s.cols)
        }
        buffer = FloatBuffer(offset)
    }

    /// A Dense stack's layout: layer l's kernel is tensor 2l, its bias tensor 2l + 1.
    convenience init(dense specs: [DenseSpec]) {
        self.init(shapes: specs.flatMap { [(rows: $0.inputs, cols: $0.outputs), (rows: 1, cols: $0.outputs)] })
    }

    /// The first value of tensor `t`.
    subscript(t: Int) -> UnsafeMutablePointer<Float> { buffer[tensors[t].offset] }

    var count: Int { buffer.count }

    /// Every value, tensor after tensor.
    var values: [Float] {
        get { buffer.values }
        set { buffer.values = newValue }
    }

    func matrix(_ t: Int) -> Matrix {
        let s = tensors[t]
        return Matrix(rows: s.rows, cols: s.cols, storage: array(t))
    }

    func array(_ t: Int) -> [Float] { Array(UnsafeBufferPointer(start: self[t], count: tensors[t].count)) }

    func set(_ t: Int, _ m: Matrix) {
        let s = tensors[t]
        precondition(m.rows == s.rows && m.cols == s.cols, "tensor \(t) is \(s.rows)×\(s.cols), got \(m.rows)×\(m.cols)")
        set(t, m.storage)
    }

    func set(_ t: Int, _ values: [Float]) {
        precondition(values.count == tensors[t].count, "tensor \(t) has \(tensors[t].count) values, got \(values.count)")
        values.withUnsafeBufferPointer { self[t].update(from: $0.baseAddress!, count: values.count) }
    }
}

/// A model's trainable parameters: its `Weights`, their gradients in the same layout,
/// the optimizer's state, and L2 weight decay on the tensors named at init.
///
/// The optimizer updates `groups` (runs of consecutive tensors, a Network's layer or a
/// whole shallow model) one call each; a frozen group gets no update. Gradients are
/// written, not accumulated, by each model's backward pass, so nothing is zeroed.
final class ParameterStore {
    let weights: Weights
    let grads: FloatBuffer
    private let groups: [Range<Int>]
    private let decayed: [Int]
    private(set) var frozen: [Bool]
    private var optimizer: Optimizer
    /// λ of the L2 term λ/2·‖W‖² on the decayed tensors (PyTorch's `weight_decay`: g += λ·W).
    var weightDecay: Float
    /// Decayed tensors pulled towards these values instead of 0, by tensor index: the term is
    /// λ/2·‖W − W₀‖² (L2-SP: Li, Grandvalet, Davoine, "Explicit Inductive Bias for Transfer
    /// Learning with Convolutional Networks", ICML 2018).
    var anchors: [Int: [Float]] = [:]
    /// Data-parallel training: `update` first averages the gradients over the processes
    /// through it (nil, the default: one process, no call).
    var reducer: GradientReducer?

    /// - Parameters:
    ///   - groups: tensor ranges updated one optimizer call each (nil: one group of all).
    ///   - decayed: the tensors weight decay applies to (kernels, not biases), in order.
    init(
        _ weights: Weights, groups: [Range<Int>]? = nil, decayed: [Int], optimizer: OptimizerConfig,
        weightDecay: Float = 0
    ) {
        self.weights = weights
        self.groups = groups ?? [0..<weights.tensors.count]
        self.decayed = decayed
        self.weightDecay = weightDecay
        grads = FloatBuffer(weights.count)
        frozen = Array(repeating: false, count: self.groups.count)
        self.optimizer = Optimizer(optimizer, count: weights.count)
    }

    subscript(t: Int) -> UnsafeMutablePointer<Float> { weights[t] }
    func gradient(_ t: Int) -> UnsafeMutablePointer<Float> { grads[weights.tensors[t].offset] }

    /// Parameters as one flat array (tensor after tensor), for tests and checkpoints.
    var parameterValues: [Float] {
        get { weights.values }
        set { weights.values = newValue }
    }

    /// Gradients of the last backward pass, in the layout of `parameterValues`.
    var gradientValues: [Float] { grads.values }

    // MARK: Optimizer

    /// A fresh optimizer (state reset).
    func configure(_ config: OptimizerConfig) { optimizer = Optimizer(config, count: weights.count) }

    /// New settings for the same optimizer, its state kept (an RBM's momentum schedule).
    func retune(_ config: OptimizerConfig) { optimizer.config = config }

    func setFrozen(_ group: Int, _ isFrozen: Bool) { frozen[group] = isFrozen }

    /// The lowest group that is not frozen (`groups.count` when all are).
    var lowestTrainable: Int { frozen.firstIndex(of: false) ?? groups.count }

    /// One optimizer step on the gradients of the groups from `lowest` up, frozen ones
    /// excepted; in a data-parallel stage, on their mean over the processes.
    func update(from lowest: Int = 0) {
        guard lowest < groups.count else { return }
        if let reducer {
            let first = weights.tensors[groups[lowest].lowerBound].offset
            reducer.average(grads.pointer + first, count: weights.count - first)
        }
        optimizer.beginStep()
        for g in lowest..<groups.count where !frozen[g] {
            let first = weights.tensors[groups[g].lowerBound].offset
            let end = weights.tensors[groups[g].upperBound - 1].end
            optimizer.update(weights.buffer.pointer, grads.pointer, offset: first, count: end - first)
        }
    }

    // MARK: Weight decay

    /// Adds λ·W to the gradient of every decayed tensor in the trainable groups from
    /// `lowest` up, and λ/2·‖W‖² of each, in order, to `total`.
    func addWeightDecay(from lowest: Int = 0, to total: inout Double) {
        forEachDecayed(from: lowest) { t, n in
            guard let anchor = anchors[t] else {
                total += Double(weightDecay) / 2 * lw_sum_squares(weights[t], n)
                lw_add_scaled(gradient(t), weights[t], n, weightDecay)
                return
            }
            let (w, g) = (weights[t], gradient(t))
            var squares = 0.0
            for i in 0..<n {
                let d = w[i] - anchor[i]
                squares += Double(d * d)
                g[i] += weightDecay * d
            }
            total += Double(weightDecay) / 2 * squares
        }
    }

    /// λ·W added to the decayed tensors' gradients, the value not computed (an RBM's weight cost).
    func addWeightDecayGradients() {
        forEachDecayed(from: 0) { t, n in lw_add_scaled(gradient(t), weights[t], n, weightDecay) }
    }

    private func forEachDecayed(from lowest: Int, _ body: (Int, Int) -> Void) {
        guard weightDecay > 0, lowest < groups.count else { return }
        for g in lowest..<groups.count where !frozen[g] {
            for t in decayed where groups[g].contains(t) { body(t, weights.tensors[t].count) }
        }
    }
}
