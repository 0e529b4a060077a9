import LayerwiseMath
import LayerwiseNN

/// `evaluate.baseline: logistic_regression`: what a practitioner fits first, on every
/// labeled row the run drew (the validation rows too: it has no epochs to choose), with
/// the run's scaling: L2-regularised logistic regression as scikit-learn's
/// `LogisticRegression()` defines it (C = 1, intercept not penalised; one logit vector for
/// two classes, multinomial for more), solved by L-BFGS to its tolerance. Nothing is
/// chosen with the test labels. Metrics in `/metrics/baseline/logistic_regression`.
struct LogisticBaselineStage: Stage {
    var name: String { "baseline_logistic_regression" }

    /// Milliseconds next to the stages before it, and its metrics are not part of a snapshot.
    func settings(_ config: PipelineConfig) -> String? { nil }

    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws {
        let data = context.data
        guard let labels = data.trainLabels, !outcome.model.head.isEmpty else { return }
        guard let test = data.test, let y = data.testLabels else {
            if !context.config.evaluate.baselinesGiven {
                context.progress.note("evaluate.baseline: no labeled test set (data.test, data.test_labels), so no baselines")
            }
            return
        }
        let rows = (data.labeledIndices + data.validationIndices).sorted()
        let start = Stopwatch.now()
        let solver = LogisticRegression()
        let model = solver.fit(x: gather(data.train, rows), labels: rows.map { labels[$0] }, classes: data.nClasses)
        let p = model.predictProbabilities(test)
        let seconds = Stopwatch.seconds(since: start)
        outcome.timings.append(StageTiming(stage: name, seconds: seconds, samplesPerSecond: Double(rows.count) / max(seconds, 1e-9)))
        outcome.baselines.append(
            BaselineResult(
                kind: .logisticRegression, metrics: ClassificationMetrics(probabilities: p.storage, labels: y, classes: p.cols),
                settings: "C = \(solver.c) (scikit-learn's default), L-BFGS, \(model.iterations) iterations"
                    + (model.converged ? "" : " (not converged)") + ", on \(rows.count) labeled rows (validation rows included)"))
    }
}
