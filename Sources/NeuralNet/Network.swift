import CKernels
import LinearAlgebra

/// A stack of Dense layers, `y_l = act_l(y_{l−1} · kernel_l + bias_l)`, kernel `[in, out]`
/// as in Keras.
///
/// Parameters, gradients and optimizer moments each live in one allocation made at
/// init; every activation and delta buffer is sized for `maxBatch` once, so a training
/// step allocates nothing. A step is forward → loss → backward → update; gradients are
/// written (not accumulated) by each step's backward pass, so no zeroing is needed.
public final class Network {
    public let specs: [DenseSpec]
    public let maxBatch: Int
    public let dropout: Float
    public var layerCount: Int { specs.count }

    /// Offsets of each layer's kernel and bias in `params` / `grads`.
    private let kernelOffset: [Int]
    private let biasOffset: [Int]
    private let params: FloatBuffer
    private let grads: FloatBuffer
    private var optimizer: Optimizer
    private var weightDecay: Float = 0
    private var frozen: [Bool]

    /// y_l, `[maxBatch, out_l]` each (post-activation, after dropout in training).
    let outputs: [FloatBuffer]
    /// Logits of the last layer `[maxBatch, out_last]` (losses are fused on logits).
    private let logits: FloatBuffer
    /// Dropout scale (0 or 1/(1−p)) of each hidden layer.
    private let masks: [FloatBuffer]
    /// Ping-pong deltas `[maxBatch, max width]`.
    private var deltaA: FloatBuffer
    private var deltaB: FloatBuffer
    /// The corrupted input `[maxBatch, in_0]` when training with input noise.
    private let noisy: FloatBuffer

    /// - Parameters:
    ///   - layers: consecutive layers (`layers[i].outputs == layers[i+1].inputs`).
    ///   - maxBatch: the largest batch `trainStep` and `predict` process at once.
    ///   - rng: draws every kernel by its layer's `initializer`, first layer first.
    ///   - dropout: inverted dropout after every layer but the last, training only.
    public init(layers: [DenseSpec], maxBatch: Int, rng: inout RandomGenerator, dropout: Float = 0) {
        precondition(!layers.isEmpty, "Network needs at least one layer")
        precondition(maxBatch > 0, "maxBatch must be positive")
        for i in 1..<max(layers.count, 1) where i < layers.count {
            precondition(layers[i - 1].outputs == layers[i].inputs, "layer \(i) takes \(layers[i].inputs) inputs, layer \(i - 1) gives \(layers[i - 1].outputs)")
        }
        specs = layers
        self.maxBatch = maxBatch
        self.dropout = dropout
        var k: [Int] = [], b: [Int] = [], total = 0
        for l in layers {
            k.append(total); total += l.inputs * l.outputs
            b.append(total); total += l.outputs
        }
        kernelOffset = k
        biasOffset = b
        params = FloatBuffer(total)
        grads = FloatBuffer(total)
        optimizer = Optimizer(.defaultAdam, count: total)
        frozen = Array(repeating: false, count: layers.count)
        outputs = layers.map { FloatBuffer(maxBatch * $0.outputs) }
        logits = FloatBuffer(maxBatch * (layers.last?.outputs ?? 0))
        masks = dropout > 0 ? layers.dropLast().map { FloatBuffer(maxBatch * $0.outputs) } : []
        let widest = layers.map { max($0.inputs, $0.outputs) }.max() ?? 0
        deltaA = FloatBuffer(maxBatch * widest)
        deltaB = FloatBuffer(maxBatch * widest)
        noisy = FloatBuffer(maxBatch * layers[0].inputs)
        for (i, l) in layers.enumerated() {
            l.initializer.fill(params[k[i]], inputs: l.inputs, outputs: l.outputs, rng: &rng)
        }
    }

    // MARK: Parameters

    public func kernel(_ layer: Int) -> Matrix {
        let s = specs[layer]
        return Matrix(rows: s.inputs, cols: s.outputs,
                      storage: Array(UnsafeBufferPointer(start: params[kernelOffset[layer]], count: s.inputs * s.outputs)))
    }

