import Foundation
import HDF5

/// What `run --resume` picks up: the finished stages of an interrupted run (SPEC §4).
///
/// Beside the results file (`results.h5` → `results.checkpoint.h5`), written atomically
/// after pretraining (with end-to-end training) and after the classifier head, removed
/// when the results file is complete. Each stage carries a fingerprint of everything
/// it depends on (seed, data section, its own settings and those of the stages before
/// it, the Layerwise version); `--resume` reuses a stage only when the fingerprint
/// matches, so after fixing a diverged fine-tuning the pretrained stack and head are
/// reused, but changing `pretrain.epochs` retrains. Every stage draws from its own
/// random streams, so a resumed run with the same thread count writes the same bytes
/// as an uninterrupted one.
struct Checkpoint {
    let path: String

    struct Pretraining {
        var fingerprint: String
        var result: Pretrainer.Result
    }

    struct Classifier {
        var fingerprint: String
        var head: [SavedLayer]
        var curves: [(path: String, values: [Float])]
        var timing: StageTiming
    }

    var pretraining: Pretraining?
    var classifier: Classifier?

    init(resultsPath: String) {
        let url = URL(fileURLWithPath: resultsPath)
        path = url.deletingPathExtension().path + ".checkpoint.h5"
    }

    // MARK: Fingerprints

    static func fingerprint(_ cfg: PipelineConfig, stage: String) -> String {
        // Pretraining reads the training features (and labels, for normal_classes) only;
        // the head also depends on the labeled subset and the validation split.
        var parts = ["layerwise \(layerwiseVersion)", "seed \(cfg.seed)", "train \(cfg.data.train)",
                     "train_labels \(String(describing: cfg.data.trainLabels))", "scale \(cfg.data.scale)",
                     "normal_classes \(String(describing: cfg.anomaly?.normalClasses))", "pretrain \(String(describing: cfg.pretrain))"]
        if stage == "classifier" { parts += ["data \(cfg.data)", "classifier \(String(describing: cfg.classifier))"] }
        return parts.joined(separator: "\n")
    }

    // MARK: Reading

    /// The stages stored at `path` (none when there is no checkpoint or it is unreadable).
    static func load(resultsPath: String) -> Checkpoint {
        var c = Checkpoint(resultsPath: resultsPath)
        guard FileManager.default.fileExists(atPath: c.path), let root = try? H5File.open(c.path).root,
              case .string("layerwise-checkpoint")? = try? root.attribute("format") else { return c }
        if root.exists("pretrain"), let g = try? root.group("pretrain"), case .string(let f)? = try? g.attribute("fingerprint"),
           let encoder = try? TrainedModel.layers(g, "encoder"), let decoder = try? TrainedModel.layers(g, "decoder") {
            var r = Pretrainer.Result(encoder: encoder, decoder: decoder, curves: (try? curves(g)) ?? [], timings: timings(g))
            if let lv = try? TrainedModel.layers(g, "log_var"), let first = lv.first { r.logVariance = first }
            c.pretraining = Pretraining(fingerprint: f, result: r)
        }
        if root.exists("classifier"), let g = try? root.group("classifier"), case .string(let f)? = try? g.attribute("fingerprint"),
           let head = try? TrainedModel.layers(g, "head"), let timing = timings(g).first {
            c.classifier = Classifier(fingerprint: f, head: head, curves: (try? curves(g)) ?? [], timing: timing)
        }
        return c
    }

    private static func curves(_ g: H5Group) throws -> [(path: String, values: [Float])] {
        guard g.exists("curves") else { return [] }
        let c = try g.group("curves")
        guard case .strings(let paths)? = try? c.attribute("paths") else { return [] }
        return try paths.enumerated().map { (path: $0.element, values: try c.dataset("curve_\($0.offset)").read(as: Float.self)) }
    }

    private static func timings(_ g: H5Group) -> [StageTiming] {
        guard case .strings(let stages)? = try? g.attribute("stages"),
              case .doubles(let seconds)? = try? g.attribute("seconds"),
              case .doubles(let rates)? = try? g.attribute("samples_per_second"),
              stages.count == seconds.count, stages.count == rates.count else { return [] }
        return stages.indices.map { StageTiming(stage: stages[$0], seconds: seconds[$0], samplesPerSecond: rates[$0]) }
    }

    // MARK: Writing

    /// Writes every stage held (atomically: an interrupted write leaves the previous checkpoint).
    func save() throws {
        try writeAtomically(path, key: "output.results") { file in
            let root = try file.root
            try root.setAttribute("format", "layerwise-checkpoint")
            try root.setAttribute("note", "finished stages of an interrupted run, for `layerwise run --resume`; removed when the run completes")
            if let p = pretraining {
                let g = try root.createGroup("pretrain")
                try g.setAttribute("fingerprint", p.fingerprint)
                try ResultsWriter.writeLayers(g, "encoder", p.result.encoder)
                try ResultsWriter.writeLayers(g, "decoder", p.result.decoder)
                if let lv = p.result.logVariance { try ResultsWriter.writeLayers(g, "log_var", [lv]) }
                try write(g, curves: p.result.curves, timings: p.result.timings)
            }
            if let c = classifier {
                let g = try root.createGroup("classifier")
                try g.setAttribute("fingerprint", c.fingerprint)
                try ResultsWriter.writeLayers(g, "head", c.head)
                try write(g, curves: c.curves, timings: [c.timing])
            }
        }
    }

    private func write(_ g: H5Group, curves: [(path: String, values: [Float])], timings: [StageTiming]) throws {
        let c = try g.createGroup("curves")
        if !curves.isEmpty { try c.setAttribute("paths", curves.map(\.path)) }
        for (i, curve) in curves.enumerated() { try c.write("curve_\(i)", curve.values, shape: [curve.values.count]) }
        try g.setAttribute("stages", timings.map(\.stage))
        try g.setAttribute("seconds", timings.map(\.seconds))
        try g.setAttribute("samples_per_second", timings.map(\.samplesPerSecond))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
