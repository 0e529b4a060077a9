import LayerwiseMath
import LayerwiseNN

/// The network as the stages build it up, and as a results file or checkpoint holds it.
struct ModelLayers: Equatable {
    var encoder: [DenseLayer] = []
    /// From the bottleneck outwards: decoder[0] maps the deepest codes back up.
    var decoder: [DenseLayer] = []
    /// `model: vae`: the log σ² layer beside the encoder's last (μ) layer.
    var logVariance: DenseLayer?
    var head: [DenseLayer] = []
    /// Set when fine-tuning changed the encoder: the encoder the decoder was trained with.
    var pretrainedEncoder: [DenseLayer]?
    /// Decoder kernels are the transposed encoder kernels (stored once, with `tied_to`).
    var tiedWeights = false
    /// `ladder:`: the network as trained (encoder and head hold it folded).
    var ladder: LadderModel?

    /// The encoder the decoder belongs to.
    var autoencoderEncoder: [DenseLayer] { pretrainedEncoder ?? encoder }
    /// Encoder then decoder: input → reconstruction.
    var autoencoder: [DenseLayer] { autoencoderEncoder + decoder }
    /// Encoder then head: input → class probabilities.
    var classifier: [DenseLayer] { encoder + head }
}

/// Seconds and throughput of one stage, for `/metrics/timing` and the summary.
struct StageTiming {
    var stage: String
    var seconds: Double
    /// Training samples processed per second (rows × epochs / seconds).
    var samplesPerSecond: Double

    init(stage: String, seconds: Double, samplesPerSecond: Double) {
        self.stage = stage; self.seconds = seconds; self.samplesPerSecond = samplesPerSecond
    }

    /// `samples` rows processed in `seconds`.
    init(stage: String, seconds: Double, samples: Int) {
        self.init(stage: stage, seconds: seconds, samplesPerSecond: Double(samples) / max(seconds, 1e-9))
    }
}

/// A learning curve: one value per epoch, stored at `/metrics/<path>`.
typealias Curve = (path: String, values: [Float])

/// Everything a run produced, gathered stage by stage for the results file and the summary.
struct RunOutcome {
    var model = ModelLayers()
    /// Per-epoch curves keyed by their path under `/metrics`, e.g. `pretrain/layer_0/loss`.
    var curves: [Curve] = []
    var timings: [StageTiming] = []
    var testMetrics: ClassificationMetrics?
    /// The baselines' test metrics (`evaluate.baseline`), in the order they ran.
    var baselines: [BaselineResult] = []
    /// `classifier.pseudo_labels`: a class and a weight for every training row.
    var pseudoLabels: PseudoLabels?
    /// Test-set predictions.
    var predictedLabels: [Int32]?
    var probabilities: Matrix?
    /// Test-set bottleneck codes `[nTest, d]`.
    var embeddings: Matrix?
    /// The training rows' codes (every row, in file order), when they were computed.
    var trainEmbeddings: Matrix?
    /// A few test rows reconstructed by the whole autoencoder `[k, D]`, and their inputs.
    var reconstructions: Matrix?
    var reconstructionIndices: [Int] = []
    var anomaly: AnomalyScores?
    var expectationFailures: [String] = []
    /// Things the user should know about the run that did not stop it (stages set to train very few steps).
    var warnings: [String] = []
}

/// Labels spread from the labeled rows to every training row (`classifier.pseudo_labels`).
struct PseudoLabels {
    /// One class per training row; the labeled rows keep theirs.
    var labels: [Int32]
    /// Certainty 1 − H/log C per row (1 for labeled rows, 0 where no label reached; validation rows 0).
    var weights: [Float]
    /// Agreement with the true labels of the unlabeled rows that have one (nil when none has).
    var accuracy: Double?
    /// The head's and fine-tuning's targets `[rows, classes]`: each row's weight at its class.
    func targets(classes: Int) -> Matrix {
        var t = Matrix(rows: labels.count, cols: classes)
        for (i, c) in labels.enumerated() { t.storage[i * classes + Int(c)] = weights[i] }
        return t
    }
    /// The rows with a weight above 0, ascending.
    var rows: [Int] { weights.indices.filter { weights[$0] > 0 } }
}

/// Reconstruction-error anomaly scores (mean squared error per row, on scaled data).
struct AnomalyScores {
    var trainError: [Float]
    var testError: [Float]?
    var threshold: Float
    var rule: String
    /// With `normal_classes`: how well test errors separate other classes from normal ones.
    var rocAUC: Double?
    var averagePrecision: Double?
}

/// One baseline's test metrics, with how its settings were chosen.
struct BaselineResult {
    var kind: Baseline
    var metrics: ClassificationMetrics
    /// How it was fitted (rows, epochs and how they were picked, solver).
    var settings: String
}

extension RunOutcome {
    /// The baseline with the highest test accuracy (the first on a tie): the gain is measured against it.
    var strongestBaseline: BaselineResult? {
        baselines.reduce(nil) { best, b in best.map { b.metrics.accuracy > $0.metrics.accuracy ? b : $0 } ?? b }
    }

    /// Every scalar test metric by name: accuracy, macro_f1, log_loss (labeled test
    /// data and a classifier), baseline_accuracy and accuracy_gain (the stronger
    /// baseline's), roc_auc, average_precision (anomaly with normal_classes).
    var metricValues: [String: Double] {
        var out: [String: Double] = [:]
        if let m = testMetrics { out = ["accuracy": m.accuracy, "macro_f1": m.macroF1, "log_loss": m.logLoss] }
        if let b = strongestBaseline {
            out["baseline_accuracy"] = b.metrics.accuracy
            if let m = testMetrics { out["accuracy_gain"] = m.accuracy - b.metrics.accuracy }
        }
        if let auc = anomaly?.rocAUC { out["roc_auc"] = auc }
        if let ap = anomaly?.averagePrecision { out["average_precision"] = ap }
        return out
    }
}
