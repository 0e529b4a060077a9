import Yams

/// One problem found in a pipeline file: where it is and what was expected.
public struct ConfigProblem: CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in.
    public var file: String
    /// Dotted key path, e.g. `pretrain.optimizer.learning_rate`.
    public var keyPath: String
    /// 1-based line and column in the file; nil for values given by `--set`.
    public var line: Int?
    /// 1-based column in the file; nil for values given by `--set`.
    public var column: Int?
    /// What is wrong and what was expected.
    public var message: String

    /// `file:line:column: key.path: message`, or `file (--set): …` for an override.
    public var description: String {
        let place = line.map { "\(file):\($0):\(column ?? 1)" } ?? "\(file) (--set)"
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}

/// All problems of a pipeline file, reported together (one `error:` line each).
public struct PipelineError: UserFacingError {
    /// Every problem found, in the order found.
    public var problems: [ConfigProblem]
    /// The problems, one per line, each line after the first prefixed with `error: `.
    public var description: String { problems.map(\.description).joined(separator: "\nerror: ") }
}

/// Collects problems while a schema reads a YAML node tree.
final class Diagnostics {
    let file: String
    private(set) var problems: [ConfigProblem] = []
    /// Key paths whose values came from `--set` (they have no line in the file).
    var overridden: Set<String> = []
    /// Where each key the schema read is given: `file:line:column: key.path`, or
    /// `file (--set): key.path` (for messages about values after parsing, see `Pipeline.origin`).
    var origins: [String: String] = [:]

    init(file: String) { self.file = file }

    /// Whether the value at `path` (or a mapping around it) was given by `--set`.
    func isOverridden(_ path: String) -> Bool {
        overridden.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
    }

    func report(_ path: String, _ node: Node?, _ message: String) {
        let mark = isOverridden(path) ? nil : node?.mark
        problems.append(
            ConfigProblem(
                file: file, keyPath: path, line: mark?.line, column: mark?.column, message: message))
    }
}

/// Reads one YAML mapping against a schema: typed getters with defaults and ranges,
/// then `finish()` reports every key the schema did not ask for ("did you mean …?").
///
/// Getters never throw: a bad value is reported and the default returned, so one pass
/// finds every problem in the file.
final class ConfigReader {
    let path: String
    let node: Node?
    let diagnostics: Diagnostics
    private var known: [String] = []
    private let pairs: [(key: String, keyNode: Node, value: Node)]

    init(path: String, node: Node?, diagnostics: Diagnostics) {
        self.path = path
        self.node = node
        self.diagnostics = diagnostics
        var pairs: [(String, Node, Node)] = []
        if let node {
            if let mapping = node.mapping {
                for (k, v) in mapping {
                    if let key = k.string {
                        pairs.append((key, k, v))
                    } else {
                        diagnostics.report(path, k, "keys must be strings")
                    }
                }
            } else if node.null == nil {
                diagnostics.report(path, node, "expected a mapping of keys, got \(describe(node))")
            }
        }
        self.pairs = pairs
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw node under `key`, marking the key as known to the schema.
    func value(_ key: String) -> Node? {
        known.append(key)
        guard let v = pairs.first(where: { $0.key == key })?.value else { return nil }
        if v.null == nil { diagnostics.origins[keyPath(key)] = origin(key, v) }
        // `key:` with nothing after it is YAML null: treat as absent (the default applies).
        return v.null != nil ? nil : v
    }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }
    var keys: [String] { pairs.map(\.key) }

    /// A nested mapping's reader (absent → an empty reader whose getters return defaults).
    func section(_ key: String) -> ConfigReader {
        ConfigReader(path: keyPath(key), node: value(key), diagnostics: diagnostics)
    }

    /// Reports a problem at a nested key (`fine_tune.unfreeze`), at its line when it is in the file.
    func report(path keys: [String], _ message: String) {
        var n: Node? = node
        var last = node
        for k in keys {
            n = n?.mapping?.first(where: { $0.key.string == k })?.value
            if let n { last = n }
        }
        diagnostics.report(keys.reduce(path) { $0.isEmpty ? $1 : "\($0).\($1)" }, last, message)
    }

    func report(_ key: String, _ message: String) {
        let n = pairs.first(where: { $0.key == key })?.value ?? node
        diagnostics.report(keyPath(key), n, message)
    }

    // MARK: Typed getters

    func string(_ key: String, default def: String? = nil) -> String? {
        guard let v = value(key) else { return def }
        guard let s = v.scalar?.string else {
            report(key, "expected a string, got \(describe(v))"); return def
        }
        return s
    }

    func choice(_ key: String, _ options: [String], default def: String) -> String {
        guard let s = string(key) else { return def }
        if options.contains(s) { return s }
        report(key, "'\(s)' is not one of \(options.joined(separator: ", "))" + suggestion(s, options))
        return def
    }

