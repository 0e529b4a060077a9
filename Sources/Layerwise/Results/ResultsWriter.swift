import Foundation
import LayerwiseHDF5
import LayerwiseMath

/// Writes the results file (docs/results-format.md) under a temporary name in the destination's
/// folder and renames it into place only when complete: a killed or failed run never
/// leaves a half-written file under the final name.
struct ResultsWriter {
    let pipeline: Pipeline
    let data: TrainingData
    let destination: String

    /// Fails early (before any training) if the destination folder cannot be created
    /// or written, so a long run is not lost at the end. Returns the folders it created,
    /// deepest first (a failed run removes them again while they are empty).
    @discardableResult
    static func checkWritable(_ destination: String) throws -> [String] {
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent()
        var made: [String] = []
        var up = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: up.path) && up.path != "/" {
            made.append(up.path)
            up = up.deletingLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw InputError("output.results: cannot create the folder \(folder.path): \(fileProblem(error).reason)")
        }
        try checkNotAFolder(destination, key: "output.results", example: "results.h5")
        let probe = folder.appendingPathComponent(".layerwise-write-test-\(getpid())")
        let fd = open(probe.path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw InputError("output.results: cannot write in \(folder.path): \(systemReason(errno))")
        }
        close(fd)
        try? FileManager.default.removeItem(at: probe)
        return made
    }

    /// Where an earlier results file at `destination` is kept when a run replaces it:
    /// `runs/x/results.h5` → `runs/x/results.previous.h5` (one generation).
    static func previousPath(_ destination: String) -> String {
        let url = URL(fileURLWithPath: destination)
        return url.deletingPathExtension().path + ".previous." + url.pathExtension
    }

    /// Writes the file; an earlier one at the destination is kept as `previousPath`.
    /// Returns that path when there was one.
    func write(_ outcome: RunOutcome, created: Date) throws -> String? {
        let previous = Self.previousPath(destination)
        let kept = try writeAtomically(destination, key: "output.results", keepPrevious: previous) {
            try writeFile($0, outcome, created: created)
        }
        return kept ? previous : nil
    }

    /// A line for the start of a run whose results file already exists.
    static func replacementNote(_ destination: String) -> String? {
        guard FileManager.default.fileExists(atPath: destination) else { return nil }
        var when = ""
        if let root = try? ResultsFile.open(destination), case .string(let created)? = try? root.attribute("created") {
            when = " (written \(created))"
        }
        return "output.results: \(destination) exists\(when); when this run completes it is kept as \(previousPath(destination))"
    }

    private func writeFile(_ file: H5File, _ o: RunOutcome, created: Date) throws {
        let cfg = pipeline.config
        let save = cfg.output.save
        let root = try file.root
        try root.setAttribute("format", "layerwise-results")
        try root.setAttribute("format_version", Int64(1))
        try root.setAttribute("layerwise_version", layerwiseVersion)
        try root.setAttribute("pipeline_name", cfg.name)
        try root.setAttribute("seed", Int64(cfg.seed))
        try root.setAttribute("created", ISO8601DateFormatter().string(from: created))
        try root.setAttribute("pipeline", pipeline.resolvedYAML)

        let d = try root.createGroup("data")
        try d.setAttribute("train", cfg.data.train.description)
        if let r = cfg.data.trainLabels { try d.setAttribute("train_labels", r.description) }
        if let r = cfg.data.test { try d.setAttribute("test", r.description) }
        if let r = cfg.data.testLabels { try d.setAttribute("test_labels", r.description) }
        try d.setAttribute("n_train", Int64(data.trainRows))
        try d.setAttribute("n_features", Int64(data.width))
        try d.setAttribute("n_labeled", Int64(data.labeledIndices.count))
        try d.setAttribute("n_validation", Int64(data.validationIndices.count))
        try d.setAttribute("n_test", Int64(data.test?.rows ?? 0))
        try d.setAttribute("n_classes", Int64(data.nClasses))
        // Class i's name (from the labels dataset's class_names), for predict, the report and the export.
        if let names = data.classNames { try d.setAttribute("class_names", names) }
        // How the autoencoder side read its rows: the same seed gives the same file only with the same two.
        try d.setAttribute("streamed", Int64(data.unlabeled.isStreamed ? 1 : 0))
        try d.setAttribute("mpi_ranks", Int64(data.unlabeled.ranks))
        try d.write("labeled_indices", data.inFile(data.labeledIndices).map(Int64.init), shape: [data.labeledIndices.count])
        try d.write("validation_indices", data.inFile(data.validationIndices).map(Int64.init), shape: [data.validationIndices.count])
        if let p = o.pseudoLabels {
            // classifier.pseudo_labels: what the head and fine-tuning trained on, row by row of the training file.
            try d.write("pseudo_labels", p.labels, shape: [p.labels.count], chunked: true, compression: 4)
            try d.write("pseudo_label_weights", p.weights, shape: [p.weights.count], chunked: true, compression: 4)
            if let a = p.accuracy { try d.setAttribute("pseudo_label_accuracy", a) }
        }
        if let y = data.testLabels {
            // The test set's true classes, so the file alone can be analysed (reports, confusion by hand).
            try d.write("test_labels", y.map(Int64.init), shape: [y.count])
        }

        try writePreprocessing(root)
        if save.contains("weights") { try o.model.write(to: try root.group("model")) }
        if save.contains("metrics") { try writeMetrics(root, o) }
        if save.contains("predictions"), let labels = o.predictedLabels, let p = o.probabilities {
            let g = try root.createGroup("predictions/test")
            try g.write("label", labels, shape: [labels.count], chunked: true, compression: 4)
            try g.write("probability", p.storage, shape: [p.rows, p.cols], chunked: true, compression: 4)
        }
        if save.contains("embeddings"), o.embeddings != nil || o.trainEmbeddings != nil {
            let g = try root.createGroup("embeddings")
            if let e = o.embeddings { try g.write("test", e.storage, shape: [e.rows, e.cols], chunked: true, compression: 4) }
            if let e = o.trainEmbeddings { try g.write("train", e.storage, shape: [e.rows, e.cols], chunked: true, compression: 4) }
        }
        if save.contains("reconstructions"), let r = o.reconstructions {
            let g = try root.createGroup("reconstructions")
            let ds = try g.write("test", r.storage, shape: [r.rows, r.cols])
            try ds.setAttribute("test_indices", o.reconstructionIndices.map(Int64.init))
            if let test = data.test {
                var inputs: [Float] = []
                for i in o.reconstructionIndices { inputs += test.storage[(i * test.cols)..<((i + 1) * test.cols)] }
                try g.write("test_input", inputs, shape: [o.reconstructionIndices.count, test.cols])
            }
        }
        if let a = o.anomaly {
            let g = try root.createGroup("anomaly")
            try g.setAttribute("threshold", Double(a.threshold))
            try g.setAttribute("threshold_rule", a.rule)
            try g.setAttribute("error", "mean squared reconstruction error per row, on scaled features")
            if let normal = pipeline.config.anomaly?.normalClasses { try g.setAttribute("normal_classes", normal.map(Int64.init)) }
            if let auc = a.rocAUC { try g.setAttribute("roc_auc", auc) }
            if let ap = a.averagePrecision { try g.setAttribute("average_precision", ap) }
            try g.write("train_error", a.trainError, shape: [a.trainError.count], chunked: true, compression: 4)
            try g.write(
                "train_flag", a.trainError.map { UInt8($0 > a.threshold ? 1 : 0) }, shape: [a.trainError.count], chunked: true,
                compression: 4)
            if let t = a.testError {
                try g.write("test_error", t, shape: [t.count], chunked: true, compression: 4)
                try g.write("test_flag", t.map { UInt8($0 > a.threshold ? 1 : 0) }, shape: [t.count], chunked: true, compression: 4)
            }
        }
    }

    private func writePreprocessing(_ root: H5Group) throws {
        let g = try root.createGroup("model/preprocessing")
        let s = data.scaler
        try g.setAttribute("scale", s.kind.rawValue)
        try g.setAttribute("n_features", Int64(data.width))
        switch s.kind {
        case .none: break
        case .unit:
            try g.setAttribute("min", Double(s.minimum))
            try g.setAttribute("max", Double(s.maximum))
            try g.setAttribute("formula", "(x - min) / (max - min)")
        case .minmax:
            try g.write("min", s.featureMinimum, shape: [s.featureMinimum.count])
            try g.write("max", s.featureMaximum, shape: [s.featureMaximum.count])
            try g.setAttribute("formula", "(x - min) / (max - min), per feature")
        case .auto:
            // A fitted scaler holds its resolved kind; kept for an exhaustive switch.
            break
        case .standardize:
            try g.write("mean", s.mean, shape: [s.mean.count])
            try g.write("std", s.std, shape: [s.std.count])
            try g.setAttribute("formula", "(x - mean) / std")
        }
    }

    private func writeMetrics(_ root: H5Group, _ o: RunOutcome) throws {
        let m = try root.createGroup("metrics")
        for c in o.curves {
            let parts = c.path.split(separator: "/")
            let g = parts.count > 1 ? try m.createGroup(parts.dropLast().joined(separator: "/")) : m
            try g.write(String(parts.last ?? ""), c.values, shape: [c.values.count])
        }
        if let t = o.testMetrics {
            // `evaluate.metrics` selects what is written (gates and the gain use every metric).
            let selected = Set(pipeline.config.evaluate.metrics)
            let g = try m.createGroup("test")
            for (name, value) in [("accuracy", t.accuracy), ("macro_f1", t.macroF1), ("log_loss", t.logLoss)]
            where selected.contains(name) {
                try g.setAttribute(name, value)
            }
            if selected.contains("confusion_matrix") {
                let c = t.confusion.count
                try g.write("confusion_matrix", t.confusion.flatMap { $0 }, shape: [c, c])
            }
        }
        if !o.baselines.isEmpty {
            // Each baseline on the same labeled rows; the gain is over the stronger one.
            let group = try m.createGroup("baseline")
            for b in o.baselines {
                let g = try group.createGroup(b.kind.rawValue)
                try g.setAttribute("accuracy", b.metrics.accuracy)
                try g.setAttribute("macro_f1", b.metrics.macroF1)
                try g.setAttribute("log_loss", b.metrics.logLoss)
                try g.setAttribute("settings", b.settings)
            }
            if let t = o.testMetrics, let strongest = o.strongestBaseline, m.exists("test") {
                let test = try m.group("test")
                try test.setAttribute("accuracy_gain", t.accuracy - strongest.metrics.accuracy)
                try test.setAttribute("gain_over", strongest.kind.rawValue)
            }
        }
        let timing = try m.createGroup("timing")
        for t in o.timings {
            try timing.setAttribute("\(t.stage)_seconds", t.seconds)
            try timing.setAttribute("\(t.stage)_samples_per_second", t.samplesPerSecond)
        }
        try timing.setAttribute("total_seconds", o.timings.reduce(0) { $0 + $1.seconds })
    }
}
