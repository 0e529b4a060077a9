import LayerwiseMath
import LayerwiseNN

/// `fine_tune:` the encoder (its top `unfreeze` layers, or all) and the head trained
/// together on the labeled rows, with the head's dropout and `fine_tune.weight_decay`:
/// the encoder's kernels pulled towards their pretrained values, the head's towards 0.
/// Replaces the outcome's encoder
/// and head, keeping the encoder as pretrained beside them (the decoder belongs to it).
/// Curves `fine_tune/loss` (and `val_loss`, `val_accuracy`).
struct FineTuneStage: Stage {
    let config: FineTuneConfig
    let classifier: ClassifierConfig
    var name: String { "fine_tune" }

    func settings(_ config: PipelineConfig) -> String? { "fine_tune \(self.config)" }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        let encoder = outcome.model.encoder
        guard let labels = data.trainLabels, !encoder.isEmpty else { return }
        let net = Network(
            layers: outcome.model.classifier, maxBatch: max(bufferRows(config.batchSize, data.train.rows), 256),
            dropout: Float(classifier.dropout))
        let unfrozen = min(config.unfreezeLast ?? encoder.count, encoder.count)
        for i in 0..<(encoder.count - unfrozen) { net.setFrozen(i, true) }
        net.configure(optimizer: config.optimizer.engine, weightDecay: Float(config.weightDecay))
        net.anchorKernels(0..<encoder.count)
        var shuffle = context.streams.fineTuneShuffle
        var dropout = context.streams.fineTuneDropout
        let trainer = SupervisedTrainer(
            stage: "fine-tune", epochs: config.epochs, batchSize: config.batchSize,
            earlyStopping: config.earlyStopping, progress: context.progress)
        let pseudo = outcome.pseudoLabels
        let r = try trainer.fit(
            net, x: data.train, labels: labels, targets: pseudo?.targets(classes: data.nClasses),
            train: pseudo?.rows ?? data.labeledIndices,
            validation: data.validationIndices, classes: data.nClasses,
            shuffle: &shuffle, dropout: &dropout)
        outcome.timings.append(r.timing("fine_tune"))
        outcome.curves += r.curves("fine_tune")
        let trained = net.denseLayers
        let tuned = Array(trained.prefix(encoder.count))
        if tuned != encoder && outcome.model.pretrainedEncoder == nil { outcome.model.pretrainedEncoder = encoder }
        outcome.model.encoder = tuned
        outcome.model.head = Array(trained.dropFirst(encoder.count))
    }
}
