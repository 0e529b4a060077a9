import LayerwiseNN

/// The typed pipeline file (keys in docs/pipeline.md): one struct per stage, defaults
/// and ranges in `PipelineSchema.swift`. An absent optional stage is `nil` and skipped.
public struct PipelineConfig: Sendable {
    /// `name`: the run's name (the pipeline file's name without extension when not given); `{name}` in `output.results`.
    public var name: String
    /// `seed`: the seed every stage's random stream derives from.
    public var seed: UInt64
    /// `data`: the datasets to read and how to scale and split them.
    public var data: DataConfig
    /// `pretrain`: greedy layer-wise pretraining of the autoencoder; nil trains the classifier on the scaled inputs.
    public var pretrain: PretrainConfig?
    /// `classifier`: the head trained on the frozen encoder's codes; nil when absent.
    public var classifier: ClassifierConfig?
    /// `fine_tune`: the encoder and head trained together; nil keeps the encoder frozen.
    public var fineTune: FineTuneConfig?
    /// `anomaly`: anomaly scores from the reconstruction error; nil computes none.
    public var anomaly: AnomalyConfig?
    /// `evaluate`: test metrics, gates and the labels-only baseline (the defaults when absent).
    public var evaluate: EvaluateConfig
    /// `output`: the results file's path and the groups it holds (the defaults when absent).
    public var output: OutputConfig
    /// `ladder:` (PipelineSchema+Ladder.swift), instead of `classifier:` and `fine_tune:`.
    public var ladder: LadderConfig? = nil
}

/// A dataset inside an HDF5 file: `file.h5:/group/dataset`, the file relative to the
/// pipeline file's folder.
public struct DatasetRef: Sendable, Equatable, CustomStringConvertible {
    /// The HDF5 file, relative to the pipeline file's folder unless absolute.
    public var file: String
    /// The dataset's path inside the file, starting with `/`.
    public var dataset: String
    /// Where the pipeline names it, e.g. `p.yaml:5:10: data.train`, for messages about the data.
    public var origin: String?

    /// A reference to `dataset` in `file`, named in the pipeline at `origin` when known.
    public init(file: String, dataset: String, origin: String? = nil) {
        self.file = file
        self.dataset = dataset
        self.origin = origin
    }

    /// `file:dataset`, as a pipeline writes it.
    public var description: String { "\(file):\(dataset)" }
    /// The reference with the pipeline key and line that give it, when known.
    public var named: String { origin.map { "\($0): \(description)" } ?? description }

    /// Whether both name the same dataset of the same file; `origin` is not compared.
    public static func == (a: DatasetRef, b: DatasetRef) -> Bool { a.file == b.file && a.dataset == b.dataset }
}

/// `data.scale`: how the input features are scaled, fitted on the training features.
public enum ScaleKind: String, Sendable, CaseIterable {
    /// The default: `unit` for uint8 input (x/255, images), `minmax` for any other type
    /// (tables whose columns have different units). Resolved when the scaler is fitted,
    /// so a fitted `Scaler` and a results file never hold `auto`.
    case auto
    /// x/255 for uint8 input, else min-max to [0, 1] with the training set's global min and max.
    case unit
    /// Per-feature (x − min) / (max − min) with the training set's column minima and maxima.
    case minmax
    /// Per-feature (x − mean) / std with the training set's statistics.
    case standardize
    case none

    /// The kind `auto` stands for on data of this element type; any other kind is itself.
    public func resolved(isUInt8: Bool) -> ScaleKind {
        self == .auto ? (isUInt8 ? .unit : .minmax) : self
    }

    /// How a run states its scaling: `minmax (auto: per feature, for float data)`, or the kind asked for.
    public static func describe(requested: ScaleKind, fitted: ScaleKind) -> String {
        guard requested == .auto else { return fitted.rawValue }
        return fitted == .unit ? "unit (auto: x/255 for uint8 data)" : "\(fitted.rawValue) (auto: per feature, for non-uint8 data)"
    }

    /// Whether scaled training rows lie in [0, 1] (a sigmoid output and BCE fit them).
    public var isUnitInterval: Bool { self == .auto || self == .unit || self == .minmax }
}

/// Which training rows keep their label.
public enum LabeledSelection: Sendable, Equatable {
    case perClass(Int)
    case count(Int)
    case fraction(Double)
    /// Use the labels as given: `-1` marks an unlabeled row.
    case all
}

