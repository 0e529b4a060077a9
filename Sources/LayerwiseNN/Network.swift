import Foundation
import CLayerwiseKernels
import LayerwiseMath

/// A stack of Dense layers, `y_l = act_l(y_{l−1} · kernel_l + bias_l)`, kernel `[in, out]`
/// as in Keras.
///
/// Parameters, gradients and optimizer moments live in one `ParameterStore`, the forward
/// pass is `DenseStack`'s (shared with `InferenceNetwork`); every activation and delta
/// buffer is sized for `maxBatch` once, so a training step allocates nothing. A step is
/// forward → loss → backward → update; gradients are written (not accumulated) by each
/// step's backward pass, so no zeroing is needed.
public final class Network {
    /// Each layer's shape, activation and initializer.
    public let specs: [DenseSpec]
    /// The largest batch one step or pass processes.
    public let maxBatch: Int
    /// The inverted-dropout rate after every layer but the last, training only (0: none).
    public let dropout: Float
    /// The number of Dense layers.
    public var layerCount: Int { specs.count }

    /// Parameters, gradients and optimizer state; layer l is group l (kernel 2l, bias 2l + 1).
    let store: ParameterStore
    /// Data-parallel training: every optimizer step first averages the gradients over the
    /// processes through this reducer (nil, the default: this process's gradients alone).
    public var reducer: GradientReducer? {
        get { store.reducer }
        set { store.reducer = newValue }
    }
    /// The forward pass over `store`'s weights, shared with `InferenceNetwork`.
    let stack: DenseStack
    /// y_l, `[maxBatch, out_l]` each (post-activation, after dropout in training).
    var outputs: [FloatBuffer] { stack.outputs }
    /// Dropout scale (0 or 1/(1−p)) of each hidden layer.
    private let masks: [FloatBuffer]
    /// Ping-pong deltas `[maxBatch, max width]`.
    private var deltaA: FloatBuffer
    private var deltaB: FloatBuffer
    /// The corrupted input `[maxBatch, in_0]` when training with input noise.
    private let noisy: FloatBuffer
    /// The buffers of `vatStep`, made at its first call.
    var vatWorkspace: VATWorkspace?

    /// Zero weights; every buffer sized for `maxBatch` rows.
    private init(specs layers: [DenseSpec], maxBatch: Int, dropout: Float) {
        let weights = Weights(dense: layers)
        stack = DenseStack(layers, maxBatch: maxBatch, weights: weights)
        store = ParameterStore(
            weights, groups: layers.indices.map { (2 * $0)..<(2 * $0 + 2) },
            decayed: layers.indices.map { 2 * $0 }, optimizer: .defaultAdam)
        specs = layers
        self.maxBatch = maxBatch
        self.dropout = dropout
        masks = dropout > 0 ? layers.dropLast().map { FloatBuffer(maxBatch * $0.outputs) } : []
        let widest = layers.map { max($0.inputs, $0.outputs) }.max() ?? 0
        deltaA = FloatBuffer(maxBatch * widest)
        deltaB = FloatBuffer(maxBatch * widest)
        noisy = FloatBuffer(maxBatch * layers[0].inputs)
    }

    /// A network with freshly drawn weights.
    ///
    /// - Parameters:
    ///   - layers: consecutive layers (`layers[i].outputs == layers[i+1].inputs`).
    ///   - maxBatch: the largest batch `trainStep` and `predict` process at once.
    ///   - rng: draws every kernel by its layer's `initializer`, first layer first.
    ///   - dropout: inverted dropout after every layer but the last, training only.
    public convenience init(layers: [DenseSpec], maxBatch: Int, rng: inout RandomGenerator, dropout: Float = 0) {
        self.init(specs: layers, maxBatch: maxBatch, dropout: dropout)
        for (l, s) in layers.enumerated() {
            s.initializer.fill(stack.kernel(l), inputs: s.inputs, outputs: s.outputs, rng: &rng)
        }
    }

    /// A trainable network holding copies of `layers`' weights; it draws no random numbers.
    public convenience init(layers: [DenseLayer], maxBatch: Int = 256, dropout: Float = 0) {
        self.init(specs: layers.map(\.spec), maxBatch: maxBatch, dropout: dropout)
        denseLayers = layers
    }

    // MARK: Parameters

