import Foundation
import LayerwiseMath
import LayerwiseNN

/// How `layerwise run` was invoked.
public struct RunOptions: Sendable {
    /// `--set key.path=value` overrides, applied in order.
    public var overrides: [String]
    /// `--threads`: threads for BLAS and kernels (nil: all cores).
    public var threads: Int?
    /// `--quiet`: no progress lines.
    public var quiet: Bool
    /// `--json`: the caller prints `RunReport.json` instead of the summary table.
    public var json: Bool
    /// Reuse the finished stages of an interrupted run (see `Checkpoint`).
    public var resume: Bool
    /// The processes the run trains on: `.single`, or the ranks of a data-parallel job
    /// (the `layerwise` tool passes its MPI job's).
    public var cluster: Cluster
    /// Write the results file (`output.results`) and keep a checkpoint while running;
    /// `Pipeline.train` sets it false and leaves the writing to `RunReport.save(to:)`.
    public var writesResults = true
    /// Options as `layerwise run` takes them; the defaults run on this process alone and print progress.
    public init(
        overrides: [String] = [], threads: Int? = nil, quiet: Bool = false, json: Bool = false, resume: Bool = false,
        cluster: Cluster = .single
    ) {
        self.overrides = overrides; self.threads = threads; self.quiet = quiet; self.json = json; self.resume = resume
        self.cluster = cluster
    }
}

/// Runs a pipeline: the data stage, then the stages the pipeline asks for
/// (`Stages.list`: pretrain → end-to-end → classifier head on the frozen encoder →
/// fine-tune → evaluate → anomaly), then the gates and the results file.
public enum Runner {
    /// Loads `pipelineFile` with `options.overrides` and runs it.
    public static func run(pipelineFile: String, options: RunOptions) throws -> RunReport {
        try run(try Pipeline.load(file: pipelineFile, overrides: options.overrides), options: options)
    }

