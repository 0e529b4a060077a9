import Foundation
import LinearAlgebra
import NeuralNet

/// How `layerwise run` was invoked.
public struct RunOptions: Sendable {
    public var overrides: [String]
    public var threads: Int?
    public var quiet: Bool
    public var json: Bool
    /// Reuse the finished stages of an interrupted run (see `Checkpoint`).
    public var resume: Bool
    public init(overrides: [String] = [], threads: Int? = nil, quiet: Bool = false, json: Bool = false, resume: Bool = false) {
        self.overrides = overrides; self.threads = threads; self.quiet = quiet; self.json = json; self.resume = resume
    }
}

/// Runs a pipeline's stages in order (SPEC §2): data → pretrain → end-to-end →
/// classifier head on the frozen encoder → fine-tune → evaluate → anomaly → results.
public enum Runner {
    public static func run(pipelineFile: String, options: RunOptions) throws -> RunReport {
        let pipeline = try Pipeline.load(file: pipelineFile, overrides: options.overrides)
        return try run(pipeline, options: options)
    }

    /// Every run of the file: one, or one per `matrix:` combination (all checked first),
    /// with the sweep's summary written beside the runs.
    public static func runAll(pipelineFile: String, options: RunOptions) throws -> (reports: [RunReport], sweep: SweepSummary?) {
        let pipelines = try Pipeline.loadAll(file: pipelineFile, overrides: options.overrides)
        guard let first = pipelines.first, let baseName = first.matrixBaseName else {
            return (try pipelines.map { try run($0, options: options) }, nil)
        }
        let progress = Progress(quiet: options.quiet)
        var reports: [RunReport] = []
        for (i, p) in pipelines.enumerated() {
            progress.note("run \(i + 1)/\(pipelines.count): \(p.matrixAssignment.joined(separator: " "))")
            reports.append(try run(p, options: options))
        }
        var named = first.config
        named.name = baseName
        let folder = URL(fileURLWithPath: first.resolve(expand(named.output.results, named, Date()))).deletingLastPathComponent().path
        let sweep = SweepSummary(reports: reports, metric: first.config.evaluate.expect.first?.metric ?? "accuracy", folder: folder)
        try sweep.write()
        return (reports, sweep)
    }

