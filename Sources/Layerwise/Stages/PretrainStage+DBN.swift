import LayerwiseMath
import LayerwiseNN

extension PretrainStage {
    /// Greedy DBN pretraining (Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov
    /// 2006): RBM k learns the hidden probabilities p(h | v) of RBM k−1 (Bernoulli
    /// visible units above the first layer), with CD-k or PCD-k and momentum SGD. RBM k
    /// becomes encoder layer k, Dense(W, c, sigmoid), and decoder layer k, Dense(Wᵀ, b),
    /// of the unrolled autoencoder that end-to-end training may then train.
    ///
    /// Curves per layer: `loss`, the mean squared error of the first Gibbs step's
    /// reconstruction (the guide's monitor, averaged over the epoch's batches), and
    /// `free_energy`, the mean free energy of a fixed subset (≤ 1000 evenly spaced rows)
    /// of the layer's training data after each epoch.
    func runDBN(_ x: UnlabeledRows, _ settings: RBMSettings, _ context: StageContext, _ outcome: inout RunOutcome) throws {
        var initRNG = context.streams.pretrainInit
        var shuffleRNG = context.streams.pretrainShuffle
        var sampleRNG = context.streams.rbmSampling
        var codes = x.matrix
        // The free-energy monitor's rows, ≤ 1000 evenly spaced. One process holding every row
        // takes the visible biases' statistics from all of them; streamed or shared-out rows,
        // from these (the same on every rank, so every rank starts from the same weights).
        let whole = x.ranks == 1 && !x.isStreamed
        let monitorRows = codes.map { c in Swift.stride(from: 0, to: c.rows, by: max(1, c.rows / 1000)).prefix(1000).map { $0 } }
        var sample = whole ? Matrix(rows: 0, cols: 0) : try x.sample(1000)
        var inputs = context.data.width
        for (k, width) in config.layers.enumerated() {
            let units: VisibleUnits = k == 0 && settings.visible == .gaussian ? .gaussian : .bernoulli
            var batches = try layerBatches(x, codes, outcome.model.encoder)
            let rbm = RBM(
                visible: inputs, hidden: width, visibleUnits: units, cdSteps: settings.cdSteps,
                persistent: settings.persistent, learningRate: Float(settings.learningRate),
                momentum: Float(settings.initialMomentum), weightDecay: Float(config.weightDecay),
                maxBatch: batches.batchSize, rng: &initRNG)
            rbm.reducer = context.cluster.reducer
            let monitorData = whole ? gather(codes ?? sample, monitorRows ?? []) : sample
            rbm.initializeVisibleBiases(from: whole ? codes ?? sample : sample)
            let loop = EpochLoop(
                label: "pretrain RBM \(k + 1)/\(config.layers.count)", stage: "pretrain layer_\(k)",
                epochs: config.epochs, progress: context.progress, reducer: context.cluster.reducer)
            let r = try loop.run(
                &batches, shuffle: &shuffleRNG,
                beforeEpoch: { epoch in
                    rbm.momentum = Float(epoch > settings.initialMomentumEpochs ? settings.momentum : settings.initialMomentum)
                },
                afterEpoch: { _ in
                    let f = rbm.freeEnergy(monitorData)
                    return EpochLoop.EpochEnd(values: [("free_energy", Float(f.reduce(0, +) / Double(max(f.count, 1))))])
                }
            ) { _, count, batch in rbm.trainStep(input: batch, batch: count, rng: &sampleRNG) }
            outcome.timings.append(r.timing("pretrain_layer_\(k)"))
            outcome.curves += r.curves("pretrain/layer_\(k)")
            outcome.model.encoder.append(DenseLayer(kernel: rbm.kernel, bias: rbm.hiddenBias, activation: .sigmoid))
            outcome.model.decoder.insert(
                DenseLayer(
                    kernel: rbm.kernel.transposed, bias: rbm.visibleBias,
                    activation: rbm.visibleActivation), at: 0)
            codes = codes.map(rbm.encode)
            if !whole { sample = rbm.encode(sample) }
            inputs = width
        }
    }
}
