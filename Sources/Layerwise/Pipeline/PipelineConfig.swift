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
