import LayerwiseMath
import LayerwiseNN

/// Greedy layer-wise pretraining (Bengio et al. 2007; Vincent et al. 2008): layer k is
/// one shallow autoencoder trained to reconstruct layer k−1's codes, then frozen and
/// used to encode the data for layer k+1. `model: rbm` stacks RBMs instead (a DBN) and
/// `model: vae` trains one variational autoencoder whole.
///
/// Learns from every training row (labels are not needed), or with
/// `anomaly.normal_classes` from the normal rows only. Leaves the encoder and decoder in
/// the outcome; curves `pretrain/layer_k/loss` per layer.
struct PretrainStage: Stage {
    let config: PretrainConfig
    var name: String { "pretrain" }

    var sharesRows: Bool { true }

    func settings(_ config: PipelineConfig) -> String? {
        var p = self.config
        p.endToEnd = nil  // its own stage
        return "pretrain \(p)"
    }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let x = context.data.unlabeled
        switch config.model {
        case .rbm(let settings): try runDBN(x, settings, context, &outcome)
        case .vae(let settings): try runVAE(x, settings, context, &outcome)
        case .basic, .denoising, .sparse, .contractive: try runGreedy(x, context, &outcome)
        }
    }

    /// Layer k's batches: the rows' codes from the layers trained so far, computed once
    /// when the rows are in memory (`codes`), batch by batch when they are streamed.
    func layerBatches(_ x: UnlabeledRows, _ codes: Matrix?, _ encoder: [DenseLayer]) throws -> any BatchSource {
        if let codes { return x.minibatches(codes, batchSize: config.batchSize) }
        return try x.batches(config.batchSize, through: encoder)
    }

    private func runGreedy(_ x: UnlabeledRows, _ context: StageContext, _ outcome: inout RunOutcome) throws {
        var initRNG = context.streams.pretrainInit
        var shuffleRNG = context.streams.pretrainShuffle
        var noiseRNG = context.streams.pretrainNoise
        let activation = config.activation
        var noise = NoiseConfig.none, sparsity: (Float, Float)? = nil, contractive: Float? = nil
        switch config.model {
        case .denoising(let n): noise = n.engine
        case .sparse(let s): sparsity = (Float(s.target), Float(s.weight))
        case .contractive(let weight): contractive = Float(weight)
        case .basic, .rbm, .vae: break
        }
        var codes = x.matrix
        var inputs = context.data.width
        for (k, width) in config.layers.enumerated() {
            let (outAct, loss) = config.reconstruction(forLayer: k)
            var batches = try layerBatches(x, codes, outcome.model.encoder)
            let ae = ShallowAutoencoder(
                inputs: inputs, hidden: width, activation: activation, outputActivation: outAct, loss: loss,
                tiedWeights: config.tiedWeights, noise: noise, sparsity: sparsity,
                contractiveWeight: contractive, weightDecay: Float(config.weightDecay),
                maxBatch: batches.batchSize, optimizer: config.optimizer.engine, rng: &initRNG)
            ae.reducer = context.cluster.reducer
            let loop = EpochLoop(
                label: "pretrain layer \(k + 1)/\(config.layers.count)", stage: "pretrain layer_\(k)",
                epochs: config.epochs, progress: context.progress, reducer: context.cluster.reducer)
            let r = try loop.run(&batches, shuffle: &shuffleRNG) { _, count, batch in
                ae.trainStep(input: batch, batch: count, rng: &noiseRNG)
            }
            outcome.timings.append(r.timing("pretrain_layer_\(k)"))
            outcome.curves += r.curves("pretrain/layer_\(k)")
            let (encoder, decoder) = ae.denseLayers
            outcome.model.encoder.append(encoder)
            outcome.model.decoder.insert(decoder, at: 0)
            codes = codes.map(ae.encode)
            inputs = width
        }
        outcome.model.tiedWeights = config.tiedWeights
    }
}

extension PretrainConfig {
    /// Decoder output and loss of layer `index`: the pipeline's choice at the input
    /// layer; deeper layers reconstruct codes, with sigmoid + BCE when the codes are
    /// sigmoid (in (0, 1)), else identity + MSE.
    func reconstruction(forLayer index: Int) -> (Activation, Loss) {
        if index == 0 { return (outputActivation, loss) }
        return activation == .sigmoid ? (.sigmoid, .bce) : (.identity, .mse)
    }
}
