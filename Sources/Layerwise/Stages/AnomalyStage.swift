import LayerwiseMath
import LayerwiseNN

/// `anomaly:` every training row (or, with `normal_classes`, every normal one) and every
/// test row scored by its mean squared reconstruction error through the autoencoder,
/// and the threshold by the pipeline's rule. With `normal_classes` and test labels, how
/// well the scores separate the other classes (ROC AUC, average precision).
struct AnomalyStage: Stage {
    let config: AnomalyConfig
    var name: String { "anomaly" }

    func settings(_ config: PipelineConfig) -> String? { nil }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        guard !outcome.model.decoder.isEmpty else { return }
        let (scores, seconds) = try Stopwatch.measure { try self.scores(outcome.model, context.data) }
        outcome.anomaly = scores
        outcome.timings.append(
            StageTiming(
                stage: "anomaly", seconds: seconds,
                samples: scores.trainError.count + (scores.testError?.count ?? 0)))
    }

    private func scores(_ model: ModelLayers, _ data: TrainingData) throws -> AnomalyScores {
        let autoencoder = InferenceNetwork(model.autoencoder)
        var train: [Float] = []
        try data.unlabeled.forEachChunk(InferenceNetwork.errorChunkRows * 4) { train += autoencoder.rowMeanSquaredErrors($0) }
        let test = data.test.map(autoencoder.rowMeanSquaredErrors)
        let threshold: Float, rule: String
        switch config.threshold {
        case .percentile(let q): threshold = percentile(train, q); rule = "percentile \(q) of train_error"
        case .contamination(let c): threshold = percentile(train, 100 * (1 - c)); rule = "contamination \(c) of train_error"
        case .value(let v): threshold = Float(v); rule = "value"
        }
        var scores = AnomalyScores(trainError: train, testError: test, threshold: threshold, rule: rule)
        if let normal = config.normalClasses, let test, let y = data.testLabels {
            let isAnomaly = y.map { !normal.contains(Int($0)) }
            scores.rocAUC = rocAUC(scores: test, positive: isAnomaly)
            scores.averagePrecision = averagePrecision(scores: test, positive: isAnomaly)
        }
        return scores
    }
}