    public func bias(_ layer: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: params[biasOffset[layer]], count: specs[layer].outputs))
    }

    public func setKernel(_ layer: Int, _ m: Matrix) {
        let s = specs[layer]
        precondition(m.rows == s.inputs && m.cols == s.outputs, "kernel \(layer) is \(s.inputs)×\(s.outputs), got \(m.rows)×\(m.cols)")
        m.storage.withUnsafeBufferPointer { params[kernelOffset[layer]].update(from: $0.baseAddress!, count: m.storage.count) }
    }

    public func setBias(_ layer: Int, _ b: [Float]) {
        precondition(b.count == specs[layer].outputs, "bias \(layer) has \(specs[layer].outputs) values, got \(b.count)")
        b.withUnsafeBufferPointer { params[biasOffset[layer]].update(from: $0.baseAddress!, count: b.count) }
    }

    /// A frozen layer computes no gradient and is never updated (its bytes stay
    /// identical); backward stops at the lowest unfrozen layer.
    public func setFrozen(_ layer: Int, _ isFrozen: Bool) { frozen[layer] = isFrozen }

    /// A fresh optimizer (state reset) and L2 weight decay on kernels (PyTorch's
    /// `weight_decay`: g += λ·w, i.e. loss + λ/2·‖w‖²).
    public func configure(optimizer config: OptimizerConfig, weightDecay: Float = 0) {
        optimizer = Optimizer(config, count: params.count)
        self.weightDecay = weightDecay
    }

    // MARK: Forward

    /// Forward pass over `batch` rows of `input`; the result is in `outputs.last`.
    /// `fusedLoss`: the loss reads the last layer's logits (BCE, cross-entropy), so its
    /// activation is not computed here.
    func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool, rng: inout RandomGenerator,
                         upTo last: Int? = nil, fusedLoss: Bool = false) {
        let top = last ?? (specs.count - 1)
        var x = input
        for l in 0...top {
            let s = specs[l]
            let isLast = l == specs.count - 1
            let out = isLast ? logits.pointer : outputs[l].pointer
            // The last layer's activation is left to the fused loss, or applied to a copy
            // so the logits stay available.
            lw_dense_forward(x, params[kernelOffset[l]], 0, params[biasOffset[l]], out, Int32(batch), Int32(s.inputs),
                             Int32(s.outputs), isLast ? Int32(LW_IDENTITY) : s.activation.code, Activation.leak)
            if isLast {
                if !fusedLoss {
                    lw_activate_copy(out, outputs[l].pointer, Int32(batch), Int32(s.outputs), s.activation.code, Activation.leak)
                }
            } else {
                if training && dropout > 0 {
                    let m = masks[l].pointer, keep = 1 - dropout, scale = 1 / keep
                    for i in 0..<(batch * s.outputs) { m[i] = rng.uniform() < keep ? scale : 0 }
                    lw_multiply(out, m, batch * s.outputs)
                }
            }
            x = UnsafePointer(outputs[l].pointer)
        }
    }

    // MARK: Training

    /// What the output is compared with.
    public enum Target {
        /// `[batch, outputs]` values (for an autoencoder, the clean input itself).
        case values(UnsafeBufferPointer<Float>)
        /// `[batch]` class indices in `0..<outputs`.
        case labels(UnsafeBufferPointer<Int32>)
    }

    /// One optimisation step on `batch` rows of `input` (`[batch, inputs]`, row-major):
    /// forward (dropout, input noise) → loss → backward → update. Returns the batch's
    /// mean loss (plus the weight-decay term when set).
    @discardableResult
    public func trainStep(input: UnsafeBufferPointer<Float>, batch: Int, target: Target, loss: Loss,
                          noise: NoiseConfig = .none, rng: inout RandomGenerator) -> Float {
        let (value, lowest) = lossAndGradients(input: input, batch: batch, target: target, loss: loss,
                                               noise: noise, training: true, rng: &rng)
        applyGradients(from: lowest)
        return value
    }

    /// One optimizer step on the gradients of the layers from `lowest` up (frozen ones excepted).
    func applyGradients(from lowest: Int) {
        guard lowest < specs.count else { return }
        optimizer.beginStep()
        for l in lowest..<specs.count where !frozen[l] {
            optimizer.update(params.pointer, grads.pointer, offset: kernelOffset[l],
                             count: specs[l].inputs * specs[l].outputs + specs[l].outputs)
        }
    }

    /// Forward, loss and backward without updating: fills the gradients of every
    /// trainable layer and returns the mean loss and the lowest trainable layer.
    func lossAndGradients(input: UnsafeBufferPointer<Float>, batch: Int, target: Target, loss: Loss,
                          noise: NoiseConfig, training: Bool, rng: inout RandomGenerator) -> (Float, Int) {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        guard let inputBase = input.baseAddress else { return (0, specs.count) }
        let x0: UnsafePointer<Float>
        if noise.isNone {
            x0 = inputBase
        } else {
            noise.apply(inputBase, noisy.pointer, batch * specs[0].inputs, &rng)
            x0 = UnsafePointer(noisy.pointer)
        }
        forward(x0, batch: batch, training: training, rng: &rng, fusedLoss: loss != .mse)

        var total = outputLoss(batch: batch, target: target, loss: loss)
        let lowest = backward(x0, batch: batch, training: training)
        total += weightDecayTerm(from: lowest)
        return (Float(total), lowest)
    }

    // MARK: Pieces for models built from networks (the VAE)

    /// ∂loss/∂logits of the last layer `[batch, out_last]` (`outputLoss` writes it; a
    /// caller with a loss of its own writes it here), then call `backward`.
    var outputDelta: UnsafeMutablePointer<Float> { deltaA.pointer }

    /// Backward from `outputDelta` (∂loss/∂logits of the last layer) down to the lowest
    /// trainable layer, writing the parameter gradients; returns that layer. With
    /// `inputGradient` (`[batch, in_0]`) it goes on through every layer and also writes
    /// ∂loss/∂input (a frozen layer passes the gradient on but gets none itself).
    func backward(_ x0: UnsafePointer<Float>, batch: Int, training: Bool,
                  inputGradient: UnsafeMutablePointer<Float>? = nil) -> Int {
        let L = specs.count - 1
        let lowestTrainable = frozen.firstIndex(of: false) ?? specs.count
        let lowest = inputGradient == nil ? lowestTrainable : 0
        guard lowest <= L else { return lowestTrainable }
        var d = deltaA, next = deltaB
        for l in stride(from: L, through: lowest, by: -1) {
            let s = specs[l]
            // At L, d is already ∂loss/∂logits; below, the activation's derivative is applied
            // in the same pass as the bias gradient.
            var act = Int32(LW_IDENTITY)
            if l < L {
                undoDropout(d.pointer, l: l, batch: batch, training: training)
                act = s.activation.code
            }
            let xIn: UnsafePointer<Float> = l == 0 ? x0 : UnsafePointer(outputs[l - 1].pointer)
            if !frozen[l] {
                // dZ = dY ⊙ act'(y);  dW = xᵀ · dZ  [in, out];  db = Σ_rows dZ
                lw_dense_backward_params(d.pointer, outputs[l].pointer, xIn, grads[kernelOffset[l]], grads[biasOffset[l]],
                                         Int32(batch), Int32(s.inputs), Int32(s.outputs), act, Activation.leak)
            } else {
                lw_activation_backward(d.pointer, outputs[l].pointer, Int32(batch), Int32(s.outputs), act, Activation.leak)
            }
            if l > lowest {
                // dY_{l−1} = dZ · Wᵀ  [batch, in]
                BLAS.gemm(d.pointer, params[kernelOffset[l]], next.pointer, m: batch, n: s.inputs, k: s.outputs, transB: true)
                swap(&d, &next)
            } else if let inputGradient {
                BLAS.gemm(d.pointer, params[kernelOffset[l]], inputGradient, m: batch, n: s.inputs, k: s.outputs, transB: true)
            }
        }
        return lowestTrainable
    }

    /// Adds the L2 term's gradient to the trainable layers' kernels; returns its value.
    func weightDecayTerm(from lowest: Int) -> Double {
        guard weightDecay > 0, lowest < specs.count else { return 0 }
        var total = 0.0
        for l in lowest..<specs.count where !frozen[l] {
            let count = specs[l].inputs * specs[l].outputs
            total += Double(weightDecay) / 2 * lw_sum_squares(params[kernelOffset[l]], count)
            lw_add_scaled(grads[kernelOffset[l]], params[kernelOffset[l]], count, weightDecay)
        }
        return total
    }

    /// The batch's mean loss on the forward pass just run; writes ∂(mean loss)/∂logits of
    /// the last layer into `deltaA`. MSE and BCE average over all `batch·outputs`
    /// elements, cross-entropy over the `batch` rows (PyTorch's and Keras's 'mean');
    /// `perRow` makes MSE and BCE sums over each row's outputs, averaged over rows (a VAE's
    /// reconstruction term).
    func outputLoss(batch: Int, target: Target, loss: Loss, perRow: Bool = false) -> Double {
        let L = specs.count - 1
        let outSpec = specs[L]
        let n = batch * outSpec.outputs
        let count = perRow ? batch : n
        switch (loss, target) {
        case (.crossEntropy, .labels(let labels)):
            precondition(outSpec.activation == .softmax, "cross-entropy needs a softmax output layer")
            precondition(labels.count >= batch, "\(labels.count) labels for \(batch) rows")
            return lw_softmax_xent(logits.pointer, labels.baseAddress!, outputs[L].pointer, deltaA.pointer,
                                   Int32(batch), Int32(outSpec.outputs), 1 / Float(batch)) / Double(batch)
        case (.bce, .values(let t)):
            precondition(outSpec.activation == .sigmoid, "BCE needs a sigmoid output layer")
            precondition(t.count >= n, "\(t.count) target values for \(batch)×\(outSpec.outputs)")
            return lw_bce_logits(logits.pointer, t.baseAddress!, deltaA.pointer, n, 1 / Float(count)) / Double(count)
        case (.mse, .values(let t)):
            precondition(outSpec.activation != .softmax, "MSE with softmax output is not supported")
            precondition(t.count >= n, "\(t.count) target values for \(batch)×\(outSpec.outputs)")
            let total = lw_mse(outputs[L].pointer, t.baseAddress!, deltaA.pointer, n, 1 / Float(count)) / Double(count)
            lw_activation_backward(deltaA.pointer, outputs[L].pointer, Int32(batch), Int32(outSpec.outputs),
                                   outSpec.activation.code, Activation.leak)
            return total
        default:
            preconditionFailure("loss \(loss) does not fit this target")
        }
    }

    /// All parameters as one flat array (layer by layer: kernel, bias), for tests and checkpoints.
    public var parameterValues: [Float] {
        get { params.values }
        set { params.values = newValue }
    }

    /// Gradients of the last backward pass, in the layout of `parameterValues`.
    public var gradientValues: [Float] { grads.values }

    /// Takes hidden layer l's dropout back out of its delta and stored output, so the
    /// activation's derivative sees the unmasked y.
    private func undoDropout(_ d: UnsafeMutablePointer<Float>, l: Int, batch: Int, training: Bool) {
        guard training && dropout > 0 else { return }
        let n = batch * specs[l].outputs
        lw_multiply(d, masks[l].pointer, n)
        // The stored output is y·mask; where mask = 0 the delta is already 0, elsewhere
        // y·scale > 0 ⇔ y > 0, so ReLU's test is unchanged. Sigmoid/tanh/softmax
        // derivatives need y itself: undo the scale.
        if specs[l].activation == .sigmoid || specs[l].activation == .tanh || specs[l].activation == .softmax {
            let y = outputs[l].pointer, keep = 1 - dropout
            for i in 0..<n { y[i] *= keep }
        }
    }
}
