import LinearAlgebra
import NeuralNet

extension Pretrainer {
    /// Greedy DBN pretraining (Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov
    /// 2006): RBM k learns the hidden probabilities p(h | v) of RBM k−1 (Bernoulli
    /// visible units above the first layer), with CD-k or PCD-k and momentum SGD. RBM k
    /// becomes encoder layer k, Dense(W, c, sigmoid), and decoder layer k, Dense(Wᵀ, b),
    /// of the unrolled autoencoder that `endToEnd` may then train.
    ///
    /// Curves per layer: `loss`, the mean squared error of the first Gibbs step's
    /// reconstruction (the guide's monitor, averaged over the epoch's batches), and
    /// `free_energy`, the mean free energy of a fixed subset (≤ 1000 evenly spaced rows)
    /// of the layer's training data after each epoch.
    func runDBN(_ x: Matrix, _ settings: RBMSettings, seed: UInt64) throws -> Result {
        var initRNG = RandomGenerator(seed: seed).derived(Streams.pretrainInit)
        var shuffleRNG = RandomGenerator(seed: seed).derived(Streams.pretrainShuffle)
        var sampleRNG = RandomGenerator(seed: seed).derived(Streams.rbmSampling)
        var result = Result(encoder: [], decoder: [], curves: [], timings: [])
        var codes = x
        let allRows = Array(0..<x.rows)
        let monitorRows = Swift.stride(from: 0, to: x.rows, by: max(1, x.rows / 1000)).prefix(1000).map { $0 }
        for (k, width) in config.layers.enumerated() {
            let units: VisibleUnits = k == 0 && settings.visible == .gaussian ? .gaussian : .bernoulli
            let rbm = RBM(visible: codes.cols, hidden: width, visibleUnits: units, cdSteps: settings.cdSteps,
                          persistent: settings.persistent, learningRate: Float(settings.learningRate),
                          momentum: Float(settings.initialMomentum), weightDecay: Float(config.weightDecay),
                          maxBatch: config.batchSize, rng: &initRNG)
            rbm.initializeVisibleBiases(from: codes)
            let monitorData = gather(codes, monitorRows)
            var batches = Minibatches(source: codes, rows: allRows, batchSize: config.batchSize)
            let (losses, elapsed, monitored) = try reconstructionEpochs(
                "pretrain RBM \(k + 1)/\(config.layers.count)", name: "pretrain layer_\(k)", epochs: config.epochs,
                batches: &batches, shuffle: &shuffleRNG,
                beforeEpoch: { epoch in
                    rbm.momentum = Float(epoch > settings.initialMomentumEpochs ? settings.momentum : settings.initialMomentum)
                },
                monitor: {
                    let f = rbm.freeEnergy(monitorData)
                    return [("free_energy", Float(f.reduce(0, +) / Double(max(f.count, 1))))]
                }
            ) { count, batch in rbm.trainStep(input: batch, batch: count, rng: &sampleRNG) }
            result.timings.append(StageTiming(stage: "pretrain_layer_\(k)", seconds: elapsed,
                                              samplesPerSecond: Double(x.rows * config.epochs) / max(elapsed, 1e-9)))
            result.curves.append((path: "pretrain/layer_\(k)/loss", values: losses))
            for (name, values) in monitored { result.curves.append((path: "pretrain/layer_\(k)/\(name)", values: values)) }
            result.encoder.append(SavedLayer(kernel: rbm.kernel, bias: rbm.hiddenBias, activation: Activation.sigmoid.rawValue))
            result.decoder.insert(SavedLayer(kernel: rbm.kernel.transposed, bias: rbm.visibleBias,
                                             activation: rbm.visibleActivation.rawValue), at: 0)
            codes = rbm.encode(codes)
        }
        return result
    }
}