    /// The current weights, layer by layer; setting copies them in (same shapes and activations).
    public var denseLayers: [DenseLayer] {
        get { specs.indices.map(stack.layer) }
        set {
            precondition(newValue.count == specs.count, "\(newValue.count) layers for a network of \(specs.count)")
            for (l, layer) in newValue.enumerated() { stack.setLayer(l, layer) }
        }
    }

    /// Layer `layer`'s kernel `[in, out]`.
    public func kernel(_ layer: Int) -> Matrix { store.weights.matrix(2 * layer) }
    /// Layer `layer`'s bias `[out]`.
    public func bias(_ layer: Int) -> [Float] { store.weights.array(2 * layer + 1) }
    /// Copies `m` into layer `layer`'s kernel (same shape).
    public func setKernel(_ layer: Int, _ m: Matrix) { store.weights.set(2 * layer, m) }
    /// Copies `b` into layer `layer`'s bias (same length).
    public func setBias(_ layer: Int, _ b: [Float]) { store.weights.set(2 * layer + 1, b) }

    /// A frozen layer computes no gradient and is never updated (its bytes stay
    /// identical); backward stops at the lowest unfrozen layer.
    public func setFrozen(_ layer: Int, _ isFrozen: Bool) { store.setFrozen(layer, isFrozen) }

    /// A fresh optimizer (state reset) and L2 weight decay on kernels (PyTorch's
    /// `weight_decay`: g += λ·w, i.e. loss + λ/2·‖w‖²).
    public func configure(optimizer config: OptimizerConfig, weightDecay: Float = 0) {
        store.configure(config)
        store.weightDecay = weightDecay
    }

    /// From now on the weight decay pulls the kernels of `layers` towards their present
    /// values instead of 0 (λ/2·‖W − W₀‖², L2-SP): fine-tuning keeps a pretrained encoder
    /// near what it learned while the layers above are decayed as usual.
    public func anchorKernels(_ layers: Range<Int>) {
        for l in layers {
            store.anchors[2 * l] = Array(UnsafeBufferPointer(start: store[2 * l], count: specs[l].inputs * specs[l].outputs))
        }
    }

    /// All parameters as one flat array (layer by layer: kernel, bias), for tests and checkpoints.
    public var parameterValues: [Float] {
        get { store.parameterValues }
        set { store.parameterValues = newValue }
    }

    /// Gradients of the last backward pass, in the layout of `parameterValues`.
    public var gradientValues: [Float] { store.gradientValues }

    // MARK: Forward

