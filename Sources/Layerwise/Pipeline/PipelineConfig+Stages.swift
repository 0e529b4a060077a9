import LayerwiseNN

// The settings of the supervised stages, `anomaly:`, `evaluate:` and `output:`.

/// An `early_stopping:` mapping: training stops when the watched validation value stops improving, and the best epoch's weights are restored.
public struct EarlyStopping: Sendable, Equatable {
    /// The values `early_stopping.metric` takes.
    public enum Metric: String, Sendable, CaseIterable {
        case valLoss = "val_loss"
        case valAccuracy = "val_accuracy"
    }
    /// `early_stopping.patience`: epochs without a better value before training stops.
    public var patience: Int
    /// `early_stopping.metric`: the value watched on the validation rows.
    public var metric: Metric
}

/// `classifier:` — the head (hidden layers, then a softmax over the classes) trained on the labeled rows with cross-entropy.
public struct ClassifierConfig: Sendable {
    /// `classifier.hidden`: head widths before the softmax layer; empty for the softmax layer alone.
    public var hidden: [Int]
    /// `classifier.activation`: the hidden layers' activation.
    public var activation: Activation
    /// `classifier.dropout`: the inverted-dropout rate after every layer but the last, in training only (fine-tuning too).
    public var dropout: Double
    /// `classifier.optimizer`: the head's optimizer.
    public var optimizer: OptimizerSettings
    /// `classifier.epochs`: passes over the labeled rows.
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `classifier.batch_size`: rows per minibatch.
    public var batchSize: Int
    /// `classifier.early_stopping`: nil trains every epoch.
    public var earlyStopping: EarlyStopping?
    /// `classifier.weight_decay`: λ of the L2 penalty λ/2·‖W‖² on the head's kernels, added to the mean
    /// cross-entropy.
    public var weightDecay: Double = 0
    /// `weight_decay` was not given: the run sets it to 1 / labeled rows (see `TrainingPlan`).
    public var weightDecayFromData = false
    /// `classifier.pseudo_labels`: train the head and fine-tuning on every training row, the
    /// unlabeled ones with labels spread from the labeled ones; nil: on the labeled rows only.
    public var pseudoLabels: PseudoLabelConfig? = nil
}

/// `classifier.pseudo_labels:` label spreading over a k-nearest-neighbour graph of the
/// training rows gives each unlabeled row a class and a certainty weight.
public struct PseudoLabelConfig: Sendable, Equatable {
    /// What the graph's distances are measured on.
    public enum Graph: String, Sendable, CaseIterable {
        /// The scaled input features.
        case inputs
        /// The pretrained encoder's codes.
        case codes
    }
    /// `graph`: inputs or codes.
    public var graph: Graph = .inputs
    /// `neighbors`: k of the k-nearest-neighbour graph.
    public var neighbors: Int = 7
    /// `alpha`: how much of a row's scores comes from its neighbours each iteration.
    public var alpha: Double = 0.2
    /// `iterations`: spreading steps.
    public var iterations: Int = 30
}

/// `fine_tune:` — the encoder and head trained together on the labeled rows with a fresh optimizer.
public struct FineTuneConfig: Sendable {
    /// Encoder layers to unfreeze counted from the top; nil = all.
    public var unfreezeLast: Int?
    /// `fine_tune.optimizer`: the fresh optimizer of the encoder and head.
    public var optimizer: OptimizerSettings
    /// `fine_tune.epochs`: passes over the labeled rows.
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `fine_tune.batch_size`: rows per minibatch.
    public var batchSize: Int
    /// `fine_tune.early_stopping`: nil trains every epoch.
    public var earlyStopping: EarlyStopping?
    /// `fine_tune.weight_decay`: λ of the L2 penalty λ/2·‖W‖² on the trained kernels (encoder and head).
    public var weightDecay: Double = 0
    /// `weight_decay` was not given: the run sets it to 10 / labeled rows (see `TrainingPlan`).
    public var weightDecayFromData = false
    /// `fine_tune.vat`: virtual adversarial training on every training row besides the
    /// labeled cross-entropy; nil: the labeled rows alone.
    public var vat: VATConfig? = nil
}

