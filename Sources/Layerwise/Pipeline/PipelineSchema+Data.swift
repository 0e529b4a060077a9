import Foundation
import Yams

/// The `data:` section: dataset references, scaling, the labeled subset and validation split.
extension PipelineSchema {

    static func readData(_ r: ConfigReader) -> DataConfig {
        if r.node == nil { r.diagnostics.report("data", nil, "missing: the pipeline needs data.train") }
        let train = datasetRef(r, "train", required: r.node != nil)
        let trainLabels = datasetRef(r, "train_labels", required: false)
        let test = datasetRef(r, "test", required: false)
        let testLabels = datasetRef(r, "test_labels", required: false)
        if (test == nil) != (testLabels == nil) && test == nil {
            r.report("test_labels", "given without data.test")
        }
        let scale = ScaleKind(rawValue: r.choice("scale", ScaleKind.allCases.map(\.rawValue), default: "auto")) ?? .auto
        let labeled = readLabeled(r)
        // Not given: resolved in `read` once the stages are known (0.1 with early stopping, else 0).
        var validation = -1.0
        if r.has("validation") {
            let v = r.section("validation")
            validation = v.float("fraction", default: 0.1, min: 0, max: 0.9)
            v.finish()
        } else {
            _ = r.value("validation")
        }
        let inMemory = readInMemory(r)
        let limit = byteSize(r, "memory_limit", default: DataConfig.defaultMemoryLimit)
        r.finish()
        return DataConfig(
            train: train ?? DatasetRef(file: "", dataset: ""), trainLabels: trainLabels, test: test,
            testLabels: testLabels, scale: scale, labeled: labeled, validationFraction: validation,
            inMemory: inMemory, memoryLimit: limit)
    }

    /// `data.in_memory`: `auto`, `true` or `false`.
    static func readInMemory(_ r: ConfigReader) -> InMemory {
        guard let v = r.value("in_memory") else { return .auto }
        if let b = v.bool, v.scalar?.style == .plain || v.scalar?.style == .any { return b ? .always : .never }
        if v.scalar?.string == "auto" { return .auto }
        r.report("in_memory", "expected auto, true or false, got \(describe(v))")
        return .auto
    }

    /// A size in bytes: an integer, or a number with a unit (`512MiB`, `2GiB`, `1.5GB`).
    static func byteSize(_ r: ConfigReader, _ key: String, default def: Int) -> Int {
        guard let v = r.value(key) else { return def }
        if let i = v.int, v.scalar?.style == .plain || v.scalar?.style == .any {
            guard i > 0 else { r.report(key, "must be > 0 bytes, got \(i)"); return def }
            return i
        }
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)
        ]
        let text = (v.scalar?.string ?? "").trimmingCharacters(in: .whitespaces)
        for (unit, factor) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            if let x = Double(number), x.isFinite, x > 0, x * factor < 9e18 { return Int(x * factor) }
            break
        }
        r.report(key, "expected a size such as 512MiB or 2GiB, got \(describe(v))")
        return def
    }

    /// `file.h5:/group/ds`, or a mapping `{file: …, dataset: …}`.
    static func datasetRef(_ r: ConfigReader, _ key: String, required: Bool) -> DatasetRef? {
        guard let v = r.value(key) else {
            if required { r.diagnostics.report(r.keyPath(key), r.node, "missing: expected file.h5:/path/to/dataset") }
            return nil
        }
        let origin = r.origin(key, v)
        if v.mapping != nil {
            let m = r.section(key)
            let file = m.string("file") ?? ""
            let ds = m.string("dataset") ?? ""
            m.finish()
            if file.isEmpty || ds.isEmpty { r.report(key, "needs both file: and dataset:"); return nil }
            return DatasetRef(file: file, dataset: ds.hasPrefix("/") ? ds : "/" + ds, origin: origin)
        }
        guard let s = v.scalar?.string, let colon = s.lastIndex(of: ":"), colon != s.startIndex,
            s.index(after: colon) != s.endIndex
        else {
            r.report(key, "expected file.h5:/path/to/dataset, got \(describe(v))"); return nil
        }
        let ds = String(s[s.index(after: colon)...])
        return DatasetRef(file: String(s[..<colon]), dataset: ds.hasPrefix("/") ? ds : "/" + ds, origin: origin)
    }

    static func readLabeled(_ r: ConfigReader) -> LabeledSelection {
        guard r.has("labeled") else { _ = r.value("labeled"); return .all }
        let l = r.section("labeled")
        let given = l.keys
        var result = LabeledSelection.all
        if given.count != 1 {
            r.report("labeled", "expected exactly one of per_class, count, fraction, all")
        }
        if l.has("per_class") { result = .perClass(l.int("per_class", default: 1, min: 1)) }
        if l.has("count") { result = .count(l.int("count", default: 1, min: 1)) }
        if l.has("fraction") { result = .fraction(l.float("fraction", default: 1, min: 0, max: 1, exclusiveMin: true)) }
        if l.has("all") {
            if !l.bool("all", default: true) { l.report("all", "only `all: true` is meaningful") }
        }
        l.finish()
        return result
    }
}
