import Foundation

/// The summary of a `matrix:` sweep: runs ranked by the evaluated metric, as a table
/// on stdout, `summary.json` and `summary.md` (for a CI job summary).
public struct SweepSummary {
    /// The reports of the sweep's runs, in sweep order.
    public let reports: [RunReport]
    /// The metric runs are ranked by: the first `evaluate.expect` gate's, else accuracy.
    public let metric: String
    /// Folder holding summary.json and summary.md.
    public let folder: String

    var higherIsBetter: Bool { metric != "log_loss" }

    /// Reports, best first; runs without the metric last, in sweep order.
    public var ranked: [RunReport] {
        reports.enumerated().sorted { a, b in
            switch (a.element.metrics[metric], b.element.metrics[metric]) {
            case let (x?, y?) where x != y: return higherIsBetter ? x > y : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }

    /// With baselines, a column of the gain over the stronger one.
    var showsGain: Bool { reports.contains { $0.metrics["accuracy_gain"] != nil } }

    func gain(_ r: RunReport) -> String {
        r.metrics["accuracy_gain"].map { String(format: "%+.2f", 100 * $0) } ?? "—"
    }

    /// The ranking as a plain-text table (printed on stdout).
    public var table: String {
        var lines = ["rank  \(metric.padding(toLength: 9, withPad: " ", startingAt: 0))  " + (showsGain ? "gain     " : "") + "run"]
        for (i, r) in ranked.enumerated() {
            let v = r.metrics[metric].map { String(format: "%.4f", $0) } ?? "—"
            lines.append(
                String(format: "%4d  ", i + 1) + v.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + "  " + (showsGain ? gain(r).padding(toLength: 9, withPad: " ", startingAt: 0) : "")
                    + r.assignment.joined(separator: " ") + "  " + r.resultsPath)
        }
        return lines.joined(separator: "\n")
    }

    /// The ranking as a Markdown table (`summary.md`).
    public var markdown: String {
        var md =
            showsGain
            ? "| rank | \(metric) | gain over the stronger baseline (points) | run | results |\n|---|---|---|---|---|\n"
            : "| rank | \(metric) | run | results |\n|---|---|---|---|\n"
        for (i, r) in ranked.enumerated() {
            let v = r.metrics[metric].map { String(format: "%.4f", $0) } ?? "—"
            md +=
                "| \(i + 1) | \(v) | " + (showsGain ? "\(gain(r)) | " : "")
                + "\(r.assignment.map { "`\($0)`" }.joined(separator: " ")) | \(r.resultsPath) |\n"
        }
        return md
    }

    /// The ranking as JSON (`summary.json`).
    public var json: String {
        let runs: [[String: Any]] = ranked.enumerated().map { i, r in
            [
                "rank": i + 1, "matrix": r.assignment, "results": r.resultsPath, "metrics": r.metrics,
                "expectations_failed": r.expectationFailures
            ]
        }
        let obj: [String: Any] = ["metric": metric, "runs": runs]
        let d = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: d, as: UTF8.self)
    }

    /// Writes summary.json and summary.md into `folder`.
    public func write() throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw InputError("matrix: cannot create the folder \(folder) for summary.json: \(fileProblem(error).reason)")
        }
        try writeBytesAtomically(Data(json.utf8), to: (folder as NSString).appendingPathComponent("summary.json"), key: "output.results")
        try writeBytesAtomically(Data(markdown.utf8), to: (folder as NSString).appendingPathComponent("summary.md"), key: "output.results")
    }
}
