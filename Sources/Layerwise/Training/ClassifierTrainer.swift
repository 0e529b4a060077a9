import LinearAlgebra
import NeuralNet

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

    struct Curves {
        var loss: [Float] = []
        var valLoss: [Float] = []
        var valAccuracy: [Float] = []
        var bestEpoch: Int?
        var seconds = 0.0
        var samples = 0
    }

    /// Trains `net` on rows `train` of `x` with `labels`; validation on rows `validation`.
    func fit(_ net: Network, x: Matrix, labels: [Int32], train: [Int], validation: [Int],
             classes: Int, rng: inout RandomGenerator) throws -> Curves {
        var curves = Curves()
        let valX = gather(x, validation)
        let valY = validation.map { labels[$0] }
        var batches = Minibatches(source: x, rows: train, batchSize: batchSize)
        var best: (score: Float, epoch: Int, kernels: [Matrix], biases: [[Float]])? = nil
        var sinceBest = 0
        let start = Stopwatch.now()
        // Dropout draws from its own stream so shuffling and dropout never interleave.
        var stepRNG = rng.derived(1)
        var labelBuffer = [Int32](repeating: 0, count: batchSize)
        batches.onBatch = progress.tick
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            progress.begin(stage, epoch, of: epochs, samples: train.count)
            let t0 = Stopwatch.now()
            var sum = 0.0, n = 0
            batches.epoch(&rng) { rows, count, batch in
                for (k, r) in rows.enumerated() { labelBuffer[k] = labels[r] }
                let l = labelBuffer.withUnsafeBufferPointer { lb in
                    net.trainStep(input: batch, batch: count, target: .labels(UnsafeBufferPointer(rebasing: lb[0..<count])),
                                  loss: .crossEntropy, rng: &stepRNG)
                }
                sum += Double(l) * Double(count); n += count
            }
            let mean = Float(sum / Double(max(n, 1)))
            guard mean.isFinite else { throw DivergedError(stage: stage, epoch: epoch) }
            curves.loss.append(mean)
            curves.samples += n
            var shown: [(String, Float)] = [("loss", mean)]
            if !validation.isEmpty {
                let p = net.predict(valX)
                let m = ClassificationMetrics(probabilities: p.storage, labels: valY, classes: classes)
                curves.valLoss.append(Float(m.logLoss))
                curves.valAccuracy.append(Float(m.accuracy))
                shown += [("val_loss", Float(m.logLoss)), ("val_accuracy", Float(m.accuracy))]
                if let es = earlyStopping {
                    let score = es.metric == .valLoss ? Float(m.logLoss) : -Float(m.accuracy)
                    if best.map({ score < $0.score }) ?? true {
                        best = (score, epoch, (0..<net.layerCount).map(net.kernel), (0..<net.layerCount).map(net.bias))
                        sinceBest = 0
                    } else {
                        sinceBest += 1
                    }
                }
            }
            progress.epoch(stage, epoch, of: epochs, values: shown,
                           samplesPerSecond: Double(n) / Stopwatch.seconds(since: t0))
            if let es = earlyStopping, sinceBest >= es.patience {
                progress.note("[\(stage)] early stop after epoch \(epoch): no better \(es.metric.rawValue) for \(es.patience) epochs")
                break
            }
        }
        if let best {
            for i in 0..<net.layerCount { net.setKernel(i, best.kernels[i]); net.setBias(i, best.biases[i]) }
            curves.bestEpoch = best.epoch
            progress.note("[\(stage)] restored the weights of epoch \(best.epoch)")
        }
        curves.seconds = Stopwatch.seconds(since: start)
        return curves
    }
}
