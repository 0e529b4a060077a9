import Foundation
import LayerwiseHDF5

/// What `run --resume` picks up: the finished stages of an interrupted run.
///
/// Beside the results file (`results.h5` → `results.checkpoint.h5`), rewritten atomically
/// after every training stage and removed when the results file is complete. Each stage's
/// snapshot holds the model, curves and timings as they stood after it, and a
/// fingerprint of everything it depends on (seed, data, its own settings and those of
/// the stages before it, the Layerwise version). `--resume` restores the latest snapshot
/// whose fingerprint the pipeline still has and runs the stages after it: after fixing a
/// diverged fine-tuning the pretrained stack and head are reused, but changing
/// `pretrain.epochs` retrains. Every stage draws from its own random streams, so a
/// resumed run with the same thread count writes the same bytes as an uninterrupted one.
struct Checkpoint {
    let path: String

    struct Snapshot {
        var stage: String
        var fingerprint: String
        var model: ModelLayers
        /// Every curve so far, and the timings of the training stages so far.
        var curves: [Curve]
        var timings: [StageTiming]
    }

    /// In the order the stages ran.
    private(set) var snapshots: [Snapshot] = []

    init(resultsPath: String) {
        path = URL(fileURLWithPath: resultsPath).deletingPathExtension().path + ".checkpoint.h5"
    }

    func snapshot(_ stage: String) -> Snapshot? { snapshots.first { $0.stage == stage } }

    /// The latest snapshot among `fingerprints` (stage → fingerprint, in run order) that matches.
    func latest(matching fingerprints: [(stage: String, fingerprint: String)]) -> (index: Int, snapshot: Snapshot)? {
        for (i, f) in fingerprints.enumerated().reversed() {
            if let s = snapshot(f.stage), s.fingerprint == f.fingerprint { return (i, s) }
        }
        return nil
    }

    /// Keeps `s`, dropping any snapshot taken after an earlier run of its stage (stale now).
    mutating func record(_ s: Snapshot) {
        if let i = snapshots.firstIndex(where: { $0.stage == s.stage }) { snapshots.removeSubrange(i...) }
        snapshots.append(s)
    }

    // MARK: Reading

    /// The snapshots stored at `path` (none when there is no checkpoint or it is unreadable).
    static func load(resultsPath: String) -> Checkpoint {
        var c = Checkpoint(resultsPath: resultsPath)
        guard FileManager.default.fileExists(atPath: c.path), let root = try? H5File.open(c.path).root,
            case .string("layerwise-checkpoint")? = try? root.attribute("format"),
            case .strings(let stages)? = try? root.attribute("stages")
        else { return c }
        for (i, stage) in stages.enumerated() {
            guard let g = try? root.group("stage_\(i)"), case .string(let f)? = try? g.attribute("fingerprint"),
                let model = try? ModelLayers.read(from: g.group("model")), let curves = try? curves(g)
            else { break }
            c.snapshots.append(Snapshot(stage: stage, fingerprint: f, model: model, curves: curves, timings: timings(g)))
        }
        return c
    }

    private static func curves(_ g: H5Group) throws -> [Curve] {
        let c = try g.group("curves")
        guard case .strings(let paths)? = try? c.attribute("paths") else { return [] }
        return try paths.enumerated().map { (path: $0.element, values: try c.dataset("curve_\($0.offset)").read(as: Float.self)) }
    }

    private static func timings(_ g: H5Group) -> [StageTiming] {
        guard case .strings(let stages)? = try? g.attribute("stages"),
            case .doubles(let seconds)? = try? g.attribute("seconds"),
            case .doubles(let rates)? = try? g.attribute("samples_per_second"),
            stages.count == seconds.count, stages.count == rates.count
        else { return [] }
        return stages.indices.map { StageTiming(stage: stages[$0], seconds: seconds[$0], samplesPerSecond: rates[$0]) }
    }

    // MARK: Writing

    /// Writes every snapshot (atomically: an interrupted write leaves the previous checkpoint).
    func save() throws {
        try writeAtomically(path, key: "output.results") { file in
            let root = try file.root
            try root.setAttribute("format", "layerwise-checkpoint")
            try root.setAttribute(
                "note", "finished stages of an interrupted run, for `layerwise run --resume`; removed when the run completes")
            try root.setAttribute("stages", snapshots.map(\.stage))
            for (i, s) in snapshots.enumerated() {
                let g = try root.createGroup("stage_\(i)")
                try g.setAttribute("fingerprint", s.fingerprint)
                try s.model.write(to: try g.createGroup("model"))
                let c = try g.createGroup("curves")
                if !s.curves.isEmpty { try c.setAttribute("paths", s.curves.map(\.path)) }
                for (k, curve) in s.curves.enumerated() { try c.write("curve_\(k)", curve.values, shape: [curve.values.count]) }
                guard !s.timings.isEmpty else { continue }
                try g.setAttribute("stages", s.timings.map(\.stage))
                try g.setAttribute("seconds", s.timings.map(\.seconds))
                try g.setAttribute("samples_per_second", s.timings.map(\.samplesPerSecond))
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension ModelLayers {
    /// Why this model cannot go on training on `data`, or nil: its first layer must take
    /// the data's features and its head give the data's classes.
    func mismatch(_ data: TrainingData) -> String? {
        if let first = (encoder.first ?? head.first)?.kernel.rows, first != data.width {
            return "its model takes \(first) features, the data has \(data.width)"
        }
        if let classes = head.last?.kernel.cols, data.nClasses > 0, classes != data.nClasses {
            return "its classifier gives \(classes) classes, the data has \(data.nClasses)"
        }
        return nil
    }
}
