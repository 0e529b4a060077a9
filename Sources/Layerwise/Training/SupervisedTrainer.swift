import LayerwiseMath
import LayerwiseNN

/// Supervised training of a network on the labeled rows, with optional early stopping
/// on the validation rows (the best epoch's weights are restored, as Keras's
/// `EarlyStopping(restore_best_weights=True)`).
///
/// Used twice: the head alone on the frozen encoder's codes (the encoder cannot change,
/// so its codes are computed once instead of every step), then encoder + head together
/// for fine-tuning.
struct SupervisedTrainer {
    let stage: String
    let epochs: Int
    let batchSize: Int
    let earlyStopping: EarlyStopping?
    let progress: Progress
    /// Virtual adversarial training: the batches run over `rows` (every training row but
    /// the validation ones), each paired with a batch of the rows `fit` trains on, cycling
    /// in the order `labeledShuffle` draws. Nil: the batches run over those rows alone.
    var vat: (settings: VATSettings, rows: [Int], labeledShuffle: RandomGenerator)? = nil

    /// Trains `net` on rows `train` of `x` with `labels`, or with `targets` (`[x.rows, classes]`
    /// weighted class distributions, e.g. pseudo-labels) when given; validation on rows
    /// `validation` against `labels`. Curves: `loss`, and with validation rows `val_loss`
    /// and `val_accuracy`.
    func fit(
        _ net: Network, x: Matrix, labels: [Int32], targets: Matrix? = nil, train: [Int], validation: [Int], classes: Int,
        shuffle: inout RandomGenerator, dropout: inout RandomGenerator
    ) throws -> EpochLoop.Result {
        let valX = gather(x, validation)
        let valY = validation.map { labels[$0] }
        var batches = Minibatches(source: x, rows: vat?.rows ?? train, batchSize: batchSize)
        var cycle = vat.map {
            LabeledCycle(rows: train, batch: min(batchSize, train.count), width: x.cols, rng: $0.labeledShuffle)
        }
        var best: (score: Float, epoch: Int, layers: [DenseLayer])? = nil
        var sinceBest = 0
        var labelBuffer = [Int32](repeating: 0, count: batches.batchSize)  // capped at the rows, as the batches are
        var targetBuffer = [Float](repeating: 0, count: targets == nil ? 0 : batches.batchSize * classes)
        let loop = EpochLoop(label: stage, stage: stage, epochs: epochs, progress: progress)
        let result = try loop.run(
            &batches, shuffle: &shuffle,
            afterEpoch: { epoch in
                guard !validation.isEmpty else { return EpochLoop.EpochEnd() }
                let m = ClassificationMetrics(probabilities: net.predict(valX).storage, labels: valY, classes: classes)
                var end = EpochLoop.EpochEnd(values: [("val_loss", Float(m.logLoss)), ("val_accuracy", Float(m.accuracy))])
                guard let es = earlyStopping else { return end }
                let score = es.metric == .valLoss ? Float(m.logLoss) : -Float(m.accuracy)
                if best.map({ score < $0.score }) ?? true {
                    best = (score, epoch, net.denseLayers)
                    sinceBest = 0
                } else {
                    sinceBest += 1
                }
                if sinceBest >= es.patience {
                    end.stop = "early stop after epoch \(epoch): no better \(es.metric.rawValue) for \(es.patience) epochs"
                }
                return end
            }
        ) { rows, count, batch in
            // Filled in place (a copy of the cycle would copy its buffers every step).
            cycle?.fill(from: x)
            if let settings = vat?.settings, let c = cycle, let u = batch.baseAddress {
                // The labeled half of the step: its rows' labels (or targets) by `picked`.
                let m = c.batch
                for (k, r) in c.picked.enumerated() {
                    if let targets {
                        for j in 0..<classes { targetBuffer[k * classes + j] = targets.storage[r * classes + j] }
                    } else {
                        labelBuffer[k] = labels[r]
                    }
                }
                return c.x.withUnsafeBufferPointer { xl in
                    labelBuffer.withUnsafeBufferPointer { lb in
                        targetBuffer.withUnsafeBufferPointer { tb in
                            net.vatStep(
                                labeled: xl.baseAddress!,
                                target: targets == nil
                                    ? .labels(UnsafeBufferPointer(rebasing: lb[0..<m]))
                                    : .values(UnsafeBufferPointer(rebasing: tb[0..<(m * classes)])),
                                labeledRows: m, unlabeled: u, rows: count, settings: settings, rng: &dropout)
                        }
                    }
                }
            }
            if let targets {
                for (k, r) in rows.enumerated() {
                    for c in 0..<classes { targetBuffer[k * classes + c] = targets.storage[r * classes + c] }
                }
                return targetBuffer.withUnsafeBufferPointer { tb in
                    net.trainStep(
                        input: batch, batch: count, target: .values(UnsafeBufferPointer(rebasing: tb[0..<(count * classes)])),
                        loss: .crossEntropy, rng: &dropout)
                }
            }
            for (k, r) in rows.enumerated() { labelBuffer[k] = labels[r] }
            return labelBuffer.withUnsafeBufferPointer { lb in
                net.trainStep(
                    input: batch, batch: count, target: .labels(UnsafeBufferPointer(rebasing: lb[0..<count])),
                    loss: .crossEntropy, rng: &dropout)
            }
        }
        if let best {
            net.denseLayers = best.layers
            progress.note("[\(stage)] restored the weights of epoch \(best.epoch)")
        }
        return result
    }
}