    /// Runs a loaded pipeline and returns its report.
    public static func run(_ pipeline: Pipeline, options: RunOptions) throws -> RunReport {
        let cfg = pipeline.config
        let created = Date()
        let cluster = options.cluster
        BLAS.setThreads(options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        // In an MPI job rank 0 alone prints, checkpoints and writes results.
        let destination = pipeline.resolve(expand(cfg.output.results, cfg, created))
        let writes = options.writesResults && cluster.isLeader
        let madeFolders = writes ? try ResultsWriter.checkWritable(destination) : []
        // A run that fails or is interrupted leaves no empty output folder behind.
        Interruption.removeIfEmpty(madeFolders)
        defer { Interruption.removeIfEmpty([]) }
        do {
            return try run(pipeline, options: options, destination: destination, created: created, writes: writes)
        } catch {
            for f in madeFolders { rmdir(f) }
            throw error
        }
    }

    private static func run(
        _ pipeline: Pipeline, options: RunOptions, destination: String, created: Date, writes: Bool
    ) throws -> RunReport {
        let cfg = pipeline.config
        let cluster = options.cluster
        let progress = Progress(quiet: options.quiet || !cluster.isLeader)

        if writes, let note = ResultsWriter.replacementNote(destination) { progress.note(note) }
        let dataStage = DataStage(pipeline: pipeline, cluster: cluster)
        let (data, dataTiming) = try dataStage.run(progress)
        // Epochs not set in the pipeline are chosen from the data (see `TrainingPlan`).
        let (planned, plan) = TrainingPlan.make(pipeline, data)
        for line in plan.notes { progress.note(line) }
        for line in plan.warnings { progress.note("warning: " + line) }
        let context = StageContext(config: planned, data: data, streams: dataStage.streams, progress: progress, cluster: cluster)
        var checkpoint = options.resume ? Checkpoint.load(resultsPath: destination) : Checkpoint(resultsPath: destination)
        if options.writesResults { Interruption.checkpoint(checkpoint.path, stages: checkpoint.snapshots.map(\.stage)) }
        var outcome = try runStages(
            Stages.list(for: planned), context, &checkpoint, resume: options.resume,
            saving: options.writesResults)
        outcome.timings.insert(dataTiming, at: 0)
        outcome.warnings = plan.warnings
        outcome.expectationFailures = cfg.evaluate.failures(outcome.metricValues)
        guard writes else {
            return RunReport(
                pipeline: pipeline, resultsPath: destination, previousResults: nil, outcome: outcome, data: data,
                created: created)
        }

        let previous = try ResultsWriter(pipeline: pipeline, data: data, destination: destination).write(outcome, created: created)
        Interruption.uninterrupted {
            checkpoint.remove()
            Interruption.runFinished()
        }
        return RunReport(
            pipeline: pipeline, resultsPath: destination, previousResults: previous, outcome: outcome, data: data,
            created: created)
    }

    /// The stages in order, each checkpointed when it has settings to fingerprint; with
    /// `resume`, the latest stage the checkpoint still matches and all before it are
    /// restored instead of run.
    static func runStages(
        _ stages: [any Stage], _ context: StageContext, _ checkpoint: inout Checkpoint,
        resume: Bool, saving: Bool = true
    ) throws -> RunOutcome {
        var outcome = RunOutcome()
        let fingerprints = Stages.fingerprints(stages, context.config, context.data)
        var restored = 0
        // The fingerprint names the data files, not their contents: a checkpoint whose model
        // no longer fits the data (re-imported with other widths or classes) is not reused.
        let stale = resume ? checkpoint.latest(matching: fingerprints).flatMap { $0.snapshot.model.mismatch(context.data) } : nil
        if let stale {
            context.progress.note("resume: \(checkpoint.path) does not fit the data (\(stale)); running every stage")
        } else if resume, let (i, saved) = checkpoint.latest(matching: fingerprints) {
            (outcome.model, outcome.curves, outcome.timings) = (saved.model, saved.curves, saved.timings)
            restored = (stages.firstIndex { $0.name == fingerprints[i].stage } ?? -1) + 1
            context.progress.note("resume: \(stages.prefix(restored).map(\.name).joined(separator: ", ")) from \(checkpoint.path)")
        } else if resume {
            context.progress.note("resume: nothing in \(checkpoint.path) matches these settings; running every stage")
        }
        let leader = context.cluster.isLeader
        for stage in stages.dropFirst(restored) where leader || stage.sharesRows {
            try stage.run(context, &outcome)
            guard leader, saving, let f = fingerprints.first(where: { $0.stage == stage.name }) else { continue }
            checkpoint.record(
                Checkpoint.Snapshot(
                    stage: stage.name, fingerprint: f.fingerprint, model: outcome.model,
                    curves: outcome.curves, timings: outcome.timings))
            // A SIGINT now waits for the save: the stage just finished is in the checkpoint.
            try Interruption.uninterrupted {
                try checkpoint.save()
                Interruption.checkpoint(checkpoint.path, stages: checkpoint.snapshots.map(\.stage))
            }
        }
        return outcome
    }

    /// Every run of the file: one, or one per `matrix:` combination (all checked first),
    /// with the sweep's summary written beside the runs.
    public static func runAll(pipelineFile: String, options: RunOptions) throws -> (reports: [RunReport], sweep: SweepSummary?) {
        let pipelines = try Pipeline.loadAll(file: pipelineFile, overrides: options.overrides)
        guard let first = pipelines.first, let baseName = first.matrixBaseName else {
            return (try pipelines.map { try run($0, options: options) }, nil)
        }
        let progress = Progress(quiet: options.quiet)
        var reports: [RunReport] = []
        for (i, p) in pipelines.enumerated() {
            progress.note("run \(i + 1)/\(pipelines.count): \(p.matrixAssignment.joined(separator: " "))")
            for n in p.notes { progress.note(n) }
            reports.append(try run(p, options: options))
        }
        var named = first.config
        named.name = baseName
        let folder = URL(fileURLWithPath: first.resolve(expand(named.output.results, named, Date()))).deletingLastPathComponent().path
        let sweep = SweepSummary(reports: reports, metric: first.config.evaluate.expect.first?.metric ?? "accuracy", folder: folder)
        if options.cluster.isLeader { try sweep.write() }
        return (reports, sweep)
    }

    /// `layerwise validate`: the file, then every dataset it names, without training.
    public static func validate(pipelineFile: String, overrides: [String]) throws -> String {
        let pipelines = try Pipeline.loadAll(file: pipelineFile, overrides: overrides)
        let quiet = Progress(quiet: true)
        for p in pipelines.dropFirst() { _ = try DataStage(pipeline: p).run(quiet) }
        guard let pipeline = pipelines.first else { return "\(pipelineFile): nothing to run" }
        let (data, _) = try DataStage(pipeline: pipeline).run(quiet)
        var lines = ["\(pipelineFile): ok" + (pipelines.count > 1 ? " (\(pipelines.count) runs in the matrix)" : "")]
        for p in pipelines where !p.notes.isEmpty {
            lines += p.notes.map { "  [\(p.matrixAssignment.joined(separator: " "))] \($0)" }
        }
        lines.append("  train: \(pipeline.config.data.train) — \(data.trainRows) rows × \(data.width) features")
        lines.append("  scale: \(ScaleKind.describe(requested: pipeline.config.data.scale, fitted: data.scaler.kind))")
        if data.nClasses > 0 {
            lines.append(
                "  labels: \(data.nClasses) classes\(data.classNames.map { " (" + $0.joined(separator: ", ") + ")" } ?? ""); "
                    + "\(data.labeledIndices.count) labeled for training, \(data.validationIndices.count) for validation"
            )
        }
        if let t = data.test { lines.append("  test: \(pipeline.config.data.test?.description ?? "") — \(t.rows) rows") }
        if let p = pipeline.config.pretrain {
            lines.append("  encoder: \(([data.width] + p.layers).map(String.init).joined(separator: "-"))")
        }
        let (planned, plan) = TrainingPlan.make(pipeline, data)
        if let l = planned.ladder {
            lines.append("  ladder: \(([data.width] + l.layers + [data.nClasses]).map(String.init).joined(separator: "-"))")
        }
        lines += plan.notes.map { "  " + $0 }
        lines += plan.warnings.map { "  warning: " + $0 }
        return lines.joined(separator: "\n")
    }

    /// `output.results` with `{name}`, `{seed}` and `{date}` filled in.
    static func expand(_ template: String, _ cfg: PipelineConfig, _ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return template.replacingOccurrences(of: "{name}", with: cfg.name)
            .replacingOccurrences(of: "{seed}", with: String(cfg.seed))
            .replacingOccurrences(of: "{date}", with: f.string(from: date))
    }
}