/// `fine_tune.vat:` virtual adversarial training (Miyato et al., TPAMI 2018): each step
/// pairs a batch of training rows, pushed by the perturbation that changes the
/// prediction most, with a batch of labeled rows.
public struct VATConfig: Sendable, Equatable {
    /// `epsilon`: the perturbation's length; nil: `epsilonScale` times the training rows'
    /// root-mean-square length, so the same default serves 30 columns and 784.
    public var epsilon: Double? = nil
    /// The share of the rows' RMS length that `epsilon` is when not given.
    public static let epsilonScale = 0.2
    /// `xi`: the power iteration's probe length as a share of epsilon.
    public var xi: Double = 0.1
    /// `weight`: α, the KL term's weight beside the cross-entropy.
    public var weight: Double = 1
    /// `iterations`: power iterations.
    public var iterations: Int = 1
}

/// `anomaly.threshold`: the rule that gives the reconstruction error above which a row is flagged.
public enum AnomalyThreshold: Sendable, Equatable {
    case percentile(Double)
    case contamination(Double)
    case value(Double)
}

/// `anomaly:` — every row scored by the autoencoder's reconstruction error.
public struct AnomalyConfig: Sendable {
    /// `anomaly.threshold`: how the threshold is computed from the training errors.
    public var threshold: AnomalyThreshold
    /// One-class set-up: the autoencoder pretrains on training rows of these classes
    /// only, and test rows of any other class are the anomalies (ROC AUC and average
    /// precision are reported). Nil: every training row is normal.
    public var normalClasses: [Int]?
}

/// A gate on a test metric, e.g. `accuracy: ">= 0.80"`.
public struct Expectation: Sendable, Equatable, CustomStringConvertible {
    /// The comparisons a gate takes.
    public enum Comparison: String, Sendable, CaseIterable {
        case ge = ">="
        case gt = ">"
        case le = "<="
        case lt = "<"
        case eq = "=="
    }
    /// The metric gated, e.g. `accuracy`.
    public var metric: String
    /// How the measured value is compared with `value`.
    public var comparison: Comparison
    /// The bound the measured value is compared with.
    public var value: Double
    /// The gate as the summary prints it, e.g. `accuracy >= 0.8`.
    public var description: String { "\(metric) \(comparison.rawValue) \(value)" }

    /// Whether the measured value `x` passes the gate.
    public func holds(_ x: Double) -> Bool {
        switch comparison {
        case .ge: return x >= value
        case .gt: return x > value
        case .le: return x <= value
        case .lt: return x < value
        case .eq: return x == value
        }
    }
}

/// `evaluate:` — the test metrics written, the gates on them and the labels-only baseline.
public struct EvaluateConfig: Sendable {
    /// The metrics `evaluate.metrics` takes, and its default.
    public static let allMetrics = ["accuracy", "macro_f1", "log_loss", "confusion_matrix"]
    /// Metrics of the baselines that gates can use: the stronger baseline's accuracy, and
    /// the run's accuracy minus it.
    public static let baselineMetrics = ["baseline_accuracy", "accuracy_gain"]
    /// `evaluate.metrics`: what is written to `/metrics/test` and printed in the run's summary.
    public var metrics: [String]
    /// `evaluate.expect`: the gates, in the order written (the first ranks a sweep's runs).
    public var expect: [Expectation]
    /// `evaluate.baseline`: what the run is compared with, fitted on the same labeled rows
    /// (default: both; `none`: neither).
    public var baselines: [Baseline]
    /// Whether `evaluate.baseline` was written (the default is dropped, with a note, where
    /// a run cannot measure it; a baseline asked for is an error there).
    public var baselinesGiven: Bool

    /// `labels_only` is among the baselines.
    var labelsOnlyBaseline: Bool { baselines.contains(.labelsOnly) }
}

/// What a run's accuracy is compared with, each fitted on every labeled row the run drew.
public enum Baseline: String, Sendable, CaseIterable {
    /// L2-regularised logistic regression (C = 1, as scikit-learn's `LogisticRegression()`) on the scaled features.
    case logisticRegression = "logistic_regression"
    /// The run's classifier network trained from scratch on the labeled rows alone.
    case labelsOnly = "labels_only"

    /// How the summary names it.
    var title: String { self == .logisticRegression ? "logistic regression" : "labels-only network" }
}

/// `output:` — the results file's path and the groups it holds.
public struct OutputConfig: Sendable {
    /// The groups `output.save` takes, and its default.
    public static let allSaves = ["weights", "metrics", "predictions", "embeddings", "reconstructions"]
    /// Results path template; `{name}`, `{seed}`, `{date}` expand. Relative to the pipeline's folder.
    public var results: String
    /// `output.save`: the groups written to the results file.
    public var save: Set<String>
}
