import Foundation

/// How many epochs each training stage runs, decided once the data is read.
///
/// The fixed defaults (5 epochs of pretraining per layer, 50 of the head, 30 of
/// fine-tuning) were sized for 60,000 rows; on 1,400 rows they are 30 optimizer steps
/// per layer. So a stage whose `epochs` is not set trains at least `minimumSteps`
/// optimizer steps (minibatches):
///
///     epochs = max(fixed default, ⌈minimum steps / batches per epoch⌉)
///
/// which leaves large data at the fixed default. A stage whose `epochs` is set below
/// its minimum runs as asked, with a warning (docs/pipeline.md, "How long each stage trains").
struct TrainingPlan {
    /// Optimizer steps a stage whose epochs are not set trains at least.
    static let minimumSteps: [String: Int] = [
        "pretrain": 1000, "end_to_end": 1000, "classifier": 500, "fine_tune": 500
    ]

    /// One training stage's length.
    struct Entry: Equatable {
        /// The pipeline key, e.g. `pretrain.epochs`.
        var key: String
        var epochs: Int
        /// Rows the stage trains on per epoch and its batch size.
        var rows: Int
        var batchSize: Int
        /// Whether `epochs` was chosen by the rule (the key was not set).
        var chosen: Bool
        var minimum: Int
        /// Where the key is set (`p.yaml:20:11: classifier.epochs`), for the warning.
        var origin: String

        var batchesPerEpoch: Int { rows == 0 ? 0 : (rows + min(batchSize, rows) - 1) / min(batchSize, rows) }
        var steps: Int { epochs * batchesPerEpoch }
        var perLayer: Bool { key == "pretrain.epochs" }

        /// The printed line for a chosen length, e.g.
        /// `pretrain.epochs not set: 167 per layer (6 batches of 256 per epoch = 1002 optimizer steps; at least 1000)`.
        var note: String {
            "\(key) not set: \(epochs)\(perLayer ? " per layer" : "") (\(batches) per epoch = \(steps) optimizer steps; at least \(minimum))"
        }

        /// Set below the minimum (and not 0, which skips the stage on purpose).
        var warning: String? {
            guard !chosen, epochs > 0, steps < minimum else { return nil }
            return "\(origin): \(epochs) epochs × \(batches) = \(steps) optimizer steps\(perLayer ? " per layer" : ""), "
                + "fewer than the \(minimum) Layerwise trains when \(key) is not set, so the stage may be undertrained"
                + " (leave the key out, raise it, or lower the batch size)"
        }

        private var batches: String {
            "\(batchesPerEpoch) batch\(batchesPerEpoch == 1 ? "" : "es") of \(min(batchSize, rows))"
        }
    }

    var entries: [Entry] = []
    /// The data-sized weight decays, as printed: `classifier.weight_decay not set: 0.05 (…)`.
    var decayNotes: [String] = []
    /// The ladder's data-sized settings, as printed: `ladder.layers not set: [128, 64] (…)`.
    var ladderNotes: [String] = []

    /// λ × labeled rows of a head's or fine-tuning's L2 penalty whose `weight_decay` is not set.
    /// The head's is logistic regression's default (C = 1: ‖W‖²/2 against the summed log
    /// loss, i.e. λ = 1/n against the mean); fine-tuning trains every layer on the same few
    /// rows and holds them ten times as firmly (docs/pipeline.md, "How strongly the head and
    /// fine-tuning are regularised").
    static let weightDecayPerRow: [String: Double] = ["classifier": 1, "fine_tune": 10]

    /// The weight decay `stage` (`classifier`, `fine_tune`) gets by default on `rows` labeled rows.
    static func weightDecay(_ stage: String, rows: Int) -> Double { (weightDecayPerRow[stage] ?? 0) / Double(max(rows, 1)) }

    /// Lines for the run's output: each chosen length, then each chosen weight decay.
    var notes: [String] { ladderNotes + entries.filter(\.chosen).map(\.note) + decayNotes }
    /// Stages set to train fewer steps than the rule would give them.
    var warnings: [String] { entries.compactMap(\.warning) }

    /// `config` with every unset `epochs` chosen from the data, and the plan that says so.
    static func make(_ pipeline: Pipeline, _ data: TrainingData) -> (PipelineConfig, TrainingPlan) {
        var c = pipeline.config
        var plan = TrainingPlan()
        func entry(_ key: String, _ stage: String, _ epochs: inout Int, fromData: Bool, rows: Int, batch: Int) {
            let minimum = minimumSteps[stage] ?? 0
            var e = Entry(
                key: key, epochs: epochs, rows: rows, batchSize: batch, chosen: fromData, minimum: minimum,
                origin: pipeline.origin(key))
            if fromData && e.batchesPerEpoch > 0 {
                e.epochs = max(epochs, (minimum + e.batchesPerEpoch - 1) / e.batchesPerEpoch)
                epochs = e.epochs
            }
            if rows > 0 { plan.entries.append(e) }
        }
        let autoencoderRows = data.unlabeled.totalRows
        if var p = c.pretrain {
            entry("pretrain.epochs", "pretrain", &p.epochs, fromData: p.epochsFromData, rows: autoencoderRows, batch: p.batchSize)
            if var e = p.endToEnd {
                entry(
                    "pretrain.end_to_end.epochs", "end_to_end", &e.epochs, fromData: e.epochsFromData,
                    rows: autoencoderRows, batch: e.batchSize)
                p.endToEnd = e
            }
            c.pretrain = p
        }
        if let l = c.ladder {
            let (sized, notes) = l.sized(inputs: data.width, rows: data.train.rows)
            c.ladder = sized
            plan.ladderNotes = notes
        }
        let labeled = data.labeledIndices.count
        func decay(_ stage: String, _ value: inout Double, fromData: Bool) {
            guard fromData, labeled > 0, let perRow = weightDecayPerRow[stage] else { return }
            value = weightDecay(stage, rows: labeled)
            let rule = stage == "classifier" ? ": logistic regression's C = 1" : ""
            plan.decayNotes.append(
                "\(stage).weight_decay not set: \(String(format: "%.3g", value)) (\(Int(perRow)) / \(labeled) labeled rows\(rule))")
        }
        if var h = c.classifier, data.trainLabels != nil {
            // With pseudo-labels every training row but the validation ones trains the head and fine-tuning.
            let rows = h.pseudoLabels == nil ? labeled : data.train.rows - data.validationIndices.count
            entry("classifier.epochs", "classifier", &h.epochs, fromData: h.epochsFromData, rows: rows, batch: h.batchSize)
            decay("classifier", &h.weightDecay, fromData: h.weightDecayFromData)
            c.classifier = h
            if var f = c.fineTune, c.pretrain != nil {
                // With VAT each epoch is a pass over every training row but the validation ones, too.
                let rows = f.vat == nil ? rows : data.train.rows - data.validationIndices.count
                entry("fine_tune.epochs", "fine_tune", &f.epochs, fromData: f.epochsFromData, rows: rows, batch: f.batchSize)
                decay("fine_tune", &f.weightDecay, fromData: f.weightDecayFromData)
                c.fineTune = f
            }
        }
        return (c, plan)
    }
}
