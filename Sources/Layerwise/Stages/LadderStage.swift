import LayerwiseMath
import LayerwiseNN

/// `ladder:` a ladder network trained on every training row (the unlabeled batches) and
/// the labeled rows (a batch of as many, cycling) together, instead of the classifier
/// head and fine-tuning. Every step: an unlabeled batch through the clean and the
/// corrupted encoder and the decoder (the denoising costs), a labeled batch through the
/// corrupted encoder with its own batch statistics (the cross-entropy). Labeled rows
/// take part in the denoising costs only as rows of the unlabeled stream, which holds
/// every training row.
///
/// With `pretrain:` before it, each encoder layer whose shape matches starts from the
/// pretrained kernel (the batch normalisation makes the bias redundant). The outcome's
/// encoder and head are the clean network with the running statistics folded into
/// plain Dense layers, so evaluation, `predict`, `encode`, the report and the Keras
/// export treat it as any classifier; the network as trained goes to `/model/ladder`.
/// Curves `ladder/loss`, `supervised`, `denoising/layer_l`, `val_loss`, `val_accuracy`.
struct LadderStage: Stage {
    let config: LadderConfig
    var name: String { "ladder" }

    var sharesRows: Bool { true }

    func settings(_ config: PipelineConfig) -> String? { "data \(config.data)\nladder \(self.config)" }

    /// `evaluate.baseline: labels_only`: the folded network trained on the labeled rows
    /// alone with the ladder's optimizer and batch size, its epochs chosen (validation rows
    /// or cross-validation) among as many passes over the labeled rows as the ladder made.
    static func baseline(_ c: LadderConfig) -> BaselineStage {
        let classifier = ClassifierConfig(
            hidden: c.layers, activation: c.activation, dropout: 0, optimizer: c.optimizer,
            epochs: c.epochs, batchSize: c.batchSize, earlyStopping: c.earlyStopping)
        return BaselineStage(classifier: classifier) { data in
            let rows = data.unlabeled.totalRows
            let steps = c.epochs * (rows / c.batchSize + (rows % c.batchSize == 0 ? 0 : 1))
            let labeled = max(data.labeledIndices.count, 1)
            return max(1, steps * min(c.batchSize, labeled) / labeled)
        }
    }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let labels = data.trainLabels, !data.labeledIndices.isEmpty else { return }
        let spec = LadderSpec(
            inputs: data.width, hidden: config.layers, classes: data.nClasses, activation: config.activation,
            noise: Float(config.noise), denoisingWeights: config.denoisingWeights.map(Float.init))
        var initRNG = context.streams.ladderInit
        let labeledRows = data.labeledIndices
        let m = min(config.batchSize, labeledRows.count)
        // In an MPI job each rank takes its part of the labeled batch too (the same rows drawn on every rank).
        let cluster = context.cluster
        let mine = (m * cluster.rank / cluster.size)..<(m * (cluster.rank + 1) / cluster.size)
        // A batch never holds more rows than the epoch has (`bufferRows`, as the batches cap it).
        let rowsPerStep = bufferRows(data.unlabeled.localBatch(config.batchSize), data.unlabeled.epochRows)
        let net = LadderNetwork(
            spec, maxBatch: max(rowsPerStep, mine.count, 2), rng: &initRNG,
            pretrained: outcome.model.encoder.map(\.kernel), optimizer: config.optimizer.engine)
        net.reducer = cluster.reducer
        let width = data.width
        var labeled = LabeledCycle(rows: labeledRows, batch: m, width: width, rng: context.streams.ladderLabeledShuffle)
        var labeledY = [Int32](repeating: 0, count: m)
        var noise = context.streams.ladderNoise
        var shuffle = context.streams.ladderShuffle
        var batches = try data.unlabeled.batches(config.batchSize)
        let stepsPerEpoch = (batches.epochRows + batches.batchSize - 1) / batches.batchSize
        let decay = Double(min(config.decayEpochs, config.epochs))
        let valX = gather(data.train, data.validationIndices)
        let valY = data.validationIndices.map { labels[$0] }

