import HDF5

/// `layerwise inspect`: the tree of an HDF5 file with every dataset's shape, element
/// type, chunking and filters, and every attribute, one line each.
///
///     /data                          n_train=60000 n_classes=10
///       labeled_indices              int64 [1000]
///     /model/encoder/layer_0
///       kernel                       float32 [784, 512]  chunks [128, 512] shuffle deflate(4)
public func inspect(path: String) throws -> String {
    let file = try H5File.open(path)
    var lines = [path]
    try describe(try file.root, depth: 0, into: &lines)
    return lines.joined(separator: "\n")
}

private func describe(_ group: H5Group, depth: Int, into lines: inout [String]) throws {
    let indent = String(repeating: "  ", count: depth)
    let attrs = try attributeSummary(group)
    let name = group.path == "/" ? "/" : group.path + "/"
    lines.append(indent + name + (attrs.isEmpty ? "" : "  " + attrs))
    for child in try group.children() {
        switch child.kind {
        case .group:
            try describe(try group.group(child.name), depth: depth + 1, into: &lines)
        case .dataset:
            let d = try group.dataset(child.name)
            var s = "\(indent)  \(child.name)  \(d.elementType.rawValue) \(d.shape)"
            if let c = d.chunkShape { s += "  chunks \(c)" }
            if !d.filters.isEmpty { s += " " + d.filters.joined(separator: " ") }
            let a = try attributeSummary(d)
            if !a.isEmpty { s += "  " + a }
            lines.append(s)
        case .other:
            lines.append("\(indent)  \(child.name)  (other object)")
        }
    }
}

/// `name=value` pairs; long values (a stored pipeline, long arrays) are shortened.
private func attributeSummary(_ holder: H5AttributeHolder) throws -> String {
    try holder.attributeNames().sorted().map { name in
        var v = (try? holder.attribute(name).description) ?? "?"
        if let nl = v.firstIndex(of: "\n") { v = String(v[..<nl]) + "…\"" }
        if v.count > 60 { v = String(v.prefix(57)) + "…" }
        return "\(name)=\(v)"
    }.joined(separator: " ")
}