/// `data:` — the HDF5 datasets to read, how to scale them and which rows keep their labels.
public struct DataConfig: Sendable {
    /// `data.train`: the training features; every row is used for pretraining.
    public var train: DatasetRef
    /// `data.train_labels`: the class of each training row, `-1` for an unlabeled one; nil when not given.
    public var trainLabels: DatasetRef?
    /// `data.test`: the test features, evaluated after training; nil when not given.
    public var test: DatasetRef?
    /// `data.test_labels`: the class of each test row; nil when not given.
    public var testLabels: DatasetRef?
    /// `data.scale`: the scaling as asked, `auto` not yet resolved.
    public var scale: ScaleKind
    /// `data.labeled`: which training rows keep their label for the classifier.
    public var labeled: LabeledSelection
    /// Fraction of the labeled subset held out for validation (0 = none). Not given, it
    /// is 0.1 when a stage stops early (the only reader of validation rows), else 0.
    public var validationFraction: Double
    /// Whether the training rows are held in memory or streamed from the file.
    public var inMemory: InMemory = .auto
    /// With `in_memory: auto`, rows whose scaled size passes this many bytes are streamed.
    public var memoryLimit: Int = DataConfig.defaultMemoryLimit
    /// The default `data.memory_limit`: 2 GiB.
    public static let defaultMemoryLimit = 2 << 30

    /// Whether `rows` training rows of `width` features are streamed: `in_memory: false`,
    /// or `auto` when their float32 copy would pass `memory_limit`.
    func streams(rows: Int, width: Int) -> Bool {
        inMemory == .never || (inMemory == .auto && Double(rows) * Double(width) * 4 > Double(memoryLimit))
    }
}

/// `data.in_memory`: `true` reads every training row once and keeps it; `false` streams
/// the rows the autoencoder side learns from out of the file in shuffled blocks every
/// epoch; `auto` streams when the scaled rows would pass `data.memory_limit`.
public enum InMemory: String, Sendable, Equatable {
    case auto
    case always = "true"
    case never = "false"
}

/// The names `pretrain.model` takes.
public enum AutoencoderModel: String, Sendable, CaseIterable {
    case basic, denoising, sparse, contractive, rbm, vae
}

/// `pretrain.model` with the settings that belong to it.
public enum PretrainModel: Sendable, Equatable {
    case basic
    /// Trained to reconstruct the clean input from a corrupted one (Vincent et al. 2008).
    case denoising(NoiseSettings)
    /// A KL penalty pulls each unit's mean activation towards a target rate (Ng's sparse autoencoder).
    case sparse(SparsitySettings)
    /// The squared Frobenius norm of the encoder's Jacobian, weighted (Rifai et al. 2011).
    case contractive(weight: Double)
    /// Restricted Boltzmann machines stacked into a Deep Belief Network.
    case rbm(RBMSettings)
    /// One variational autoencoder trained whole.
    case vae(VAESettings)

    /// The model's name, without its settings.
    public var kind: AutoencoderModel {
        switch self {
        case .basic: return .basic
        case .denoising: return .denoising
        case .sparse: return .sparse
        case .contractive: return .contractive
        case .rbm: return .rbm
        case .vae: return .vae
        }
    }
}

/// `pretrain.sparsity:` — settings of `model: sparse`.
public struct SparsitySettings: Sendable, Equatable {
    /// The mean activation ρ each hidden unit is pulled towards.
    public var target: Double
    /// Weight β of the KL(ρ ‖ ρ̂) penalty.
    public var weight: Double
}

/// `pretrain.vae:` — settings of `model: vae`.
public struct VAESettings: Sendable, Equatable {
    /// Weight of the KL term (β-VAE; 1 is the ELBO).
    public var beta: Double
    /// Epochs over which β ramps linearly from β/N up to β (0: β from the start).
    public var klWarmupEpochs: Int
}

/// `pretrain.rbm:` — contrastive divergence settings of `model: rbm` (a DBN).
public struct RBMSettings: Sendable, Equatable {
    /// `rbm.visible`: Bernoulli (probabilities in [0, 1]) or Gaussian (unit variance) visible units.
    public enum Visible: String, Sendable, CaseIterable { case bernoulli, gaussian }
    /// Gibbs steps k of CD-k / PCD-k.
    public var cdSteps: Int
    /// Persistent CD (Tieleman 2008): the negative chain carries over between updates.
    public var persistent: Bool
    /// Units of the first layer's visible side; deeper layers are always Bernoulli.
    public var visible: Visible
    /// `rbm.learning_rate`: the step size of the CD update.
    public var learningRate: Double
    /// Momentum after `initialMomentumEpochs` epochs at `initialMomentum` (guide §9: 0.5 then 0.9).
    public var momentum: Double
    /// `rbm.initial_momentum`: the momentum of the first `initialMomentumEpochs` epochs.
    public var initialMomentum: Double
    /// `rbm.initial_momentum_epochs`: epochs trained at `initialMomentum` before `momentum` applies.
    public var initialMomentumEpochs: Int
}