    /// Forward pass over `batch` rows of `input` (see `DenseStack.forward`), with
    /// inverted dropout on the hidden layers when training.
    func forward(
        _ input: UnsafePointer<Float>, batch: Int, training: Bool, rng: inout RandomGenerator,
        upTo last: Int? = nil, fusedLoss: Bool = false
    ) {
        guard training && dropout > 0 else { return stack.forward(input, batch: batch, upTo: last, fusedLoss: fusedLoss) }
        stack.forward(input, batch: batch, upTo: last, fusedLoss: fusedLoss) { l, y, n in
            let m = masks[l].pointer, keep = 1 - dropout, scale = 1 / keep
            for i in 0..<n { m[i] = rng.uniform() < keep ? scale : 0 }
            lw_multiply(y, m, n)
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
    public func trainStep(
        input: UnsafeBufferPointer<Float>, batch: Int, target: Target, loss: Loss,
        noise: NoiseConfig = .none, rng: inout RandomGenerator
    ) -> Float {
        let (value, lowest) = lossAndGradients(
            input: input, batch: batch, target: target, loss: loss,
            noise: noise, training: true, rng: &rng)
        applyGradients(from: lowest)
        return value
    }

    /// One optimizer step on the gradients of the layers from `lowest` up (frozen ones excepted).
    func applyGradients(from lowest: Int) { store.update(from: lowest) }

    /// Forward, loss and backward without updating: fills the gradients of every
    /// trainable layer and returns the mean loss and the lowest trainable layer.
    func lossAndGradients(
        input: UnsafeBufferPointer<Float>, batch: Int, target: Target, loss: Loss,
        noise: NoiseConfig, training: Bool, rng: inout RandomGenerator
    ) -> (Float, Int) {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        guard let inputBase = input.baseAddress else { return (0, specs.count) }
        let x0 = noise.corrupted(inputBase, into: noisy.pointer, batch * specs[0].inputs, &rng)
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
    /// `parameterGradients: false` writes ∂loss/∂input alone (VAT's power iteration).
    func backward(
        _ x0: UnsafePointer<Float>, batch: Int, training: Bool,
        inputGradient: UnsafeMutablePointer<Float>? = nil, parameterGradients: Bool = true
    ) -> Int {
        let L = specs.count - 1
        let lowestTrainable = store.lowestTrainable
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
            if !store.frozen[l] && parameterGradients {
                // dZ = dY ⊙ act'(y);  dW = xᵀ · dZ  [in, out];  db = Σ_rows dZ
                lw_dense_backward_params(
                    d.pointer, outputs[l].pointer, xIn, store.gradient(2 * l), store.gradient(2 * l + 1),
                    Int32(batch), Int32(s.inputs), Int32(s.outputs), act, Activation.leak)
            } else {
                lw_activation_backward(d.pointer, outputs[l].pointer, Int32(batch), Int32(s.outputs), act, Activation.leak)
            }
            if l > lowest {
                // dY_{l−1} = dZ · Wᵀ  [batch, in]
                BLAS.gemm(d.pointer, stack.kernel(l), next.pointer, m: batch, n: s.inputs, k: s.outputs, transB: true)
                swap(&d, &next)
            } else if let inputGradient {
                BLAS.gemm(d.pointer, stack.kernel(l), inputGradient, m: batch, n: s.inputs, k: s.outputs, transB: true)
            }
        }
        return lowestTrainable
    }

    /// Adds the L2 term's gradient to the trainable layers' kernels; returns its value.
    func weightDecayTerm(from lowest: Int) -> Double {
        var total = 0.0
        store.addWeightDecay(from: lowest, to: &total)
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
            return lw_softmax_xent(
                stack.logits.pointer, labels.baseAddress!, outputs[L].pointer, deltaA.pointer,
                Int32(batch), Int32(outSpec.outputs), 1 / Float(batch)) / Double(batch)
        case (.crossEntropy, .values(let t)):
            // Soft (or weighted) targets: the loss is −Σⱼ tⱼ·log pⱼ per row, its gradient on
            // the logits (Σⱼ tⱼ)·p − t; a one-hot row of weight w is w times the hard-label loss.
            precondition(outSpec.activation == .softmax, "cross-entropy needs a softmax output layer")
            precondition(t.count >= n, "\(t.count) target values for \(batch)×\(outSpec.outputs)")
            let c = outSpec.outputs
            return softTargetCrossEntropy(t.baseAddress!, from: 0, rows: batch, classes: c, scale: 1 / Float(batch)) / Double(batch)
        case (.bce, .values(let t)), (.mse, .values(let t)):
            loss.checkReconstruction(outputActivation: outSpec.activation, model: "Network")
            precondition(t.count >= n, "\(t.count) target values for \(batch)×\(outSpec.outputs)")
            return loss.reconstructionSum(
                logits: stack.logits.pointer, output: outputs[L].pointer, target: t.baseAddress!,
                gradient: deltaA.pointer, rows: batch, cols: outSpec.outputs,
                activation: outSpec.activation, scale: 1 / Float(count)) / Double(count)
        default:
            preconditionFailure("loss \(loss) does not fit this target")
        }
    }

    /// The sum over rows `first ..< first + rows` of −Σⱼ tⱼ·log softmax(z)ⱼ (`t` holds those
    /// rows' targets from its start); writes their softmax into the last output and
    /// `scale`·∂(sum)/∂z into `outputDelta`.
    func softTargetCrossEntropy(
        _ t: UnsafePointer<Float>, from first: Int, rows: Int, classes c: Int, scale: Float
    ) -> Double {
        let z = stack.logits.pointer, p = outputs[specs.count - 1].pointer, g = deltaA.pointer
        var total = 0.0
        for k in 0..<rows {
            let o = (first + k) * c, to = k * c
            var top = z[o]
            for j in 1..<c { top = max(top, z[o + j]) }
            var sum: Double = 0
            for j in 0..<c { sum += Double(exp(z[o + j] - top)) }
            let logSum = Double(top) + log(sum)
            var mass: Float = 0
            for j in 0..<c {
                let logP = Double(z[o + j]) - logSum
                p[o + j] = Float(exp(logP))
                mass += t[to + j]
                total -= Double(t[to + j]) * logP
            }
            for j in 0..<c { g[o + j] = (mass * p[o + j] - t[to + j]) * scale }
        }
        return total
    }

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
