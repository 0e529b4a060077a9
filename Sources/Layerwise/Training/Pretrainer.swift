import LinearAlgebra
import NeuralNet

/// Greedy layer-wise pretraining (Bengio et al. 2007; Vincent et al. 2008): layer k is
/// one shallow autoencoder trained to reconstruct layer k−1's codes, then frozen and
/// used to encode the data for layer k+1. Optionally the stack is then unrolled into
/// one deep autoencoder and trained end to end (Hinton & Salakhutdinov 2006).
struct Pretrainer {
    let config: PretrainConfig
    let progress: Progress

    /// The stacked autoencoder after pretraining.
    struct Result {
        var encoder: [SavedLayer]
        /// From the bottleneck outwards: decoder[0] maps the deepest codes back up.
        var decoder: [SavedLayer]
        var curves: [(path: String, values: [Float])]
        var timings: [StageTiming]
        /// `model: vae`: the log σ² layer beside the encoder's μ layer.
        var logVariance: SavedLayer? = nil
    }

    /// Decoder output and loss of layer `index`: the pipeline's choice at the input
    /// layer; deeper layers reconstruct codes, with sigmoid + BCE when the codes are
    /// sigmoid (in (0, 1)), else identity + MSE.
    func reconstruction(for index: Int) -> (Activation, Loss) {
        if index == 0 {
            return (Activation(rawValue: config.outputActivation) ?? .sigmoid, Loss(rawValue: config.loss) ?? .bce)
        }
        return config.activation == "sigmoid" ? (.sigmoid, .bce) : (.identity, .mse)
    }

    func run(_ x: Matrix, seed: UInt64) throws -> Result {
        if config.model == .rbm, let rbm = config.rbm { return try runDBN(x, rbm, seed: seed) }
        if config.model == .vae, let vae = config.vae { return try runVAE(x, vae, seed: seed) }
        var initRNG = RandomGenerator(seed: seed).derived(Streams.pretrainInit)
        var shuffleRNG = RandomGenerator(seed: seed).derived(Streams.pretrainShuffle)
        var noiseRNG = RandomGenerator(seed: seed).derived(Streams.pretrainNoise)
        let activation = Activation(rawValue: config.activation) ?? .relu
        var result = Result(encoder: [], decoder: [], curves: [], timings: [])
        var codes = x
        let allRows = Array(0..<x.rows)
        for (k, width) in config.layers.enumerated() {
            let (outAct, loss) = reconstruction(for: k)
            let stage = "pretrain layer \(k + 1)/\(config.layers.count)"
            let ae = ShallowAutoencoder(
                inputs: codes.cols, hidden: width, activation: activation, outputActivation: outAct, loss: loss,
                tiedWeights: config.tiedWeights, noise: config.noise.map(noiseConfig) ?? .none,
                sparsity: config.sparsity.map { (Float($0.target), Float($0.weight)) },
                contractiveWeight: config.contractiveWeight.map(Float.init), weightDecay: Float(config.weightDecay),
                maxBatch: config.batchSize, optimizer: optimizerConfig(config.optimizer), rng: &initRNG)
            var batches = Minibatches(source: codes, rows: allRows, batchSize: config.batchSize)
            let (losses, elapsed, _) = try reconstructionEpochs(
                stage, name: "pretrain layer_\(k)", epochs: config.epochs, batches: &batches, shuffle: &shuffleRNG
            ) { count, batch in ae.trainStep(input: batch, batch: count, rng: &noiseRNG) }
            result.timings.append(StageTiming(stage: "pretrain_layer_\(k)", seconds: elapsed,
                                              samplesPerSecond: Double(x.rows * config.epochs) / max(elapsed, 1e-9)))
            result.curves.append((path: "pretrain/layer_\(k)/loss", values: losses))
            result.encoder.append(SavedLayer(kernel: ae.encoderKernel, bias: ae.encoderBias, activation: activation.rawValue))
            result.decoder.insert(SavedLayer(kernel: ae.decoderKernel, bias: ae.decoderBias, activation: outAct.rawValue), at: 0)
            codes = ae.encode(codes)
        }
        return result
    }

