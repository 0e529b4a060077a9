import LayerwiseHDF5

/// Opening a file that `layerwise run` wrote (docs/results-format.md), for the commands that read one.
enum ResultsFile {
    /// The root group, or an error naming the file when it lacks `format = "layerwise-results"`.
    static func open(_ path: String) throws -> H5Group {
        let root = try H5File.open(path).root
        guard case .string("layerwise-results")? = try? root.attribute("format") else {
            throw InputError("\(path): not a Layerwise results file (no format = \"layerwise-results\" attribute)")
        }
        return root
    }

    /// The learning curves: every 1-D float32 dataset below /metrics (not /metrics/test),
    /// by path relative to /metrics, in the file's order.
    static func curves(_ root: H5Group) throws -> [(path: String, values: [Float])] {
        guard root.exists("metrics") else { return [] }
        var found: [(path: String, values: [Float])] = []
        var seen = Set<String>()
        func walk(_ g: H5Group, _ prefix: String) throws {
            // Each group once (a link back to a parent would make the walk endless), and not
            // deeper than any results file nests curves.
            if let id = g.identity, !seen.insert(id).inserted { return }
            if prefix.split(separator: "/").count >= 16 { return }
            for (child, kind) in try g.children() {
                let path = prefix.isEmpty ? child : "\(prefix)/\(child)"
                if kind == .group, path != "test" { try walk(try g.group(child), path) }
                if kind == .dataset {
                    let d = try g.dataset(child)
                    if d.shape.count == 1, d.elementType == .float32 { found.append((path, try d.read(as: Float.self))) }
                }
            }
        }
        try walk(try root.group("metrics"), "")
        return found
    }
}
