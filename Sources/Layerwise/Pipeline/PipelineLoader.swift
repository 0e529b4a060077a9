import Foundation
import LayerwiseHDF5
import Yams

/// A pipeline file read, overridden and checked: the typed configuration plus what
/// the run needs to resolve paths and to record exactly what ran.
public struct Pipeline: Sendable {
    /// The typed configuration, after every override.
    public var config: PipelineConfig
    /// The file it came from, as given.
    public var file: String
    /// The pipeline file's folder: dataset and output paths are relative to it.
    public var baseDirectory: URL
    /// The pipeline after `--set` overrides, as YAML text (stored in every results file).
    public var resolvedYAML: String
    /// For a run of a `matrix:`, its `key=value` assignments and the sweep's base name.
    public var matrixAssignment: [String] = []
    /// The `name` of the sweep this run belongs to, before the combination's values are appended; nil outside a sweep.
    public var matrixBaseName: String?
    /// Where each key is given (`file:line:column: key.path` or `file (--set): key.path`).
    var origins: [String: String] = [:]
    /// Things the run should say before it starts (settings a matrix combination dropped).
    public var notes: [String] = []
    /// The arrays `data:` refers to when the pipeline trains on `InMemoryData`, by dataset name.
    var arrays: [String: MemoryArray] = [:]
    /// The most bytes one read of a data file may allocate (default: the machine's memory);
    /// a dataset whose shape claims more is an error naming its key.
    public var memoryBudget = H5File.physicalMemory

    /// `key` with where it is given, for a message about its value found after parsing
    /// (`p.yaml:12:11: pretrain.layers`); a key left to its default is named alone.
    public func origin(_ key: String) -> String { origins[key] ?? key }

    /// An absolute path for `path` as written in the pipeline file.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || path == Self.memoryFile { return path }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL.path
    }
}

extension Pipeline {
    /// Reads `file`, applies `overrides` (`key.path=value`, value in YAML syntax) and
    /// checks it against the schema. Throws `PipelineError` listing every problem.
    public static func load(file: String, overrides: [String] = []) throws -> Pipeline {
        let (text, base) = try readText(file)
        return try parse(text, file: file, baseDirectory: base, overrides: overrides)
    }

