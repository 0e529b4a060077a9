import Foundation

/// What `layerwise run` prints when it is done: a short table, or one JSON object.
public struct RunReport {
    let pipeline: Pipeline
    /// The results file's path: `output.results`, expanded and resolved.
    public let resultsPath: String
    /// Where the results file this run replaced is kept (nil: there was none).
    public let previousResults: String?
    let outcome: RunOutcome
    let data: TrainingData
    /// When the run started (the results file's `created`).
    let created: Date

    /// 0, or 1 when an `evaluate.expect` gate was missed.
    public var exitCode: Int32 { outcome.expectationFailures.isEmpty ? 0 : 1 }

    /// One message per missed `evaluate.expect` gate (empty when all held).
    public var expectationFailures: [String] { outcome.expectationFailures }

    /// The `key=value` assignments of this run in a `matrix:` sweep (empty otherwise).
    public var assignment: [String] { pipeline.matrixAssignment }

    /// Test metrics by name (`accuracy`, `macro_f1`, `log_loss`), empty without labeled test data.
    public var metrics: [String: Double] {
        outcome.metricValues
    }

    /// The summary table: the run, its data, test and anomaly metrics, timings, the results file, warnings and gates.
    public var summary: String {
        var rows: [(String, String)] = [("pipeline", pipeline.config.name), ("seed", String(pipeline.config.seed))]
        rows.append(
            (
                "data",
                "\(data.trainRows) train, \(data.labeledIndices.count) labeled, \(data.validationIndices.count) validation, \(data.test?.rows ?? 0) test"
            ))
        rows.append(("scale", ScaleKind.describe(requested: pipeline.config.data.scale, fitted: data.scaler.kind)))
        if !outcome.model.encoder.isEmpty {
            rows.append(("encoder", ([data.width] + outcome.model.encoder.map { $0.kernel.cols }).map(String.init).joined(separator: "-")))
        }
        if let m = outcome.testMetrics {
            let selected = Set(pipeline.config.evaluate.metrics)
            for (name, value) in [("accuracy", m.accuracy), ("macro_f1", m.macroF1), ("log_loss", m.logLoss)]
            where selected.contains(name) {
                rows.append(("test \(name)", String(format: "%.4f", value)))
            }
        }
        rows += perClass
        if let m = outcome.testMetrics, let strongest = outcome.strongestBaseline {
            for b in outcome.baselines {
                rows.append(("\(b.kind.title) accuracy", String(format: "%.4f (on the same labeled rows)", b.metrics.accuracy)))
            }
            rows.append(
                (
                    "accuracy gain",
                    String(
                        format: "%+.2f points over %@", 100 * (m.accuracy - strongest.metrics.accuracy),
                        strongest.kind.title)
                ))
        }
        if let a = outcome.anomaly {
            rows.append(("anomaly threshold", String(format: "%.5f (%@)", a.threshold, a.rule)))
            // Which set each count is of: the test rows (when there are any), then the rows the threshold came from.
            var flagged: [String] = []
            if let t = a.testError { flagged.append("\(t.filter { $0 > a.threshold }.count) of \(t.count) test rows") }
            let train = a.trainError
            let trainSet = pipeline.config.anomaly?.normalClasses == nil ? "training rows" : "training rows of the normal classes"
            flagged.append("\(train.filter { $0 > a.threshold }.count) of \(train.count) \(trainSet)")
            rows.append(("anomaly flagged", flagged.joined(separator: ", ")))
            if let auc = a.rocAUC, let ap = a.averagePrecision {
                rows.append(("anomaly roc_auc", String(format: "%.4f (average precision %.4f)", auc, ap)))
            }
        }
        for t in outcome.timings {
            rows.append(("time \(t.stage)", String(format: "%.2f s", t.seconds)))
        }
        rows.append(("time total", String(format: "%.2f s", outcome.timings.reduce(0) { $0 + $1.seconds })))
        rows.append(("results", resultsPath))
        if let previousResults { rows.append(("replaced", "the earlier results file, kept as \(previousResults)")) }
        for w in outcome.warnings { rows.append(("warning", w)) }
        for g in gates { rows.append(("expect", g.line)) }
        let w = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    /// Most classes the summary lists one by one.
    static let perClassLimit = 20

    /// A table with a column per class (its name, or its number): labeled training rows,
    /// test rows and the test recall (the share of the class's test rows predicted as it).
    var perClass: [(String, String)] {
        guard data.nClasses >= 2, data.nClasses <= Self.perClassLimit, let labels = data.trainLabels else { return [] }
        let c = data.nClasses
        var labeled = [Int](repeating: 0, count: c)
        for r in data.labeledIndices where labels[r] >= 0 && Int(labels[r]) < c { labeled[Int(labels[r])] += 1 }
        var table: [(String, [String])] = [("class", (0..<c).map(data.className)), ("  labeled", labeled.map(String.init))]
        if let m = outcome.testMetrics, m.confusion.count == c {
            let totals = m.confusion.map { $0.reduce(0, +) }
            table.append(("  test rows", totals.map(String.init)))
            table.append(
                (
                    "  test recall",
                    (0..<c).map { totals[$0] == 0 ? "-" : String(format: "%.4f", Double(m.confusion[$0][$0]) / Double(totals[$0])) }
                ))
        }
        let widths = (0..<c).map { k in table.map { $0.1[k].count }.max() ?? 0 }
        return table.map { name, cells in
            (
                name,
                cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            )
        }
    }

    /// Every `evaluate.expect` gate with its measured value and whether it held.
    var gates: [(line: String, gate: String, passed: Bool, value: Double?)] {
        pipeline.config.evaluate.expect.map { e in
            let v = outcome.metricValues[e.metric]
            let passed = v.map(e.holds) ?? false
            let state = v.map { String(format: "%@ (%@ = %.4f)", passed ? "passed" : "FAILED", e.metric, $0) } ?? "FAILED (not measured)"
            return ("\(e): \(state)", "\(e)", passed, v)
        }
    }

    /// The summary as one JSON object (`--json`).
    public var json: String {
        var obj: [String: Any] = [
            "pipeline": pipeline.config.name, "seed": pipeline.config.seed, "results": resultsPath,
            "metrics": metrics, "expectations_failed": outcome.expectationFailures, "warnings": outcome.warnings,
            "timing_seconds": Dictionary(outcome.timings.map { ($0.stage, $0.seconds) }, uniquingKeysWith: { a, _ in a }),
            "n_train": data.trainRows, "n_labeled": data.labeledIndices.count, "n_test": data.test?.rows ?? 0,
            "scale": data.scaler.kind.rawValue
        ]
        if let a = outcome.anomaly { obj["anomaly_threshold"] = Double(a.threshold) }
        if let previousResults { obj["previous_results"] = previousResults }
        obj["expectations"] = gates.map { g -> [String: Any] in
            var o: [String: Any] = ["gate": g.gate, "passed": g.passed]
            if let v = g.value { o["value"] = v }
            return o
        }
        let d = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: d, as: UTF8.self)
    }
}
