import LayerwiseMath
import LayerwiseNN

/// `evaluate.baseline: labels_only`: the run's classifier network (its encoder's and
/// head's shapes and activations) trained from scratch on the labeled rows alone, with
/// the classifier's settings (optimizer, epochs, batch size, dropout, early stopping),
/// and evaluated on the test set — what the same network reaches without the unlabeled
/// data. Curves `baseline/…`; metrics in `/metrics/baseline`.
///
/// It draws from the classifier's streams, as the classifier of a pipeline without
/// `pretrain:` does: the baseline is bit for bit that pipeline's run with `classifier.hidden`
/// set to the encoder's widths and the head's (when their activations agree).
struct BaselineStage: Stage {
    let classifier: ClassifierConfig
    /// Epochs for this data (the ladder's: as many passes over the labeled rows as it made).
    var epochs: ((TrainingData) -> Int)? = nil
    var name: String { "baseline" }

    /// Cheap next to the stages before it, and its metrics are not part of a snapshot.
    func settings(_ config: PipelineConfig) -> String? { nil }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let labels = data.trainLabels, let test = data.test, let y = data.testLabels,
            !outcome.model.head.isEmpty
        else { return }
        var initRNG = context.streams.classifierInit
        let net = Network(
            layers: outcome.model.classifier.map(\.spec), maxBatch: max(bufferRows(classifier.batchSize, data.train.rows), 256),
            rng: &initRNG, dropout: Float(classifier.dropout))
        net.configure(optimizer: classifier.optimizer.engine)
        var shuffle = context.streams.classifierShuffle
        var dropout = context.streams.classifierDropout
        let trainer = SupervisedTrainer(
            stage: "baseline", epochs: epochs?(data) ?? classifier.epochs, batchSize: classifier.batchSize,
            earlyStopping: classifier.earlyStopping, progress: context.progress)
        let r = try trainer.fit(
            net, x: data.train, labels: labels, train: data.labeledIndices,
            validation: data.validationIndices, classes: data.nClasses,
            shuffle: &shuffle, dropout: &dropout)
        outcome.timings.append(r.timing("baseline"))
        outcome.curves += r.curves("baseline/labels_only")
        let p = InferenceNetwork(net.denseLayers).predict(test)
        let rule = epochs == nil ? "classifier.epochs" : "the ladder's passes over the labeled rows"
        let stopping =
            classifier.earlyStopping != nil && !data.validationIndices.isEmpty
            ? ", early stopping on the \(data.validationIndices.count) validation rows" : ""
        outcome.baselines.append(
            BaselineResult(
                kind: .labelsOnly, metrics: ClassificationMetrics(probabilities: p.storage, labels: y, classes: p.cols),
                settings: "the run's classifier network from scratch on the \(data.labeledIndices.count) labeled rows; "
                    + "\(r.losses.count) epochs (\(rule))\(stopping)"))
    }
}
