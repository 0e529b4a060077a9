import LayerwiseMath
import LayerwiseNN

/// `pretrain.end_to_end`: the greedy stack unrolled into one deep autoencoder (encoder
/// then decoder) and trained whole to reconstruct its input (Hinton & Salakhutdinov
/// 2006). Replaces the outcome's encoder and decoder; curve `end_to_end/loss`.
struct EndToEndStage: Stage {
    let config: EndToEndConfig
    let pretrain: PretrainConfig
    var name: String { "end_to_end" }

    var sharesRows: Bool { true }

    func settings(_ config: PipelineConfig) -> String? { "end_to_end \(self.config)" }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        var batches = try context.data.unlabeled.batches(config.batchSize)
        var rng = context.streams.endToEndShuffle
        var noiseRNG = context.streams.endToEndNoise
        let net = Network(layers: outcome.model.autoencoder, maxBatch: batches.batchSize)
        net.configure(optimizer: config.optimizer.engine, weightDecay: Float(config.weightDecay))
        net.reducer = context.cluster.reducer
        let (_, loss) = pretrain.reconstruction(forLayer: 0)
        let noise = config.noise?.engine ?? NoiseConfig.none
        let loop = EpochLoop(
            label: "end-to-end", stage: "end_to_end", epochs: config.epochs, progress: context.progress,
            reducer: context.cluster.reducer)
        let r = try loop.run(&batches, shuffle: &rng) { _, count, batch in
            net.trainStep(input: batch, batch: count, target: .values(batch), loss: loss, noise: noise, rng: &noiseRNG)
        }
        outcome.timings.append(r.timing("end_to_end"))
        outcome.curves += r.curves("end_to_end")
        let trained = net.denseLayers
        let k = outcome.model.encoder.count
        outcome.model.encoder = Array(trained.prefix(k))
        outcome.model.decoder = Array(trained.dropFirst(k))
        // Encoder and decoder were updated separately: their kernels are no longer transposes.
        if config.epochs > 0 { outcome.model.tiedWeights = false }
    }
}
