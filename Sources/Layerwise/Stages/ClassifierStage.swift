import LayerwiseMath
import LayerwiseNN

/// The classifier head (`classifier.hidden` then softmax) trained on the labeled rows'
/// codes from the frozen encoder (or the features themselves without one). The encoder
/// cannot change here, so its codes are computed once. With `pseudo_labels`, every
/// training row the spreading reached trains, weighted by its certainty. Curves `classifier/loss` (and
/// `val_loss`, `val_accuracy` with a validation split).
struct ClassifierStage: Stage {
    let config: ClassifierConfig
    var name: String { "classifier" }

    func settings(_ config: PipelineConfig) -> String? { "data \(config.data)\nclassifier \(self.config)" }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let labels = data.trainLabels else { return }
        let encoder = outcome.model.encoder
        let codes = encoder.isEmpty ? data.train : InferenceNetwork(encoder).predict(data.train)
        var initRNG = context.streams.classifierInit
        let head = Network(
            layers: headSpecs(inputs: codes.cols, classes: data.nClasses),
            maxBatch: max(bufferRows(config.batchSize, codes.rows), 256), rng: &initRNG, dropout: Float(config.dropout))
        head.configure(optimizer: config.optimizer.engine, weightDecay: Float(config.weightDecay))
        var shuffle = context.streams.classifierShuffle
        var dropout = context.streams.classifierDropout
        let trainer = SupervisedTrainer(
            stage: "classifier", epochs: config.epochs, batchSize: config.batchSize,
            earlyStopping: config.earlyStopping, progress: context.progress)
        let pseudo = outcome.pseudoLabels
        let r = try trainer.fit(
            head, x: codes, labels: labels, targets: pseudo?.targets(classes: data.nClasses),
            train: pseudo?.rows ?? data.labeledIndices,
            validation: data.validationIndices, classes: data.nClasses,
            shuffle: &shuffle, dropout: &dropout)
        outcome.timings.append(r.timing("classifier"))
        outcome.curves += r.curves("classifier")
        outcome.model.head = head.denseLayers
    }

    /// `hidden` widths with the classifier's activation, then softmax over the classes.
    func headSpecs(inputs: Int, classes: Int) -> [DenseSpec] {
        let act = config.activation
        var specs: [DenseSpec] = []
        var width = inputs
        for h in config.hidden { specs.append(DenseSpec(inputs: width, outputs: h, activation: act)); width = h }
        specs.append(DenseSpec(inputs: width, outputs: classes, activation: .softmax))
        return specs
    }
}
