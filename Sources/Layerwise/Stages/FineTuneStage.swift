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
        let pseudo = outcome.pseudoLabels
        let trainRows = pseudo?.rows ?? data.labeledIndices
        // With VAT a step's batch is a labeled batch and a batch of training rows together.
        let vatRows = config.vat == nil ? [] : validationFree(rows: data.train.rows, data.validationIndices)
        let room = bufferRows(config.batchSize, data.train.rows) + (config.vat == nil ? 0 : min(config.batchSize, trainRows.count))
        let net = Network(layers: outcome.model.classifier, maxBatch: max(room, 256), dropout: Float(classifier.dropout))
        let unfrozen = min(config.unfreezeLast ?? encoder.count, encoder.count)
        for i in 0..<(encoder.count - unfrozen) { net.setFrozen(i, true) }
        net.configure(optimizer: config.optimizer.engine, weightDecay: Float(config.weightDecay))
        net.anchorKernels(0..<encoder.count)
        var shuffle = context.streams.fineTuneShuffle
        var dropout = context.streams.fineTuneDropout
        var trainer = SupervisedTrainer(
            stage: "fine-tune", epochs: config.epochs, batchSize: config.batchSize,
            earlyStopping: config.earlyStopping, progress: context.progress)
        if let v = config.vat {
            let settings = v.settings(rows: data.train, vatRows)
            if v.epsilon == nil {
                context.progress.note(
                    "[fine-tune] vat.epsilon not set: \(String(format: "%.3g", settings.epsilon)) "
                        + "(\(VATConfig.epsilonScale) × the training rows' RMS length)")
            }
            trainer.vat = (settings, vatRows, context.streams.fineTuneLabeledShuffle)
        }
        let r = try trainer.fit(
            net, x: data.train, labels: labels, targets: pseudo?.targets(classes: data.nClasses),
            train: trainRows,
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

/// Every row of `0..<rows` but `validation`, in order.
func validationFree(rows: Int, _ validation: [Int]) -> [Int] {
    let held = Set(validation)
    return (0..<rows).filter { !held.contains($0) }
}

extension VATConfig {
    /// The engine's settings: `epsilon` as given, or `epsilonScale` times the root-mean-square
    /// Euclidean length of `rows` of `x`; `xi` times epsilon for the probe.
    func settings(rows x: Matrix, _ rows: [Int]) -> VATSettings {
        var sum = 0.0
        for r in rows {
            for j in 0..<x.cols { let v = Double(x.storage[r * x.cols + j]); sum += v * v }
        }
        let eps = epsilon ?? Self.epsilonScale * (sum / Double(max(rows.count, 1))).squareRoot()
        return VATSettings(epsilon: Float(eps), xi: Float(xi * eps), weight: Float(weight), iterations: iterations)
    }
}
