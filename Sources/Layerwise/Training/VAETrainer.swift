import LinearAlgebra
import NeuralNet

extension Pretrainer {
    /// `model: vae`: one variational autoencoder trained as a whole (not greedily):
    /// `layers: [512, 256, 64]` is the encoder 512-256, the Gaussian latent of 64 and
    /// the mirrored decoder. The saved encoder ends with the μ layer (identity), so the
    /// classifier, fine-tuning, `encode` and `predict` see μ; the decoder decodes μ for
    /// reconstructions and anomaly scores; the log σ² layer is kept in `logVariance`.
    ///
    /// Curves: `pretrain/vae/loss`, `reconstruction`, `kl` (batch means per row over the
    /// epoch; loss = reconstruction + β·kl with that epoch's β).
    func runVAE(_ x: Matrix, _ settings: VAESettings, seed: UInt64) throws -> Result {
        var initRNG = RandomGenerator(seed: seed).derived(Streams.pretrainInit)
        var shuffleRNG = RandomGenerator(seed: seed).derived(Streams.pretrainShuffle)
        var noiseRNG = RandomGenerator(seed: seed).derived(Streams.pretrainNoise)
        let (outAct, loss) = reconstruction(for: 0)
        let vae = VariationalAutoencoder(
            inputs: x.cols, hidden: Array(config.layers.dropLast()), latent: config.layers.last ?? 1,
            activation: Activation(rawValue: config.activation) ?? .relu, outputActivation: outAct, loss: loss,
            beta: Float(settings.beta), maxBatch: config.batchSize, optimizer: optimizerConfig(config.optimizer),
            weightDecay: Float(config.weightDecay), rng: &initRNG)
        var batches = Minibatches(source: x, rows: Array(0..<x.rows), batchSize: config.batchSize)
        var sums = (recon: 0.0, kl: 0.0, rows: 0)
        let (losses, elapsed, monitored) = try reconstructionEpochs(
            "pretrain VAE", name: "pretrain vae", epochs: config.epochs, batches: &batches, shuffle: &shuffleRNG,
            beforeEpoch: { epoch in
                let warm = settings.klWarmupEpochs
                vae.beta = Float(settings.beta * (warm > 0 ? min(1, Double(epoch) / Double(warm)) : 1))
                sums = (0, 0, 0)
            },
            monitor: {
                let n = Double(max(sums.rows, 1))
                return [("reconstruction", Float(sums.recon / n)), ("kl", Float(sums.kl / n))]
            }
        ) { count, batch in
            let t = vae.trainStep(input: batch, batch: count, rng: &noiseRNG)
            sums.recon += Double(t.reconstruction) * Double(count)
            sums.kl += Double(t.kl) * Double(count)
            sums.rows += count
            return t.loss
        }
        var result = Result(encoder: [], decoder: [], curves: [], timings: [])
        result.timings.append(StageTiming(stage: "pretrain_vae", seconds: elapsed,
                                          samplesPerSecond: Double(x.rows * config.epochs) / max(elapsed, 1e-9)))
        result.curves.append((path: "pretrain/vae/loss", values: losses))
        for (name, values) in monitored { result.curves.append((path: "pretrain/vae/\(name)", values: values)) }
        result.encoder = vae.encoderLayers.map { SavedLayer(kernel: $0.kernel, bias: $0.bias, activation: $0.activation.rawValue) }
        result.decoder = vae.decoderLayers.map { SavedLayer(kernel: $0.kernel, bias: $0.bias, activation: $0.activation.rawValue) }
        let lv = vae.logVarianceLayer
        result.logVariance = SavedLayer(kernel: lv.kernel, bias: lv.bias, activation: Activation.identity.rawValue)
        return result
    }
}