    /// The file's text and folder.
    static func readText(_ file: String) throws -> (String, URL) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError(
                "\(file): cannot read the pipeline file (\(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file"))"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(file): the pipeline file is not UTF-8 text")
        }
        return (text, URL(fileURLWithPath: file).deletingLastPathComponent())
    }

    /// The YAML node tree of `text`; a syntax error names line and column.
    static func compose(_ text: String, file: String) throws -> Node {
        let root: Node
        do {
            root = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
        } catch let error as YamlError {
            throw PipelineError(problems: [yamlProblem(error, file: file, text: text)])
        }
        if root.mapping == nil {
            throw PipelineError(problems: [
                ConfigProblem(
                    file: file, keyPath: "", line: root.mark?.line, column: root.mark?.column,
                    message: "expected a mapping of stages (name:, data:, pretrain:, …) at the top level")
            ])
        }
        try checkSize(root, file: file)
        return root
    }

    /// Most YAML nodes a pipeline may expand to. A pipeline has about a hundred; aliases
    /// of aliases (`b: [*a, *a]`, `c: [*b, *b]`, …) can make a few lines stand for 2^40,
    /// which walking (or writing into the results file) would never finish.
    static let maxNodes = 100_000

    /// Refuses a tree of more than `maxNodes` nodes, counting every expansion of an alias.
    static func checkSize(_ root: Node, file: String) throws {
        var count = 0
        func visit(_ n: Node) -> Bool {
            count += 1
            guard count <= maxNodes else { return false }
            if let m = n.mapping { return m.allSatisfy { visit($0.key) && visit($0.value) } }
            if let items = n.sequence { return items.allSatisfy(visit) }
            return true
        }
        if !visit(root) {
            throw PipelineError(problems: [
                ConfigProblem(
                    file: file, keyPath: "", line: root.mark?.line ?? 1, column: root.mark?.column ?? 1,
                    message: "the pipeline expands to more than \(maxNodes) YAML values (aliases of aliases?)")
            ])
        }
    }

    /// Parses pipeline YAML `text`; `file` names it in messages.
    ///
    /// `dropUnusedModelSettings` (a `matrix:` combination that sets `pretrain.model`): the
    /// settings of other models are removed instead of reported (see `dropSettingsOfOtherModels`).
    public static func parse(
        _ text: String, file: String, baseDirectory: URL, overrides: [String] = [],
        dropUnusedModelSettings: Bool = false
    ) throws -> Pipeline {
        let diagnostics = Diagnostics(file: file)
        var root = try compose(text, file: file)
        for o in overrides {
            try applyOverride(o, to: &root, diagnostics: diagnostics)
        }
        if !overrides.isEmpty { try checkSize(root, file: file) }
        let notes = dropUnusedModelSettings ? dropSettingsOfOtherModels(&root, diagnostics: diagnostics) : []
        let defaultName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let config = PipelineSchema.read(ConfigReader(path: "", node: root, diagnostics: diagnostics), defaultName: defaultName)
        if !diagnostics.problems.isEmpty { throw PipelineError(problems: diagnostics.problems) }
        let yaml = (try? Yams.serialize(node: root)) ?? text
        var pipeline = Pipeline(config: config, file: file, baseDirectory: baseDirectory, resolvedYAML: yaml)
        pipeline.origins = diagnostics.origins
        pipeline.notes = notes
        return pipeline
    }

    /// `--set a.b.c=value`: replaces or inserts the value at the key path; intermediate
    /// mappings are created on demand. `--set a.b=null` removes the key (a stage set to
    /// null is dropped, as if the file did not have it; a setting returns to its default).
    static func applyOverride(_ text: String, to root: inout Node, diagnostics: Diagnostics) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw InputError("--set \(text): expected key.path=value")
        }
        let path = String(text[..<eq])
        let valueText = String(text[text.index(after: eq)...])
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if keys.contains(where: \.isEmpty) { throw InputError("--set \(text): empty key in '\(path)'") }
        let value: Node
        do {
            value = try Yams.compose(yaml: valueText) ?? Node("", Tag(.null))
        } catch {
            throw InputError("--set \(path): cannot parse the value '\(valueText)' as YAML")
        }
        diagnostics.overridden.insert(path)
        root = try setting(value, at: keys[...], in: root, fullPath: path)
    }

    /// `node` with `value` at `keys`; a nil or null `node` becomes a new mapping.
    private static func setting(_ value: Node, at keys: ArraySlice<String>, in node: Node?, fullPath: String) throws -> Node {
        guard let key = keys.first else { return value }
        var pairs: [(Node, Node)] = []
        if let node, let m = node.mapping {
            pairs = m.map { ($0.key, $0.value) }
        } else if let node, node.null == nil {
            throw InputError("--set \(fullPath): '\(key)' is inside a value that is not a mapping")
        }
        let removes = keys.count == 1 && value.null != nil
        if let i = pairs.firstIndex(where: { $0.0.string == key }) {
            if removes {
                pairs.remove(at: i)
            } else {
                pairs[i].1 = try setting(value, at: keys.dropFirst(), in: pairs[i].1, fullPath: fullPath)
            }
        } else if removes {
            return Node(pairs)
        } else {
            pairs.append((Node(key), try setting(value, at: keys.dropFirst(), in: nil, fullPath: fullPath)))
        }
        return Node(pairs)
    }

    /// In a sweep over `pretrain.model`, one file serves several models, so it may hold
    /// settings some of them do not use: `noise` (denoising), `sparsity` (sparse),
    /// `contractive`, `rbm`, `vae`, and `end_to_end` (not used by vae) and `optimizer` (not used
    /// by rbm). For each combination those are removed from `root` before it is read, with one
    /// note each; outside such a sweep they stay errors (a setting that does nothing is
    /// usually a mistake). Returns the notes.
    static func dropSettingsOfOtherModels(_ root: inout Node, diagnostics: Diagnostics) -> [String] {
        guard var top = root.mapping, let pretrain = top["pretrain"], var section = pretrain.mapping else { return [] }
        let model = section["model"]?.string ?? AutoencoderModel.basic.rawValue
        guard let kind = AutoencoderModel(rawValue: model) else { return [] }  // the schema reports it
        var unused: [(key: String, user: String)] = []
        let owners: [(String, AutoencoderModel)] =
            [("noise", .denoising), ("sparsity", .sparse), ("contractive", .contractive), ("rbm", .rbm), ("vae", .vae)]
        for (key, owner) in owners where owner != kind { unused.append((key, "a setting of model: \(owner.rawValue)")) }
        if kind == .vae { unused.append(("end_to_end", "not used by model: vae (it trains whole)")) }
        if kind == .rbm { unused.append(("optimizer", "not used by model: rbm (contrastive divergence uses rbm.learning_rate)")) }
        var notes: [String] = []
        for (key, why) in unused {
            guard let node = section[key] else { continue }
            let path = "pretrain.\(key)"
            let place =
                diagnostics.isOverridden(path)
                ? "\(diagnostics.file) (--set)" : node.mark.map { "\(diagnostics.file):\($0.line)" } ?? diagnostics.file
            notes.append("note: \(path) (\(place)) is \(why); this run (pretrain.model=\(model)) leaves it out")
            section[key] = nil
        }
        guard !notes.isEmpty else { return [] }
        top["pretrain"] = Node.mapping(section)
        root = Node.mapping(top)
        return notes
    }

    /// `expect: {accuracy: >= 0.8}`: YAML reads `>` as the start of a folded block and
    /// `<`… not at all, so a gate written without quotes is a syntax error at that spot.
    static func comparisonHint(_ text: String, line: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return "" }
        let l = String(lines[line - 1])
        guard let r = l.range(of: #"[A-Za-z_0-9]+:\s*(>=|<=|==|>|<)\s*[-+.0-9eE]+"#, options: .regularExpression) else { return "" }
        let gate = l[r]
        guard let colon = gate.firstIndex(of: ":") else { return "" }
        let value = gate[gate.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return "; a comparison must be quoted: \(gate[..<colon]): \"\(value)\""
    }

    static func yamlProblem(_ error: YamlError, file: String, text: String = "") -> ConfigProblem {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let ctx = context.map { "\($0.text) " } ?? ""
            return ConfigProblem(
                file: file, keyPath: "", line: mark.line, column: mark.column,
                message: "not valid YAML: \(ctx)\(problem)" + comparisonHint(text, line: mark.line))
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigProblem(
                file: file, keyPath: "", line: context.mark.line, column: context.mark.column,
                message: "duplicate keys \(duplicates.joined(separator: ", "))")
        default:
            return ConfigProblem(file: file, keyPath: "", line: nil, column: nil, message: "not valid YAML: \(error)")
        }
    }
}