    public static func run(_ pipeline: Pipeline, options: RunOptions) throws -> RunReport {
        let cfg = pipeline.config
        let created = Date()
        BLAS.setThreads(options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let progress = Progress(quiet: options.quiet)
        let destination = pipeline.resolve(expand(cfg.output.results, cfg, created))
        try ResultsWriter.checkWritable(destination)

        var t0 = Stopwatch.now()
        let data = try TrainingData.load(pipeline, needLabels: cfg.classifier != nil)
        try checkFits(cfg, data)
        var outcome = RunOutcome()
        outcome.timings.append(StageTiming(stage: "data", seconds: Stopwatch.seconds(since: t0),
                                           samplesPerSecond: Double(data.train.rows) / max(Stopwatch.seconds(since: t0), 1e-9)))
        progress.note("data: \(data.train.rows) training rows × \(data.width) features, \(data.labeledIndices.count) labeled + \(data.validationIndices.count) validation, \(data.test?.rows ?? 0) test, \(data.nClasses) classes")

        var checkpoint = options.resume ? Checkpoint.load(resultsPath: destination) : Checkpoint(resultsPath: destination)
        if options.resume && checkpoint.pretraining == nil && checkpoint.classifier == nil {
            progress.note("resume: no checkpoint at \(checkpoint.path); running every stage")
        }

        // Pretraining.
        var stack: Pretrainer.Result? = nil
        if let pre = cfg.pretrain {
            let fingerprint = Checkpoint.fingerprint(cfg, stage: "pretrain")
            let s: Pretrainer.Result
            if let saved = checkpoint.pretraining, saved.fingerprint == fingerprint {
                s = saved.result
                progress.note("resume: pretraining (and end-to-end) from \(checkpoint.path)")
            } else {
                if options.resume && checkpoint.pretraining != nil { progress.note("resume: pretraining settings changed; pretraining again") }
                let p = Pretrainer(config: pre, progress: progress)
                // One-class anomaly detection: the autoencoder learns the normal classes only.
                let unlabeled = data.normalRows.map { gather(data.train, $0) } ?? data.train
                var trained = try p.run(unlabeled, seed: cfg.seed)
                try p.endToEnd(unlabeled, &trained, seed: cfg.seed)
                s = trained
                checkpoint.pretraining = Checkpoint.Pretraining(fingerprint: fingerprint, result: s)
                checkpoint.classifier = nil
                try checkpoint.save()
            }
            stack = s
            // End-to-end training updates decoder and encoder separately: ties hold only without it.
            outcome.tiedWeights = pre.tiedWeights && (pre.endToEnd?.epochs ?? 0) == 0
            outcome.curves += s.curves
            outcome.timings += s.timings
        }
        let autoencoder = stack.map(autoencoderNetwork)
        var encoder = stack?.encoder ?? []
        outcome.decoder = stack?.decoder ?? []
        outcome.logVariance = stack?.logVariance

        // Classifier head on the frozen encoder, then fine-tuning.
        var classifier: Network? = nil
        if let cls = cfg.classifier, let labels = data.trainLabels {
            let fingerprint = Checkpoint.fingerprint(cfg, stage: "classifier")
            var headLayers: [SavedLayer]
            if let done = checkpoint.classifier, done.fingerprint == fingerprint {
                headLayers = done.head
                outcome.curves += done.curves
                outcome.timings.append(done.timing)
                progress.note("resume: classifier head from \(checkpoint.path)")
            } else {
                t0 = Stopwatch.now()
                let encoderNet = autoencoder.map { _ in network(encoder, seed: 0) }
                let codes = encoderNet.map { $0.predict(data.train) } ?? data.train
                let head = makeHead(cls, inputs: codes.cols, classes: data.nClasses, seed: cfg.seed)
                head.configure(optimizer: optimizerConfig(cls.optimizer))
                var rng = RandomGenerator(seed: cfg.seed).derived(Streams.classifierShuffle)
                let trainer = SupervisedTrainer(stage: "classifier", epochs: cls.epochs, batchSize: cls.batchSize,
                                                earlyStopping: cls.earlyStopping, progress: progress)
                let c = try trainer.fit(head, x: codes, labels: labels, train: data.labeledIndices,
                                        validation: data.validationIndices, classes: data.nClasses, rng: &rng)
                let timing = StageTiming(stage: "classifier", seconds: Stopwatch.seconds(since: t0),
                                         samplesPerSecond: Double(c.samples) / max(c.seconds, 1e-9))
                let classifierCurves = curves("classifier", c)
                outcome.curves += classifierCurves
                outcome.timings.append(timing)
                headLayers = saved(head)
                checkpoint.classifier = Checkpoint.Classifier(fingerprint: fingerprint, head: headLayers,
                                                              curves: classifierCurves, timing: timing)
                try checkpoint.save()
            }

            if let ft = cfg.fineTune, !encoder.isEmpty {
                t0 = Stopwatch.now()
                let full = network(encoder + headLayers, seed: 0, dropout: Float(cls.dropout))
                let unfrozen = min(ft.unfreezeLast ?? encoder.count, encoder.count)
                for i in 0..<(encoder.count - unfrozen) { full.setFrozen(i, true) }
                full.configure(optimizer: optimizerConfig(ft.optimizer))
                var ftRNG = RandomGenerator(seed: cfg.seed).derived(Streams.fineTune)
                let f = SupervisedTrainer(stage: "fine-tune", epochs: ft.epochs, batchSize: ft.batchSize,
                                          earlyStopping: ft.earlyStopping, progress: progress)
                let c2 = try f.fit(full, x: data.train, labels: labels, train: data.labeledIndices,
                                   validation: data.validationIndices, classes: data.nClasses, rng: &ftRNG)
                outcome.curves += curves("fine_tune", c2)
                outcome.timings.append(StageTiming(stage: "fine_tune", seconds: Stopwatch.seconds(since: t0),
                                                   samplesPerSecond: Double(c2.samples) / max(c2.seconds, 1e-9)))
                let all = saved(full)
                encoder = Array(all.prefix(encoder.count))
                headLayers = Array(all.dropFirst(encoder.count))
                classifier = full
            } else {
                classifier = network(encoder + headLayers, seed: 0)
            }
            outcome.head = headLayers
        }
        outcome.encoder = encoder
        if let stack, stack.encoder.count == encoder.count,
           zip(stack.encoder, encoder).contains(where: { $0.kernel.storage != $1.kernel.storage }) {
            outcome.pretrainedEncoder = stack.encoder
        }

        // Evaluation on the test set.
        t0 = Stopwatch.now()
        if let test = data.test {
            if let classifier {
                let p = classifier.predict(test)
                outcome.probabilities = p
                outcome.predictedLabels = argmaxRows(p.storage, classes: p.cols)
                if let y = data.testLabels {
                    outcome.testMetrics = ClassificationMetrics(probabilities: p.storage, labels: y, classes: p.cols)
                }
            }
            if !encoder.isEmpty {
                outcome.embeddings = network(encoder, seed: 0).predict(test)
            }
            if let autoencoder {
                let k = min(16, test.rows)
                outcome.reconstructionIndices = Array(0..<k)
                outcome.reconstructions = autoencoder.predict(gather(test, outcome.reconstructionIndices))
            }
        }
        if let an = cfg.anomaly, let autoencoder {
            outcome.anomaly = anomalyScores(an, autoencoder: autoencoder, data: data)
        }
        outcome.timings.append(StageTiming(stage: "evaluate", seconds: Stopwatch.seconds(since: t0),
                                           samplesPerSecond: Double(data.test?.rows ?? 0) / max(Stopwatch.seconds(since: t0), 1e-9)))

        // Gates.
        let measured = outcome.metricValues
        for e in cfg.evaluate.expect {
            guard let v = measured[e.metric] else {
                outcome.expectationFailures.append("\(e): \(e.metric) was not measured (it needs data.test, data.test_labels and its stage)")
                continue
            }
            if !e.holds(v) { outcome.expectationFailures.append("\(e) failed: \(e.metric) = \(String(format: "%.4f", v))") }
        }

        try ResultsWriter(pipeline: pipeline, data: data, destination: destination).write(outcome, created: created)
        checkpoint.remove()
        return RunReport(pipeline: pipeline, resultsPath: destination, outcome: outcome, data: data)
    }

    /// `layerwise validate`: the file, then every dataset it names, without training.
    public static func validate(pipelineFile: String, overrides: [String]) throws -> String {
        let pipelines = try Pipeline.loadAll(file: pipelineFile, overrides: overrides)
        for p in pipelines.dropFirst() {
            try checkFits(p.config, try TrainingData.load(p, needLabels: p.config.classifier != nil))
        }
        guard let pipeline = pipelines.first else { return "\(pipelineFile): nothing to run" }
        let data = try TrainingData.load(pipeline, needLabels: pipeline.config.classifier != nil)
        try checkFits(pipeline.config, data)
        var lines = ["\(pipelineFile): ok" + (pipelines.count > 1 ? " (\(pipelines.count) runs in the matrix)" : "")]
        lines.append("  train: \(pipeline.config.data.train) — \(data.train.rows) rows × \(data.width) features")
        if data.nClasses > 0 {
            lines.append("  labels: \(data.nClasses) classes; \(data.labeledIndices.count) labeled for training, \(data.validationIndices.count) for validation")
        }
        if let t = data.test { lines.append("  test: \(pipeline.config.data.test?.description ?? "") — \(t.rows) rows") }
        if let p = pipeline.config.pretrain { lines.append("  encoder: \(([data.width] + p.layers).map(String.init).joined(separator: "-"))") }
        return lines.joined(separator: "\n")
    }

    /// Cross-checks between the pipeline and the data it names.
    static func checkFits(_ cfg: PipelineConfig, _ data: TrainingData) throws {
        if let ft = cfg.fineTune, let n = ft.unfreezeLast, let layers = cfg.pretrain?.layers, n > layers.count {
            throw InputError("fine_tune.unfreeze: \(n) layers asked, the encoder has \(layers.count)")
        }
        if !cfg.evaluate.expect.isEmpty && (data.test == nil || data.testLabels == nil) {
            throw InputError("evaluate.expect: needs data.test and data.test_labels to measure")
        }
        if cfg.classifier != nil && data.test != nil && data.testLabels != nil {
            let maxTest = Int(data.testLabels?.max() ?? 0)
            if maxTest >= data.nClasses { throw InputError("data.test_labels: class \(maxTest) never appears in train_labels") }
        }
    }

    // MARK: - Helpers

    static func expand(_ template: String, _ cfg: PipelineConfig, _ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return template.replacingOccurrences(of: "{name}", with: cfg.name)
            .replacingOccurrences(of: "{seed}", with: String(cfg.seed))
            .replacingOccurrences(of: "{date}", with: f.string(from: date))
    }

    /// A network holding `layers`' weights (for inference or further training).
    static func network(_ layers: [SavedLayer], seed: UInt64, dropout: Float = 0) -> Network {
        var rng = RandomGenerator(seed: seed)
        let net = Network(layers: layers.map(denseSpec), maxBatch: 256, rng: &rng, dropout: dropout)
        for (i, l) in layers.enumerated() { net.setKernel(i, l.kernel); net.setBias(i, l.bias) }
        return net
    }

    static func autoencoderNetwork(_ s: Pretrainer.Result) -> Network { network(s.encoder + s.decoder, seed: 0) }

    static func saved(_ net: Network) -> [SavedLayer] {
        (0..<net.layerCount).map { SavedLayer(kernel: net.kernel($0), bias: net.bias($0), activation: net.specs[$0].activation.rawValue) }
    }

    static func makeHead(_ cls: ClassifierConfig, inputs: Int, classes: Int, seed: UInt64) -> Network {
        var rng = RandomGenerator(seed: seed).derived(Streams.classifierInit)
        let act = Activation(rawValue: cls.activation) ?? .relu
        var specs: [DenseSpec] = []
        var width = inputs
        for h in cls.hidden { specs.append(DenseSpec(inputs: width, outputs: h, activation: act)); width = h }
        specs.append(DenseSpec(inputs: width, outputs: classes, activation: .softmax))
        return Network(layers: specs, maxBatch: max(cls.batchSize, 256), rng: &rng, dropout: Float(cls.dropout))
    }

    static func curves(_ stage: String, _ c: SupervisedTrainer.Curves) -> [(path: String, values: [Float])] {
        var out = [(path: "\(stage)/loss", values: c.loss)]
        if !c.valLoss.isEmpty {
            out.append((path: "\(stage)/val_loss", values: c.valLoss))
            out.append((path: "\(stage)/val_accuracy", values: c.valAccuracy))
        }
        return out
    }

    /// Mean squared reconstruction error per row and the threshold by the pipeline's rule.
    static func anomalyScores(_ cfg: AnomalyConfig, autoencoder: Network, data: TrainingData) -> AnomalyScores {
        let train = reconstructionErrors(autoencoder, data.normalRows.map { gather(data.train, $0) } ?? data.train)
        let test = data.test.map { reconstructionErrors(autoencoder, $0) }
        let threshold: Float, rule: String
        switch cfg.threshold {
        case .percentile(let q): threshold = percentile(train, q); rule = "percentile \(q) of train_error"
        case .contamination(let c): threshold = percentile(train, 100 * (1 - c)); rule = "contamination \(c) of train_error"
        case .value(let v): threshold = Float(v); rule = "value"
        }
        var scores = AnomalyScores(trainError: train, testError: test, threshold: threshold, rule: rule)
        if let normal = cfg.normalClasses, let test, let y = data.testLabels {
            let isAnomaly = y.map { !normal.contains(Int($0)) }
            scores.rocAUC = rocAUC(scores: test, positive: isAnomaly)
            scores.averagePrecision = averagePrecision(scores: test, positive: isAnomaly)
        }
        return scores
    }

    static func reconstructionErrors(_ ae: Network, _ x: Matrix) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(x.rows)
        let chunk = 4096
        var start = 0
        while start < x.rows {
            let end = min(start + chunk, x.rows)
            let part = gather(x, Array(start..<end))
            let r = ae.predict(part)
            for i in 0..<part.rows {
                var s: Float = 0
                for j in 0..<x.cols { let d = r.storage[i * x.cols + j] - part.storage[i * x.cols + j]; s += d * d }
                out.append(s / Float(x.cols))
            }
            start = end
        }
        return out
    }
}
