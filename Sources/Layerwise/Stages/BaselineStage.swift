import LayerwiseMath
import LayerwiseNN

/// `evaluate.baseline: labels_only`: the run's classifier network (its encoder's and
/// head's shapes and activations) trained from scratch on the labeled rows alone, with
/// the classifier's settings (optimizer, batch size, dropout, weight decay; a weight decay
/// left to the data is 1 / the rows each training uses), and evaluated on the test
/// set — what the same network reaches without the unlabeled data.
///
/// Its epoch count is chosen without the test labels: on the validation rows when the
/// run holds some out, else by k-fold cross-validation on the labeled rows (k = 5, or the
/// smallest class's row count when that is fewer; stratified), the epoch with the highest
/// mean validation accuracy (ties: the lowest mean log loss) among the first `maxEpochs` (the classifier's epochs, or the
/// ladder's passes over the labeled rows). Then the network is trained again from scratch
/// on every labeled row the run drew (validation rows included) for that many epochs.
/// Curves `baseline/labels_only/…` (the final training); metrics in
/// `/metrics/baseline/labels_only`.
struct BaselineStage: Stage {
    let classifier: ClassifierConfig
    /// At most this many epochs for this data (the ladder's: as many passes over the labeled rows as it made).
    var epochs: ((TrainingData) -> Int)? = nil
    var name: String { "baseline" }
    /// Folds of the cross-validation when the run holds out no validation rows.
    static let folds = 5

    /// Cheap next to the stages before it, and its metrics are not part of a snapshot.
    func settings(_ config: PipelineConfig) -> String? { nil }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let labels = data.trainLabels, let test = data.test, let y = data.testLabels,
            !outcome.model.head.isEmpty
        else { return }
        let maxEpochs = max(epochs?(data) ?? classifier.epochs, 1)
        let everyRow = (data.labeledIndices + data.validationIndices).sorted()
        let start = Stopwatch.now()
        let (chosen, rule) = try chooseEpochs(context, outcome, labels: labels, maxEpochs: maxEpochs)
        let (net, r) = try train(context, outcome, labels: labels, rows: everyRow, validation: [], epochs: chosen, quiet: false)
        // The stage's time includes choosing the epochs; its rate is the final training's.
        var timing = r.timing("baseline")
        timing.seconds = Stopwatch.seconds(since: start)
        outcome.timings.append(timing)
        outcome.curves += r.curves("baseline/labels_only")
        let p = InferenceNetwork(net.denseLayers).predict(test)
        outcome.baselines.append(
            BaselineResult(
                kind: .labelsOnly, metrics: ClassificationMetrics(probabilities: p.storage, labels: y, classes: p.cols),
                settings: "the run's classifier network from scratch on the \(everyRow.count) labeled rows (validation rows "
                    + "included), \(chosen) epochs: \(rule)"))
    }

    /// The epoch count with the highest validation accuracy (ties: the lowest log loss, then
    /// the earliest), and how it was found.
    func chooseEpochs(_ context: StageContext, _ outcome: RunOutcome, labels: [Int32], maxEpochs: Int) throws -> (Int, String) {
        let data = context.data
        if !data.validationIndices.isEmpty {
            let (_, r) = try train(
                context, outcome, labels: labels, rows: data.labeledIndices, validation: data.validationIndices, epochs: maxEpochs,
                quiet: true)
            var scores = EpochScores(epochs: maxEpochs)
            scores.add(r)
            return (scores.best, "the best accuracy of epochs 1 to \(maxEpochs) on the \(data.validationIndices.count) validation rows")
        }
        let rows = data.labeledIndices
        let classCounts = Dictionary(grouping: rows, by: { labels[$0] }).values.map(\.count)
        let k = min(Self.folds, classCounts.min() ?? 0)
        guard k >= 2 else { return (maxEpochs, "at most \(maxEpochs); a class has one labeled row, too few to cross-validate") }
        // Stratified folds: each class's rows, shuffled, dealt round the folds.
        var rng = context.streams.baselineFolds
        var fold = [Int: Int]()
        var dealt = 0
        for c in Set(rows.map { labels[$0] }).sorted() {
            var mine = rows.filter { labels[$0] == c }
            rng.shuffle(&mine)
            for r in mine {
                fold[r] = dealt % k
                dealt += 1
            }
        }
        var scores = EpochScores(epochs: maxEpochs)
        for f in 0..<k {
            let (_, r) = try train(
                context, outcome, labels: labels, rows: rows.filter { fold[$0] != f }, validation: rows.filter { fold[$0] == f },
                epochs: maxEpochs, quiet: true)
            scores.add(r)
        }
        return (
            scores.best,
            "the best mean accuracy of epochs 1 to \(maxEpochs) in \(k)-fold cross-validation on the labeled rows"
        )
    }

    /// Validation accuracy and log loss per epoch, summed over the runs added.
    struct EpochScores {
        var accuracy: [Double]
        var logLoss: [Double]
        init(epochs: Int) {
            accuracy = [Double](repeating: 0, count: epochs)
            logLoss = accuracy
        }
        mutating func add(_ r: EpochLoop.Result) {
            func curve(_ name: String) -> [Float] { r.monitored.first { $0.name == name }?.values ?? [] }
            for (e, v) in curve("val_accuracy").prefix(accuracy.count).enumerated() { accuracy[e] += Double(v) }
            for (e, v) in curve("val_loss").prefix(logLoss.count).enumerated() { logLoss[e] += Double(v) }
        }
        /// The 1-based epoch of the highest accuracy; among equal ones the lowest log loss, then the first.
        var best: Int {
            (accuracy.indices.min { a, b in
                accuracy[a] != accuracy[b] ? accuracy[a] > accuracy[b] : logLoss[a] < logLoss[b]
            } ?? 0) + 1
        }
    }

    /// A fresh network trained on `rows` for `epochs`, watching `validation` (no early stop).
    func train(
        _ context: StageContext, _ outcome: RunOutcome, labels: [Int32], rows: [Int], validation: [Int], epochs: Int, quiet: Bool
    ) throws -> (Network, EpochLoop.Result) {
        let data = context.data
        var initRNG = context.streams.classifierInit
        let net = Network(
            layers: outcome.model.classifier.map(\.spec), maxBatch: max(bufferRows(classifier.batchSize, data.train.rows), 256),
            rng: &initRNG, dropout: Float(classifier.dropout))
        // A data-sized weight decay is sized on the rows this network trains on, as the pipeline's would be.
        let decay = classifier.weightDecayFromData ? TrainingPlan.weightDecay("classifier", rows: rows.count) : classifier.weightDecay
        net.configure(optimizer: classifier.optimizer.engine, weightDecay: Float(decay))
        var shuffle = context.streams.classifierShuffle
        var dropout = context.streams.classifierDropout
        let trainer = SupervisedTrainer(
            stage: "baseline", epochs: epochs, batchSize: classifier.batchSize, earlyStopping: nil,
            progress: quiet ? Progress(quiet: true) : context.progress)
        let r = try trainer.fit(
            net, x: data.train, labels: labels, train: rows, validation: validation, classes: data.nClasses,
            shuffle: &shuffle, dropout: &dropout)
        return (net, r)
    }
}
