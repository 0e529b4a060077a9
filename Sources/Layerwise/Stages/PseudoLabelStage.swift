import LayerwiseMath
import LayerwiseNN

/// `classifier.pseudo_labels`: label spreading over a k-nearest-neighbour graph of every
/// training row (on the scaled inputs or the pretrained encoder's codes) gives each
/// unlabeled row a class and a certainty weight; the head and fine-tuning then train on
/// every row with a weight above 0 (Iscen et al., CVPR 2019, with scikit-learn's
/// LabelSpreading as the propagation). Validation rows are left out of the spreading's
/// labels and of the training rows, so early stopping still watches rows it never saw.
struct PseudoLabelStage: Stage {
    let config: PseudoLabelConfig
    var name: String { "pseudo_labels" }

    func settings(_ config: PipelineConfig) -> String? { "pseudo_labels \(self.config)" }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let trainLabels = data.trainLabels else { return }
        guard data.train.rows == data.trainRows else {
            throw InputError(
                "classifier.pseudo_labels: needs every training row in memory on one process "
                    + "(data.in_memory: true, no mpirun); this run streams them")
        }
        let start = Stopwatch.now()
        let encoder = outcome.model.encoder
        let x = config.graph == .codes && !encoder.isEmpty ? InferenceNetwork(encoder).predict(data.train) : data.train
        var known = [Int32](repeating: -1, count: x.rows)
        for r in data.labeledIndices { known[r] = trainLabels[r] }
        let spreading = LabelSpreading(neighbors: config.neighbors, alpha: config.alpha, iterations: config.iterations)
        let scores = spreading.spread(x, labels: known, classes: data.nClasses)
        var (labels, weights) = LabelSpreading.pseudoLabels(scores, labels: known)
        for r in data.validationIndices { weights[r] = 0 }
        // How often the spread labels are right, where the training file knows the answer.
        let checked = (0..<x.rows).filter { known[$0] < 0 && trainLabels[$0] >= 0 && weights[$0] > 0 }
        let right = checked.filter { labels[$0] == trainLabels[$0] }.count
        outcome.pseudoLabels = PseudoLabels(
            labels: labels, weights: weights, accuracy: checked.isEmpty ? nil : Double(right) / Double(checked.count))
        outcome.timings.append(StageTiming(stage: name, seconds: Stopwatch.seconds(since: start), samples: x.rows))
    }
}