    /// `file:line:column: key.path` of `value` under `key` (`file (--set): key.path` for an override).
    func origin(_ key: String, _ value: Node) -> String {
        let p = keyPath(key)
        guard !diagnostics.isOverridden(p), let mark = value.mark else { return "\(diagnostics.file) (--set): \(p)" }
        return "\(diagnostics.file):\(mark.line):\(mark.column): \(p)"
    }

    /// `choice` over an enum's raw values.
    func choice<T: RawRepresentable>(_ key: String, _ options: [T], default def: T) -> T where T.RawValue == String {
        let s = choice(key, options.map(\.rawValue), default: def.rawValue)
        return options.first { $0.rawValue == s } ?? def
    }

    func int(_ key: String, default def: Int, min lo: Int? = nil, max hi: Int? = nil) -> Int {
        guard let v = value(key) else { return def }
        guard let i = v.int, v.scalar?.style == .plain || v.scalar?.style == .any else {
            report(key, "expected an integer, got \(describe(v))"); return def
        }
        if let lo, i < lo { report(key, "must be ≥ \(lo), got \(i)"); return def }
        if let hi, i > hi { report(key, "must be ≤ \(hi), got \(i)"); return def }
        return i
    }

    func optionalInt(_ key: String, min lo: Int? = nil) -> Int? {
        guard has(key), value(key) != nil else { known.append(key); return nil }
        return int(key, default: lo ?? 0, min: lo)
    }

    func float(
        _ key: String, default def: Double, min lo: Double? = nil, max hi: Double? = nil,
        exclusiveMin: Bool = false
    ) -> Double {
        guard let v = value(key) else { return def }
        guard let x = v.float ?? v.int.map(Double.init), v.scalar?.style == .plain || v.scalar?.style == .any,
            x.isFinite
        else {
            report(key, "expected a number, got \(describe(v))"); return def
        }
        if let lo, exclusiveMin ? x <= lo : x < lo {
            report(key, "must be \(exclusiveMin ? ">" : "≥") \(format(lo)), got \(format(x))"); return def
        }
        if let hi, x > hi { report(key, "must be ≤ \(format(hi)), got \(format(x))"); return def }
        return x
    }

    func bool(_ key: String, default def: Bool) -> Bool {
        guard let v = value(key) else { return def }
        guard let b = v.bool, v.scalar?.style == .plain || v.scalar?.style == .any else {
            report(key, "expected true or false, got \(describe(v))"); return def
        }
        return b
    }

    func intList(_ key: String, default def: [Int], min lo: Int = 1) -> [Int] {
        guard let v = value(key) else { return def }
        guard let seq = v.sequence else { report(key, "expected a list of integers, got \(describe(v))"); return def }
        var out: [Int] = []
        for (i, item) in seq.enumerated() {
            guard let x = item.int, item.scalar?.style == .plain || item.scalar?.style == .any else {
                diagnostics.report("\(keyPath(key))[\(i)]", item, "expected an integer, got \(describe(item))")
                return def
            }
            if x < lo {
                diagnostics.report("\(keyPath(key))[\(i)]", item, "must be ≥ \(lo), got \(x)"); return def
            }
            out.append(x)
        }
        return out
    }

    func stringList(_ key: String, default def: [String], options: [String]) -> [String] {
        guard let v = value(key) else { return def }
        guard let seq = v.sequence else { report(key, "expected a list, got \(describe(v))"); return def }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            guard let s = item.scalar?.string, options.contains(s) else {
                let got = item.scalar?.string ?? describe(item)
                diagnostics.report(
                    "\(keyPath(key))[\(i)]", item,
                    "'\(got)' is not one of \(options.joined(separator: ", "))" + suggestion(got, options))
                continue
            }
            out.append(s)
        }
        return out
    }

    /// Reports every key the schema never asked for, with the closest known key.
    /// Keys given that the schema has not asked for (so far).
    var unknownKeys: [String] { keys.filter { !known.contains($0) } }

    func finish() {
        for (key, keyNode, _) in pairs where !known.contains(key) {
            diagnostics.report(
                keyPath(key), keyNode,
                "unknown key '\(key)'" + suggestion(key, known))
        }
    }
}

// MARK: - Helpers

func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): return s.style == .plain || s.style == .any ? "'\(s.string)'" : "the string '\(s.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

private func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

/// " (did you mean 'x'?)" for the closest candidate within a small edit distance.
func suggestion(_ word: String, _ candidates: [String]) -> String {
    closest(word, candidates).map { " (did you mean '\($0)'?)" } ?? ""
}

/// The candidate `word` is most likely a misspelling of, if any is close enough.
func closest(_ word: String, _ candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}

/// Levenshtein distance, for "did you mean …?".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
