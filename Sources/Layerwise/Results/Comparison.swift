import Foundation
import LayerwiseHDF5

/// `layerwise compare A.h5 B.h5 …`: the runs' numbers side by side, one row per
/// quantity, one column per results file.
///
/// Rows, in order: the run (pipeline name, seed, scaling, encoder widths, labeled rows), the
/// test metrics (/metrics/test), the anomaly metrics (/anomaly), the last value of
/// every learning curve under /metrics, and the stage timings (/metrics/timing). A
/// quantity a run lacks shows as "—".
public struct Comparison {
    /// One results file's quantities.
    public struct Run {
        /// The results file, as given.
        public var path: String
        /// The run's `pipeline_name` (the path when the file has none).
        public var name: String
        /// The run's quantities by row key, e.g. `test/accuracy`, `last classifier/loss`, `time/fine_tune`.
        public var values: [String: Value]
    }

    /// One cell: text, an integer or a number.
    public enum Value: Equatable {
        case text(String)
        case integer(Int64)
        case number(Double)

        var display: String {
            switch self {
            case .text(let s): return s
            case .integer(let i): return String(i)
            case .number(let d): return String(format: abs(d) >= 1000 ? "%.1f" : "%.4f", d)
            }
        }
        var json: Any {
            switch self {
            case .text(let s): return s
            case .integer(let i): return i
            case .number(let d): return d.isFinite ? d : NSNull()
            }
        }
    }

    /// The runs, one per results file, in the order given.
    public let runs: [Run]
    /// Row keys in display order.
    public let rows: [String]

    /// Reads every results file in `paths`; throws when there is none or one cannot be read.
    public init(paths: [String]) throws {
        guard !paths.isEmpty else { throw InputError("compare: give at least one results file") }
        runs = try paths.map(Comparison.read)
        var order: [String] = []
        var seen = Set<String>()
        for r in runs { for k in r.values.keys.sorted(by: Comparison.rowOrder) where seen.insert(k).inserted { order.append(k) } }
        rows = order.sorted(by: Comparison.rowOrder)
    }

    static let leading = [
        "pipeline", "seed", "data.scale", "encoder", "n_labeled", "test/accuracy", "test/macro_f1", "test/log_loss",
        "test/accuracy_gain", "test/gain_over",
        "baseline/logistic_regression/accuracy", "baseline/labels_only/accuracy",
        "baseline/logistic_regression/macro_f1", "baseline/labels_only/macro_f1",
        "baseline/logistic_regression/log_loss", "baseline/labels_only/log_loss",
        "anomaly/roc_auc", "anomaly/average_precision", "anomaly/threshold"
    ]

    /// Leading rows first in their fixed order; then curves, then timings, each alphabetical.
    static func rowOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ k: String) -> (Int, String) {
            if let i = leading.firstIndex(of: k) { return (i, "") }
            if k.hasPrefix("last ") { return (leading.count, k) }
            if k.hasPrefix("time/") { return (leading.count + 2, k) }
            return (leading.count + 1, k)
        }
        return rank(a) < rank(b)
    }

    static func read(_ path: String) throws -> Run {
        let root = try ResultsFile.open(path)
        var v: [String: Value] = [:]
        func put(_ key: String, _ a: H5AttributeValue?) {
            switch a {
            case .string(let s)?: v[key] = .text(s)
            case .int(let i)?: v[key] = .integer(i)
            case .double(let d)?: v[key] = .number(d)
            default: break
            }
        }
        let name: String
        if case .string(let n)? = try? root.attribute("pipeline_name") { name = n } else { name = path }
        v["pipeline"] = .text(name)
        put("seed", try? root.attribute("seed"))
        if root.exists("data") { put("n_labeled", try? root.group("data").attribute("n_labeled")) }
        // The scaling fitted (unit, minmax, standardize, none): two runs may differ only there.
        if root.exists("model/preprocessing") { put("data.scale", try? root.group("model/preprocessing").attribute("scale")) }
        if root.exists("model/encoder") {
            var widths: [Int] = []
            let enc = try root.group("model/encoder")
            var k = 0
            while enc.exists("layer_\(k)/kernel") {
                let shape = try enc.dataset("layer_\(k)/kernel").shape
                if k == 0, let first = shape.first { widths.append(first) }
                widths.append(shape.last ?? 0)
                k += 1
            }
            if !widths.isEmpty { v["encoder"] = .text(widths.map(String.init).joined(separator: "-")) }
        }
        if root.exists("metrics/test") {
            let g = try root.group("metrics/test")
            for a in try g.attributeNames() { put("test/\(a)", try? g.attribute(a)) }
        }
        for b in Baseline.allCases where root.exists("metrics/baseline/\(b.rawValue)") {
            let g = try root.group("metrics/baseline/\(b.rawValue)")
            for a in try g.attributeNames() where a != "settings" { put("baseline/\(b.rawValue)/\(a)", try? g.attribute(a)) }
        }
        if root.exists("anomaly") {
            let g = try root.group("anomaly")
            for a in ["roc_auc", "average_precision", "threshold"] where (try? g.attribute(a)) != nil {
                put("anomaly/\(a)", try? g.attribute(a))
            }
        }
        if root.exists("metrics") {
            let m = try root.group("metrics")
            for c in try ResultsFile.curves(root) {
                if let last = c.values.last { v["last \(c.path)"] = .number(Double(last)) }
            }
            if m.exists("timing") {
                let t = try m.group("timing")
                for a in try t.attributeNames() where a.hasSuffix("_seconds") {
                    put("time/\(a.dropLast("_seconds".count))", try? t.attribute(a))
                }
            }
        }
        return Run(path: path, name: name, values: v)
    }

    func cell(_ run: Run, _ row: String) -> String { run.values[row]?.display ?? "—" }

    /// Column names: the shortest path suffixes (file name, then folder/file name, …)
    /// that tell the files apart.
    var headers: [String] {
        let parts = runs.map { $0.path.split(separator: "/").map(String.init) }
        for depth in 1...max(parts.map(\.count).max() ?? 1, 1) {
            let names = parts.map { $0.suffix(depth).joined(separator: "/") }
            if Set(names).count == names.count { return names }
        }
        return runs.map(\.path)
    }

    /// An aligned plain-text table.
    public var table: String {
        let labelWidth = max(rows.map(\.count).max() ?? 0, 4)
        let widths = runs.indices.map { i in max(headers[i].count, rows.map { cell(runs[i], $0).count }.max() ?? 0) }
        func line(_ label: String, _ cells: [String]) -> String {
            ([label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)]
                + cells.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c })
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = [line("", headers)]
        for row in rows { out.append(line(row, runs.map { cell($0, row) })) }
        out.append("")
        for (i, r) in runs.enumerated() { out.append("\(headers[i]): \(r.path)") }
        return out.joined(separator: "\n")
    }

    /// The table in Markdown, one column per run.
    public var markdown: String {
        // A "|" in a pipeline name or path would split its cell.
        func md(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "| | " + headers.map(md).joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: runs.count) + "\n"
        for row in rows { out += "| \(md(row)) | " + runs.map { md(cell($0, row)) }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// Every run's path and values, and the row keys in order, as pretty-printed JSON.
    public var json: String {
        let obj: [String: Any] = [
            "runs": runs.map { r in
                ["results": r.path, "values": r.values.mapValues(\.json)] as [String: Any]
            }, "rows": rows
        ]
        let d = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: d, as: UTF8.self)
    }
}
