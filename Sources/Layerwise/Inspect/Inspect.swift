import Foundation
import LayerwiseHDF5

/// `layerwise inspect`: the tree of an HDF5 file — every group, every dataset's
/// element type, shape, chunking, filters and size, and every attribute.
///
/// Groups end in `/`; attributes follow their object as `@name = value`; the datasets
/// of one group line up in columns. Long values (a stored pipeline, long arrays) are
/// shortened so the tree stays readable at a glance:
///
///     results.h5 (1.2 MB)
///     /
///       @format = "layerwise-results"
///       data/
///         @n_train = 60000
///         labeled_indices  int64    [1000]      contiguous                    7.8 KiB
///       model/
///         encoder/
///           layer_0/
///             kernel       float32  [784, 512]  chunks [128, 512] shuffle gzip 4  1.5 MiB → 1.3 MiB
///
/// - Throws: H5Error naming the file when it is missing, not HDF5, or unreadable.
public func inspect(path: String) throws -> String {
    let file = try H5File.open(path)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    var lines = [path + (size.map { " (\(byteCount($0)))" } ?? "")]
    var seen = Set<String>()
    try describe(try file.root, name: "/", depth: 0, seen: &seen, into: &lines)
    return lines.joined(separator: "\n")
}

/// Groups nested deeper than this are named but not opened (a crafted file could nest
/// them deep enough to exhaust the stack).
private let maxDepth = 64

private func describe(_ group: H5Group, name: String, depth: Int, seen: inout Set<String>, into lines: inout [String]) throws {
    let indent = String(repeating: "  ", count: depth)
    // A group reached again (a hard link back to a parent, a soft link to "/") is named, not walked again.
    if let id = group.identity, !seen.insert(id).inserted {
        lines.append(indent + name + "  (the group shown above, linked again)")
        return
    }
    if depth >= maxDepth {
        lines.append(indent + name + "  (deeper than \(maxDepth) levels, not shown)")
        return
    }
    lines.append(indent + name)
    let inner = indent + "  "
    lines += try attributeLines(group, indent: inner)
    let children = try group.children()
    // One row of columns per dataset, padded per group so types and shapes line up.
    var rows: [(index: Int, columns: [String], attributes: [String])] = []
    var entries: [[String]] = []
    for child in children {
        switch child.kind {
        case .group:
            var sub: [String] = []
            try describe(try group.group(child.name), name: child.name + "/", depth: depth + 1, seen: &seen, into: &sub)
            entries.append(sub)
        case .dataset:
            let d = try group.dataset(child.name)
            rows.append((entries.count, datasetColumns(d), try attributeLines(d, indent: inner + "  ")))
            entries.append([])
        case .other:
            entries.append([inner + child.name + "  (not a group or dataset: a named datatype, or a link whose target is missing)"])
        }
    }
    let widths = (0..<4).map { c in rows.map { $0.columns[c].count }.max() ?? 0 }
    for row in rows {
        let padded = row.columns.enumerated().map { c, text in
            c == row.columns.count - 1 ? text : text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
        }
        entries[row.index] = [inner + padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces)] + row.attributes
    }
    lines += entries.flatMap { $0 }
}

/// name, type, shape, layout, size.
private func datasetColumns(_ d: H5Dataset) -> [String] {
    let shape = d.shape
    var layout = d.chunkShape.map { "chunks \($0)" } ?? "contiguous"
    let filters = d.filters.map { f -> String in
        f.hasPrefix("deflate(") ? "gzip " + f.dropFirst(8).dropLast() : f
    }
    if !filters.isEmpty { layout += " " + filters.joined(separator: " ") }
    // The shape comes from the file: a corrupt one overflows Int, and is shown as it is.
    let (raw, overflow) = (d.elementCount ?? .max).multipliedReportingOverflow(by: d.elementSize)
    let rawText = d.elementCount == nil || overflow ? "> 8 EiB (corrupt shape?)" : byteCount(raw)
    let stored = d.storageSize
    let size = d.filters.isEmpty || stored == 0 ? rawText : "\(rawText) → \(byteCount(stored))"
    return [d.name, d.elementType.rawValue, shape.isEmpty ? "scalar" : "\(shape)", layout, size]
}

/// `@name = value` lines, sorted by name.
private func attributeLines(_ holder: H5AttributeHolder, indent: String) throws -> [String] {
    try holder.attributeNames().sorted().map { name in
        let value = (try? holder.attribute(name)).map(shortened) ?? "(unreadable type)"
        return "\(indent)@\(name) = \(value)"
    }
}

/// An attribute's value cut to one line of about 70 characters.
private func shortened(_ value: H5AttributeValue) -> String {
    func cut(_ s: String, limit: Int = 70) -> String {
        var s = s
        var notes: [String] = []
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 {
            s = String(lines[0])
            notes.append("\(lines.count) lines")
        }
        if s.count > limit { s = String(s.prefix(limit - 1)) + "…" }
        return notes.isEmpty ? s : s + " … (\(notes.joined()))"
    }
    func list(_ items: [String]) -> String {
        let shown = items.prefix(8).joined(separator: ", ")
        return items.count > 8 ? "[\(shown), … (\(items.count) values)]" : "[\(shown)]"
    }
    switch value {
    case .string(let s): return "\"" + cut(s) + "\""
    case .strings(let a): return list(a.map { "\"" + cut($0, limit: 30) + "\"" })
    case .int(let i): return String(i)
    case .ints(let a): return list(a.map(String.init))
    case .double(let d): return number(d)
    case .doubles(let a): return list(a.map(number))
    }
}

/// Seven significant digits: enough to tell values apart, short enough to scan.
private func number(_ d: Double) -> String {
    String(format: "%.7g", d)
}

/// 1536 → "1.5 KiB".
private func byteCount(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n), unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
}
