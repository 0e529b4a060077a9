import LayerwiseNN

/// The typed pipeline file (keys in docs/pipeline.md): one struct per stage, defaults
/// and ranges in `PipelineSchema.swift`. An absent optional stage is `nil` and skipped.
public struct PipelineConfig: Sendable {
    public var name: String
    public var seed: UInt64
    public var data: DataConfig
    public var pretrain: PretrainConfig?
    public var classifier: ClassifierConfig?
    public var fineTune: FineTuneConfig?
    public var anomaly: AnomalyConfig?
    public var evaluate: EvaluateConfig
    public var output: OutputConfig
    /// `ladder:` (PipelineSchema+Ladder.swift), instead of `classifier:` and `fine_tune:`.
    public var ladder: LadderConfig? = nil
}

/// A dataset inside an HDF5 file: `file.h5:/group/dataset`, the file relative to the
/// pipeline file's folder.
public struct DatasetRef: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var dataset: String
    /// Where the pipeline names it, e.g. `p.yaml:5:10: data.train`, for messages about the data.
    public var origin: String?

    public init(file: String, dataset: String, origin: String? = nil) {
        self.file = file
        self.dataset = dataset
        self.origin = origin
    }

    public var description: String { "\(file):\(dataset)" }
    /// The reference with the pipeline key and line that give it, when known.
    public var named: String { origin.map { "\($0): \(description)" } ?? description }

    public static func == (a: DatasetRef, b: DatasetRef) -> Bool { a.file == b.file && a.dataset == b.dataset }
}

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

public struct DataConfig: Sendable {
    public var train: DatasetRef
    public var trainLabels: DatasetRef?
    public var test: DatasetRef?
    public var testLabels: DatasetRef?
    public var scale: ScaleKind
    public var labeled: LabeledSelection
    /// Fraction of the labeled subset held out for validation (0 = none). Not given, it
    /// is 0.1 when a stage stops early (the only reader of validation rows), else 0.
    public var validationFraction: Double
    /// Whether the training rows are held in memory or streamed from the file.
    public var inMemory: InMemory = .auto
    /// With `in_memory: auto`, rows whose scaled size passes this many bytes are streamed.
    public var memoryLimit: Int = DataConfig.defaultMemoryLimit
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
    public enum Visible: String, Sendable, CaseIterable { case bernoulli, gaussian }
    /// Gibbs steps k of CD-k / PCD-k.
    public var cdSteps: Int
    /// Persistent CD (Tieleman 2008): the negative chain carries over between updates.
    public var persistent: Bool
    /// Units of the first layer's visible side; deeper layers are always Bernoulli.
    public var visible: Visible
    public var learningRate: Double
    /// Momentum after `initialMomentumEpochs` epochs at `initialMomentum` (guide §9: 0.5 then 0.9).
    public var momentum: Double
    public var initialMomentum: Double
    public var initialMomentumEpochs: Int
}

public struct OptimizerSettings: Sendable, Equatable {
    public enum Name: String, Sendable, CaseIterable { case sgd, rmsprop, adam, adamw }
    public var name: Name
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var rho: Double
    public var weightDecay: Double
}

public struct NoiseSettings: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case masking, gaussian, saltPepper = "salt_pepper" }
    public var kind: Kind
    public var level: Double
}

public struct PretrainConfig: Sendable {
    public var layers: [Int]
    public var model: PretrainModel
    public var activation: Activation
    /// Decoder output of the first (input-facing) layer; deeper layers reconstruct the
    /// previous codes with `identity` + MSE (or sigmoid + BCE when codes are sigmoid).
    public var outputActivation: Activation
    public var loss: Loss
    public var tiedWeights: Bool
    public var weightDecay: Double
    public var optimizer: OptimizerSettings
    /// Epochs per layer (of the whole network for `vae`).
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    public var batchSize: Int
    public var endToEnd: EndToEndConfig?
}

public struct EndToEndConfig: Sendable {
    public var epochs: Int
    public var epochsFromData = false
    public var batchSize: Int
    public var optimizer: OptimizerSettings
    public var noise: NoiseSettings?
    public var weightDecay: Double
}

public struct EarlyStopping: Sendable, Equatable {
    public enum Metric: String, Sendable, CaseIterable { case valLoss = "val_loss", valAccuracy = "val_accuracy" }
    public var patience: Int
    public var metric: Metric
}

public struct ClassifierConfig: Sendable {
    public var hidden: [Int]
    public var activation: Activation
    public var dropout: Double
    public var optimizer: OptimizerSettings
    public var epochs: Int
    public var epochsFromData = false
    public var batchSize: Int
    public var earlyStopping: EarlyStopping?
}

public struct FineTuneConfig: Sendable {
    /// Encoder layers to unfreeze counted from the top; nil = all.
    public var unfreezeLast: Int?
    public var optimizer: OptimizerSettings
    public var epochs: Int
    public var epochsFromData = false
    public var batchSize: Int
    public var earlyStopping: EarlyStopping?
}

public enum AnomalyThreshold: Sendable, Equatable {
    case percentile(Double)
    case contamination(Double)
    case value(Double)
}

public struct AnomalyConfig: Sendable {
    public var threshold: AnomalyThreshold
    /// One-class set-up: the autoencoder pretrains on training rows of these classes
    /// only, and test rows of any other class are the anomalies (ROC AUC and average
    /// precision are reported). Nil: every training row is normal.
    public var normalClasses: [Int]?
}

/// A gate on a test metric, e.g. `accuracy: ">= 0.80"`.
public struct Expectation: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable { case ge = ">=", gt = ">", le = "<=", lt = "<", eq = "==" }
    public var metric: String
    public var comparison: Comparison
    public var value: Double
    public var description: String { "\(metric) \(comparison.rawValue) \(value)" }

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

public struct EvaluateConfig: Sendable {
    public static let allMetrics = ["accuracy", "macro_f1", "log_loss", "confusion_matrix"]
    /// Metrics of the labels-only baseline (`baseline: labels_only`) that gates can use.
    public static let baselineMetrics = ["baseline_accuracy", "accuracy_gain"]
    public var metrics: [String]
    public var expect: [Expectation]
    /// `baseline: labels_only`: also train the classifier network from scratch on the labeled rows alone.
    public var labelsOnlyBaseline: Bool
}

public struct OutputConfig: Sendable {
    public static let allSaves = ["weights", "metrics", "predictions", "embeddings", "reconstructions"]
    /// Results path template; `{name}`, `{seed}`, `{date}` expand. Relative to the pipeline's folder.
    public var results: String
    public var save: Set<String>
}
