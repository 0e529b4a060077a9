import Foundation
import Yams

/// `matrix:` — like a CI matrix: lists of values for key paths; every combination is
/// its own run (its own results file), named `<name>-<value>-<value>…`.
///
///     matrix:
///       pretrain.model: [basic, denoising]
///       seed: [0, 1]
public struct MatrixAxis: Sendable {
    /// The dotted key path swept, as for `--set`, e.g. `pretrain.model`.
    public var keyPath: String
    /// Each value as YAML text, applied like `--set keyPath=value`.
    public var values: [String]
}

extension Pipeline {
    /// The pipelines of `file`: one, or one per combination of its `matrix:`. Every
    /// combination is checked before any runs, so a bad value fails fast.
    public static func loadAll(file: String, overrides: [String] = []) throws -> [Pipeline] {
        let (text, base) = try readText(file)
        let diagnostics = Diagnostics(file: file)
        let root = try compose(text, file: file)
        let axes = try matrixAxes(root, diagnostics: diagnostics)
        if axes.isEmpty { return [try parse(text, file: file, baseDirectory: base, overrides: overrides)] }
        // A sweep over the model may hold settings of models a combination does not use.
        let sweepsModel = axes.contains { $0.keyPath == "pretrain.model" }
        let baseConfig = try parse(
            text, file: file, baseDirectory: base, overrides: overrides + ["matrix=~"],
            dropUnusedModelSettings: sweepsModel
        ).config
        let baseName = baseConfig.name
        // Each run needs its own results file: a template without {name} gets it appended.
        var resultsOverride: [String] = []
        let template = baseConfig.output.results
        if !template.contains("{name}") {
            let ext = (template as NSString).pathExtension
            resultsOverride = ["output.results=\((template as NSString).deletingPathExtension)-{name}.\(ext)"]
        }
        // Counted before they are built: ten axes of ten values would be 10^10 runs.
        var total = 1
        for axis in axes {
            let (t, overflow) = total.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, t <= maxRuns else {
                let mark = root.mapping?["matrix"]?.mark
                throw PipelineError(problems: [
                    ConfigProblem(
                        file: file, keyPath: "matrix", line: mark?.line ?? 1, column: mark?.column ?? 1,
                        message: "\(overflow ? "more than 2^63" : String(t)) combinations; a sweep runs at most \(maxRuns)")
                ])
            }
            total = t
        }
        var combos: [[(String, String)]] = [[]]
        for axis in axes {
            combos = combos.flatMap { c in axis.values.map { c + [(axis.keyPath, $0)] } }
        }
        var problems: [ConfigProblem] = []
        var pipelines: [Pipeline] = []
        for combo in combos {
            let label = combo.map { sanitize($0.1) }.joined(separator: "-")
            let sets = combo.map { "\($0.0)=\($0.1)" } + overrides + resultsOverride + ["matrix=~", "name=\(baseName)-\(label)"]
            do {
                var p = try parse(text, file: file, baseDirectory: base, overrides: sets, dropUnusedModelSettings: sweepsModel)
                p.matrixAssignment = combo.map { "\($0.0)=\($0.1)" }
                p.matrixBaseName = baseName
                pipelines.append(p)
            } catch let e as PipelineError {
                problems += e.problems.map {
                    var p = $0; p.message += " (matrix: \(combo.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")))"; return p
                }
            }
        }
        if !problems.isEmpty { throw PipelineError(problems: problems) }
        return pipelines
    }

    /// Most runs one `matrix:` may make.
    static let maxRuns = 1000

    static func matrixAxes(_ root: Node, diagnostics: Diagnostics) throws -> [MatrixAxis] {
        guard let m = root.mapping?["matrix"], m.null == nil else { return [] }
        guard let pairs = m.mapping else {
            throw PipelineError(problems: [
                ConfigProblem(
                    file: diagnostics.file, keyPath: "matrix", line: m.mark?.line, column: m.mark?.column,
                    message: "expected a mapping of key paths to lists of values")
            ])
        }
        var axes: [MatrixAxis] = []
        var problems: [ConfigProblem] = []
        for (k, v) in pairs {
            let key = k.string ?? ""
            guard let seq = v.sequence, !seq.isEmpty else {
                problems.append(
                    ConfigProblem(
                        file: diagnostics.file, keyPath: "matrix.\(key)", line: v.mark?.line, column: v.mark?.column,
                        message: "expected a non-empty list of values"))
                continue
            }
            axes.append(MatrixAxis(keyPath: key, values: seq.map(flowText)))
        }
        if !problems.isEmpty { throw PipelineError(problems: problems) }
        return axes
    }

    /// A value as one-line YAML: scalars as written, lists and mappings in flow style.
    private static func flowText(_ node: Node) -> String {
        if let s = node.scalar { return s.string }
        if let items = node.sequence { return "[" + items.map(flowText).joined(separator: ", ") + "]" }
        if let m = node.mapping {
            return "{" + m.map { "\(flowText($0.key)): \(flowText($0.value))" }.joined(separator: ", ") + "}"
        }
        return ""
    }

    /// A value as a file-name part: brackets and quotes dropped ("[0, 1]" → "0_1").
    private static func sanitize(_ s: String) -> String {
        let kept = s.filter { !"[]{}'\"".contains($0) }
        let parts = kept.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
        return parts.isEmpty ? "_" : parts.joined(separator: "_")
    }
}