/// An `optimizer:` mapping of a stage; the keys the chosen `name` does not take hold their defaults.
public struct OptimizerSettings: Sendable, Equatable {
    /// The names `optimizer.name` takes.
    public enum Name: String, Sendable, CaseIterable { case sgd, rmsprop, adam, adamw }
    /// `optimizer.name`: the update rule.
    public var name: Name
    /// `optimizer.learning_rate`: the step size.
    public var learningRate: Double
    /// `optimizer.momentum` (`sgd`): the momentum coefficient μ.
    public var momentum: Double
    /// `optimizer.nesterov` (`sgd`): whether the momentum is Nesterov's.
    public var nesterov: Bool
    /// `optimizer.beta1` (`adam`, `adamw`): the decay rate of the first-moment estimate.
    public var beta1: Double
    /// `optimizer.beta2` (`adam`, `adamw`): the decay rate of the second-moment estimate.
    public var beta2: Double
    /// `optimizer.epsilon` (`rmsprop`, `adam`, `adamw`): the term added to the denominator for numerical stability.
    public var epsilon: Double
    /// `optimizer.rho` (`rmsprop`): the decay rate of the mean squared gradient.
    public var rho: Double
    /// `optimizer.weight_decay` (`adamw`): the decoupled weight decay λ.
    public var weightDecay: Double
}

/// A `noise:` mapping: how a denoising autoencoder corrupts its training inputs.
public struct NoiseSettings: Sendable, Equatable {
    /// The names `noise.type` takes.
    public enum Kind: String, Sendable, CaseIterable { case masking, gaussian, saltPepper = "salt_pepper" }
    /// `noise.type`: masking to 0, added Gaussian noise, or salt-and-pepper.
    public var kind: Kind
    /// `noise.level`: the probability an input is corrupted; for `gaussian`, the standard deviation.
    public var level: Double
}

/// `pretrain:` — greedy layer-wise pretraining of the stacked autoencoder on the training rows.
public struct PretrainConfig: Sendable {
    /// `pretrain.layers`: encoder widths, input side first; the last is the bottleneck.
    public var layers: [Int]
    /// `pretrain.model` with the settings of that model.
    public var model: PretrainModel
    /// `pretrain.activation`: the activation of every encoder layer.
    public var activation: Activation
    /// Decoder output of the first (input-facing) layer; deeper layers reconstruct the
    /// previous codes with `identity` + MSE (or sigmoid + BCE when codes are sigmoid).
    public var outputActivation: Activation
    /// `pretrain.loss`: the first layer's reconstruction loss.
    public var loss: Loss
    /// `pretrain.tied_weights`: whether the decoder kernel is the encoder kernel transposed.
    public var tiedWeights: Bool
    /// `pretrain.weight_decay`: the L2 penalty on kernels; for `rbm`, the weight cost of the CD update.
    public var weightDecay: Double
    /// `pretrain.optimizer`: the optimizer of each layer (of the whole network for `vae`).
    public var optimizer: OptimizerSettings
    /// Epochs per layer (of the whole network for `vae`).
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `pretrain.batch_size`: rows per minibatch.
    public var batchSize: Int
    /// `pretrain.end_to_end`: training of the unrolled deep autoencoder after the greedy layers; nil when absent.
    public var endToEnd: EndToEndConfig?
}

/// `pretrain.end_to_end:` — the unrolled encoder + decoder trained as a whole to reconstruct the input.
public struct EndToEndConfig: Sendable {
    /// `end_to_end.epochs`: passes over the training rows.
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `end_to_end.batch_size`: rows per minibatch (by default `pretrain.batch_size`).
    public var batchSize: Int
    /// `end_to_end.optimizer`: the optimizer (by default `pretrain.optimizer`).
    public var optimizer: OptimizerSettings
    /// `end_to_end.noise`: input corruption (by default `pretrain.noise`); nil trains on clean inputs.
    public var noise: NoiseSettings?
    /// `end_to_end.weight_decay`: the L2 penalty on kernels (by default `pretrain.weight_decay`, 0 for `rbm`).
    public var weightDecay: Double
}

/// An `early_stopping:` mapping: training stops when the watched validation value stops improving, and the best epoch's weights are restored.
public struct EarlyStopping: Sendable, Equatable {
    /// The values `early_stopping.metric` takes.
    public enum Metric: String, Sendable, CaseIterable { case valLoss = "val_loss", valAccuracy = "val_accuracy" }
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
    public enum Comparison: String, Sendable, CaseIterable { case ge = ">=", gt = ">", le = "<=", lt = "<", eq = "==" }
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
    /// Metrics of the labels-only baseline (`baseline: labels_only`) that gates can use.
    public static let baselineMetrics = ["baseline_accuracy", "accuracy_gain"]
    /// `evaluate.metrics`: what is written to `/metrics/test` and printed in the run's summary.
    public var metrics: [String]
    /// `evaluate.expect`: the gates, in the order written (the first ranks a sweep's runs).
    public var expect: [Expectation]
    /// `baseline: labels_only`: also train the classifier network from scratch on the labeled rows alone.
    public var labelsOnlyBaseline: Bool
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