        var epoch = 0, step = 0, lastLoss: Float = 0
        var supervised = 0.0, denoising = [Double](repeating: 0, count: spec.depth + 1), rows = 0
        var denoisingCurves = [[Float]](repeating: [], count: spec.depth + 1)
        var best: (score: Float, epoch: Int, state: LadderState)? = nil
        var sinceBest = 0
        let loop = EpochLoop(
            label: "ladder", stage: "ladder", epochs: config.epochs, progress: context.progress,
            reducer: cluster.reducer)
        let result = try loop.run(
            &batches, shuffle: &shuffle,
            beforeEpoch: { e in
                epoch = e; step = 0; supervised = 0; rows = 0
                for l in denoising.indices { denoising[l] = 0 }
            },
            afterEpoch: { e in
                for l in denoising.indices { denoisingCurves[l].append(Float(denoising[l] / Double(max(rows, 1)))) }
                var end = EpochLoop.EpochEnd(values: [("supervised", Float(supervised / Double(max(rows, 1))))])
                guard !valX.storage.isEmpty else { return end }
                let metrics = ClassificationMetrics(probabilities: net.predict(valX).storage, labels: valY, classes: data.nClasses)
                end.values += [("val_loss", Float(metrics.logLoss)), ("val_accuracy", Float(metrics.accuracy))]
                guard let es = config.earlyStopping else { return end }
                let score = es.metric == .valLoss ? Float(metrics.logLoss) : -Float(metrics.accuracy)
                if best.map({ score < $0.score }) ?? true { best = (score, e, net.state); sinceBest = 0 } else { sinceBest += 1 }
                if sinceBest >= es.patience {
                    end.stop = "early stop after epoch \(e): no better \(es.metric.rawValue) for \(es.patience) epochs"
                }
                return end
            }
        ) { _, count, batch in
            defer { step += 1 }
            // A batch normalisation needs two rows: a last batch of one row is skipped.
            guard count > 1, let x = batch.baseAddress else { return lastLoss }
            let t = Double(epoch - 1) + Double(step) / Double(stepsPerEpoch)
            let factor = decay > 0 ? min(1, (Double(config.epochs) - t) / decay) : 1
            var lr = config.optimizer
            lr.learningRate *= factor
            net.retune(optimizer: lr.engine)
            labeled.fill(from: data.train)
            for k in 0..<m { labeledY[k] = labels[labeled.picked[k]] }
            let loss = labeled.x.withUnsafeBufferPointer { xl in
                labeledY.withUnsafeBufferPointer { yl in
                    net.trainStep(
                        unlabeled: x, rows: count, labeled: xl.baseAddress.map { $0 + mine.lowerBound * width },
                        labels: yl.baseAddress.map { $0 + mine.lowerBound }, labeledRows: mine.count, rng: &noise)
                }
            }
            supervised += net.lastSupervised * Double(count)
            for l in denoising.indices { denoising[l] += net.lastDenoising[l] * Double(count) }
            rows += count
            lastLoss = Float(loss)
            return lastLoss
        }
        if let best {
            net.state = best.state
            context.progress.note("[ladder] restored the weights of epoch \(best.epoch)")
        }
        outcome.timings.append(result.timing("ladder"))
        let monitored = result.monitored
        outcome.curves.append((path: "ladder/loss", values: result.losses))
        outcome.curves += monitored.filter { $0.name == "supervised" }.map { (path: "ladder/\($0.name)", values: $0.values) }
        outcome.curves += denoisingCurves.enumerated().map { (path: "ladder/denoising/layer_\($0.offset)", values: $0.element) }
        outcome.curves += monitored.filter { $0.name != "supervised" }.map { (path: "ladder/\($0.name)", values: $0.values) }

        let folded = net.foldedLayers
        if !outcome.model.encoder.isEmpty && outcome.model.pretrainedEncoder == nil {
            outcome.model.pretrainedEncoder = outcome.model.encoder
        }
        outcome.model.encoder = Array(folded.dropLast())
        outcome.model.head = Array(folded.suffix(1))
        outcome.model.ladder = LadderModel(
            state: net.state, activation: config.activation, noise: config.noise,
            denoisingWeights: config.denoisingWeights)
    }
}
