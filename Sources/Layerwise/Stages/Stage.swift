import LayerwiseMath
import LayerwiseNN

/// What every stage of a run sees: the pipeline, the data (read once), the random
/// streams and the progress printer.
struct StageContext {
    let config: PipelineConfig
    let data: TrainingData
    let streams: RandomStreams
    let progress: Progress
    var cluster: Cluster = .single
}

/// One step of `layerwise run`, as a value: it reads what the stages before it left in
/// the outcome (the layers so far) and adds its own (layers, curves, timings,
/// predictions, scores).
///
/// `Runner` runs the list `Stages.list(for:)` in order; its loop alone handles the
/// checkpoint, so a new stage (a ladder network, a streamed data source) is one more
/// value in that list.
protocol Stage {
    /// Its name in progress lines and in the checkpoint.
    var name: String { get }
    /// The settings its result depends on beyond the stages before it, as text for the
    /// `--resume` fingerprint; nil for a stage that is cheap to run again (not checkpointed).
    func settings(_ config: PipelineConfig) -> String?
    func run(_ context: StageContext, _ outcome: inout RunOutcome) throws
    /// Whether it learns from `data.unlabeled`, the rows an MPI job shares out: every rank
    /// runs it, averaging gradients each step. The other stages (on the labeled rows, the
    /// test set) run on rank 0 alone.
    var sharesRows: Bool { get }
}

extension Stage {
    var sharesRows: Bool { false }
}

enum Stages {
    /// The stages `config` asks for, in the order they run.
    static func list(for config: PipelineConfig) -> [any Stage] {
        var stages: [any Stage] = []
        if let p = config.pretrain {
            stages.append(PretrainStage(config: p))
            if let e = p.endToEnd { stages.append(EndToEndStage(config: e, pretrain: p)) }
        }
        if let c = config.classifier {
            if let p = c.pseudoLabels { stages.append(PseudoLabelStage(config: p)) }
            stages.append(ClassifierStage(config: c))
            if let f = config.fineTune { stages.append(FineTuneStage(config: f, classifier: c)) }
            if config.evaluate.labelsOnlyBaseline { stages.append(BaselineStage(classifier: c)) }
            if config.evaluate.baselines.contains(.logisticRegression) { stages.append(LogisticBaselineStage()) }
        } else if let l = config.ladder {
            stages.append(LadderStage(config: l))
            if config.evaluate.labelsOnlyBaseline { stages.append(LadderStage.baseline(l)) }
            if config.evaluate.baselines.contains(.logisticRegression) { stages.append(LogisticBaselineStage()) }
        }
        stages.append(EvaluateStage())
        if let a = config.anomaly { stages.append(AnomalyStage(config: a)) }
        return stages
    }

    /// The `--resume` fingerprint of every checkpointed stage: what it and every stage
    /// before it depend on, with the seed, the training data and the Layerwise version.
    static func fingerprints(
        _ stages: [any Stage], _ config: PipelineConfig,
        _ data: TrainingData? = nil
    ) -> [(stage: String, fingerprint: String)] {
        var parts = [
            "layerwise \(layerwiseVersion)", "seed \(config.seed)", "train \(config.data.train)",
            "train_labels \(String(describing: config.data.trainLabels))", "scale \(config.data.scale)",
            "normal_classes \(String(describing: config.anomaly?.normalClasses))"
        ]
        // Streamed rows and the rank count change the batches, so the results.
        if let u = data?.unlabeled, u.isStreamed || u.ranks > 1 { parts.append("streamed \(u.isStreamed), ranks \(u.ranks)") }
        var out: [(stage: String, fingerprint: String)] = []
        for stage in stages {
            guard let s = stage.settings(config) else { continue }
            parts.append(s)
            out.append((stage.name, parts.joined(separator: "\n")))
        }
        return out
    }
}

/// Rows a network's batch buffers need: `batch_size` capped at the rows it trains on.
/// A batch never holds more rows than there are (Minibatches caps it the same way), so
/// `batch_size: 10^12` trains exactly as `batch_size: <rows>` does instead of asking for
/// a 10^12-row allocation; results are unchanged (one batch, one inference chunk either way).
func bufferRows(_ batchSize: Int, _ rows: Int) -> Int { min(batchSize, max(rows, 1)) }
