import LinearAlgebra

/// One Dense layer as saved: `y = activation(x · kernel + bias)`, kernel `[in, out]`
/// (Keras's layout).
struct SavedLayer {
    var kernel: Matrix
    var bias: [Float]
    var activation: String
}

/// Seconds and throughput of one stage, for `/metrics/timing` and the summary.
struct StageTiming {
    var stage: String
    var seconds: Double
    /// Training samples processed per second (rows × epochs / seconds).
    var samplesPerSecond: Double
}

/// Everything a run produced, gathered for the results file and the summary.
struct RunOutcome {
    var encoder: [SavedLayer] = []
    /// Decoder layers from the bottleneck outwards (index 0 maps the codes back up).
    var decoder: [SavedLayer] = []
    /// `model: vae`: the log σ² layer (written to /model/vae/log_var).
    var logVariance: SavedLayer?
    var tiedWeights = false
    /// Set when fine-tuning changed the encoder: the encoder the decoder was trained with.
    var pretrainedEncoder: [SavedLayer]?
    var head: [SavedLayer] = []
    /// Per-epoch curves keyed by their path under `/metrics`, e.g. `pretrain/layer_0/loss`.
    var curves: [(path: String, values: [Float])] = []
    var testMetrics: ClassificationMetrics?
    var timings: [StageTiming] = []
    /// Test-set predictions.
    var predictedLabels: [Int32]?
    var probabilities: Matrix?
    /// Test-set bottleneck codes `[nTest, d]`.
    var embeddings: Matrix?
    /// A few test rows reconstructed by the whole autoencoder `[k, D]`, and their inputs.
    var reconstructions: Matrix?
    var reconstructionIndices: [Int] = []
    var anomaly: AnomalyScores?
    var expectationFailures: [String] = []
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


extension RunOutcome {
    /// Every scalar test metric by name: accuracy, macro_f1, log_loss (labeled test
    /// data and a classifier), roc_auc, average_precision (anomaly with normal_classes).
    var metricValues: [String: Double] {
        var out: [String: Double] = [:]
        if let m = testMetrics { out = ["accuracy": m.accuracy, "macro_f1": m.macroF1, "log_loss": m.logLoss] }
        if let auc = anomaly?.rocAUC { out["roc_auc"] = auc }
        if let ap = anomaly?.averagePrecision { out["average_precision"] = ap }
        return out
    }
}
