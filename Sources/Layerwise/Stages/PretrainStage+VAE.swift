import LayerwiseMath
import LayerwiseNN

extension PretrainStage {
    /// `model: vae`: one variational autoencoder trained as a whole (not greedily):
    /// `layers: [512, 256, 64]` is the encoder 512-256, the Gaussian latent of 64 and
    /// the mirrored decoder. The saved encoder ends with the μ layer (identity), so the
    /// classifier, fine-tuning, `encode` and `predict` see μ; the decoder decodes μ for
    /// reconstructions and anomaly scores; the log σ² layer is kept beside them.
    ///
    /// Curves: `pretrain/vae/loss`, `reconstruction`, `kl` (batch means per row over the
    /// epoch; loss = reconstruction + β·kl with that epoch's β).
    func runVAE(_ x: UnlabeledRows, _ settings: VAESettings, _ context: StageContext, _ outcome: inout RunOutcome) throws {
        var initRNG = context.streams.pretrainInit
        var shuffleRNG = context.streams.pretrainShuffle
        var noiseRNG = context.streams.pretrainNoise
        let (outAct, loss) = config.reconstruction(forLayer: 0)
        var batches = try x.batches(config.batchSize)
        let vae = VariationalAutoencoder(
            inputs: context.data.width, hidden: Array(config.layers.dropLast()), latent: config.layers.last ?? 1,
            activation: config.activation, outputActivation: outAct, loss: loss,
            beta: Float(settings.beta), maxBatch: batches.batchSize, optimizer: config.optimizer.engine,
            weightDecay: Float(config.weightDecay), rng: &initRNG)
        vae.reducer = context.cluster.reducer
        var sums = (recon: 0.0, kl: 0.0, rows: 0)
        let loop = EpochLoop(
            label: "pretrain VAE", stage: "pretrain vae", epochs: config.epochs, progress: context.progress,
            reducer: context.cluster.reducer)
        let r = try loop.run(
            &batches, shuffle: &shuffleRNG,
            beforeEpoch: { epoch in
                let warm = settings.klWarmupEpochs
                vae.beta = Float(settings.beta * (warm > 0 ? min(1, Double(epoch) / Double(warm)) : 1))
                sums = (0, 0, 0)
            },
            afterEpoch: { _ in
                let n = Double(max(sums.rows, 1))
                return EpochLoop.EpochEnd(values: [("reconstruction", Float(sums.recon / n)), ("kl", Float(sums.kl / n))])
            }
        ) { _, count, batch in
            let t = vae.trainStep(input: batch, batch: count, rng: &noiseRNG)
            sums.recon += Double(t.reconstruction) * Double(count)
            sums.kl += Double(t.kl) * Double(count)
            sums.rows += count
            return t.loss
        }
        outcome.timings.append(r.timing("pretrain_vae"))
        outcome.curves += r.curves("pretrain/vae")
        outcome.model.encoder = vae.encoderLayers
        outcome.model.decoder = vae.decoderLayers
        outcome.model.logVariance = vae.logVarianceLayer
    }
}