    /// Unrolls encoder + decoder into one network and trains it to reconstruct `x`.
    func endToEnd(_ x: Matrix, _ stack: inout Result, seed: UInt64) throws {
        guard let e2e = config.endToEnd else { return }
        let layers = stack.encoder + stack.decoder
        var rng = RandomGenerator(seed: seed).derived(Streams.endToEnd)
        var noiseRNG = RandomGenerator(seed: seed).derived(Streams.endToEndNoise)
        let net = Network(layers: layers.map(denseSpec), maxBatch: e2e.batchSize, rng: &rng)
        for (i, l) in layers.enumerated() { net.setKernel(i, l.kernel); net.setBias(i, l.bias) }
        net.configure(optimizer: optimizerConfig(e2e.optimizer), weightDecay: Float(e2e.weightDecay))
        let (_, loss) = reconstruction(for: 0)
        let noise = e2e.noise.map(noiseConfig) ?? NoiseConfig.none
        var batches = Minibatches(source: x, rows: Array(0..<x.rows), batchSize: e2e.batchSize)
        let (losses, elapsed, _) = try reconstructionEpochs(
            "end-to-end", name: "end_to_end", epochs: e2e.epochs, batches: &batches, shuffle: &rng
        ) { count, batch in
            net.trainStep(input: batch, batch: count, target: .values(batch), loss: loss, noise: noise, rng: &noiseRNG)
        }
        stack.timings.append(StageTiming(stage: "end_to_end", seconds: elapsed,
                                         samplesPerSecond: Double(x.rows * e2e.epochs) / max(elapsed, 1e-9)))
        stack.curves.append((path: "end_to_end/loss", values: losses))
        let k = stack.encoder.count
        for i in 0..<layers.count {
            let saved = SavedLayer(kernel: net.kernel(i), bias: net.bias(i), activation: layers[i].activation)
            if i < k { stack.encoder[i] = saved } else { stack.decoder[i - k] = saved }
        }
    }
}

extension Pretrainer {
    /// Epochs of unsupervised minibatch steps: the per-epoch mean loss (stopping with
    /// exit code 3 if it is NaN/Inf) and the stage's wall time. `beforeEpoch(e)` runs
    /// before epoch e (1-based); `monitor()` after each epoch, its named values printed
    /// with the loss and returned as curves.
    func reconstructionEpochs(_ label: String, name: String, epochs: Int, batches: inout Minibatches,
                              shuffle: inout RandomGenerator,
                              beforeEpoch: (Int) -> Void = { _ in },
                              monitor: () -> [(String, Float)] = { [] },
                              step: (Int, UnsafeBufferPointer<Float>) -> Float) throws -> (losses: [Float], seconds: Double, monitored: [(String, [Float])]) {
        var losses: [Float] = []
        var monitored: [(String, [Float])] = []
        let start = Stopwatch.now()
        batches.onBatch = progress.tick
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            beforeEpoch(epoch)
            progress.begin(label, epoch, of: epochs, samples: batches.rows.count)
            let t0 = Stopwatch.now()
            var sum = 0.0, n = 0
            batches.epoch(&shuffle) { _, count, batch in
                sum += Double(step(count, batch)) * Double(count)
                n += count
            }
            let mean = Float(sum / Double(max(n, 1)))
            guard mean.isFinite else { throw DivergedError(stage: name, epoch: epoch) }
            losses.append(mean)
            let rate = Double(n) / Stopwatch.seconds(since: t0)
            let extra = monitor()
            for (k, v) in extra.enumerated() {
                guard v.1.isFinite else { throw DivergedError(stage: name, epoch: epoch) }
                if k < monitored.count { monitored[k].1.append(v.1) } else { monitored.append((v.0, [v.1])) }
            }
            progress.epoch(label, epoch, of: epochs, values: [("loss", mean)] + extra, samplesPerSecond: rate)
        }
        return (losses, Stopwatch.seconds(since: start), monitored)
    }
}

// MARK: - Config → engine

func noiseConfig(_ n: NoiseSettings) -> NoiseConfig {
    switch n.kind {
    case .masking: return .masking(level: Float(n.level))
    case .gaussian: return .gaussian(stddev: Float(n.level))
    case .saltPepper: return .saltPepper(level: Float(n.level))
    }
}

func optimizerConfig(_ o: OptimizerSettings) -> OptimizerConfig {
    let lr = Float(o.learningRate)
    switch o.name {
    case .sgd: return .sgd(learningRate: lr, momentum: Float(o.momentum), nesterov: o.nesterov)
    case .rmsprop: return .rmsprop(learningRate: lr, rho: Float(o.rho), epsilon: Float(o.epsilon))
    case .adam: return .adam(learningRate: lr, beta1: Float(o.beta1), beta2: Float(o.beta2), epsilon: Float(o.epsilon))
    case .adamw: return .adamw(learningRate: lr, beta1: Float(o.beta1), beta2: Float(o.beta2), epsilon: Float(o.epsilon), weightDecay: Float(o.weightDecay))
    }
}

func denseSpec(_ l: SavedLayer) -> DenseSpec {
    DenseSpec(inputs: l.kernel.rows, outputs: l.kernel.cols, activation: Activation(rawValue: l.activation) ?? .identity)
}
