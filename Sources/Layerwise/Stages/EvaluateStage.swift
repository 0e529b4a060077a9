import LayerwiseMath
import LayerwiseNN

/// The test set through the trained model: class probabilities, predicted labels and
/// metrics (with test labels), the bottleneck codes, and the first 16 rows through the
/// whole autoencoder (for pictures). The training rows' codes too, when every training
/// row is in memory and the codes take at most `trainCodesBytes`.
struct EvaluateStage: Stage {
    /// Rows reconstructed for the results file.
    static let reconstructedRows = 16
    /// The most bytes of training codes stored (60,000 rows of 250-wide codes take 60 MB).
    static let trainCodesBytes = 256 << 20
    var name: String { "evaluate" }

    func settings(_ config: PipelineConfig) -> String? { nil }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let (_, seconds) = Stopwatch.measure { evaluate(context.data, &outcome) }
        outcome.timings.append(StageTiming(stage: "evaluate", seconds: seconds, samples: context.data.test?.rows ?? 0))
    }

    private func evaluate(_ data: TrainingData, _ outcome: inout RunOutcome) {
        let model = outcome.model
        if let width = model.encoder.last?.outputs, data.fileRows == nil, data.train.rows * width * 4 <= Self.trainCodesBytes {
            outcome.trainEmbeddings = InferenceNetwork(model.encoder).predict(data.train)
        }
        guard let test = data.test else { return }
        if !model.head.isEmpty {
            let p = InferenceNetwork(model.classifier).predict(test)
            outcome.probabilities = p
            outcome.predictedLabels = argmaxRows(p.storage, classes: p.cols)
            if let y = data.testLabels {
                outcome.testMetrics = ClassificationMetrics(probabilities: p.storage, labels: y, classes: p.cols)
            }
        }
        if !model.encoder.isEmpty {
            outcome.embeddings = InferenceNetwork(model.encoder).predict(test)
        }
        if !model.decoder.isEmpty {
            outcome.reconstructionIndices = Array(0..<min(Self.reconstructedRows, test.rows))
            outcome.reconstructions = InferenceNetwork(model.autoencoder).predict(gather(test, outcome.reconstructionIndices))
        }
    }
}
