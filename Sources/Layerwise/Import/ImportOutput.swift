import Foundation
import LayerwiseHDF5

/// What an import wrote: the one-line summary (stdout) and any warnings (stderr).
public struct ImportReport: Sendable {
    public let summary: String
    public let warnings: [String]
}

/// Where and how an importer writes: one group of the input layout (docs/pipeline.md, "Input data") in an HDF5
/// file, written atomically (`writeAtomically`: a temporary file in the same folder,
/// renamed when complete, removed on any error).
///
/// An existing output file is never replaced unless asked: without `append` it is an
/// error unless `force` (then the whole file is replaced); with `append` the group is
/// added to a copy of it, and a group of the same name is an error unless `force` (then
/// that group alone is replaced, the file's other groups kept).
struct ImportOutput {
    let destination: String
    let group: String
    let append: Bool
    var force = false
    /// gzip level (0–9) of every dataset written; chunks are about 1 MiB of rows.
    var compression = 4

    /// The class names of the labels already in the file being appended to (the first
    /// group's `labels@class_names`, `/train` first): a later group's string labels map to
    /// the same classes.
    func existingClassNames() -> [String]? {
        guard append, FileManager.default.fileExists(atPath: destination), let f = try? H5File.open(destination),
            let groups = try? f.root.children()
        else { return nil }
        let names = groups.filter { $0.kind == .group }.map(\.name).sorted { a, _ in a == "train" }
        for g in names where g != normalizedGroup {
            if let d = try? f.root.dataset("\(g)/labels"), case .strings(let n)? = try? d.attribute("class_names") { return n }
        }
        return nil
    }

    private var normalizedGroup: String { group.split(separator: "/").joined(separator: "/") }

    /// Writes the group: `body` adds the features dataset (and anything else), then the
    /// labels follow as `labels` int64 `[N]` (with `class_names` as its attribute when
    /// given). Returns a one-line summary and the warnings about the labels.
    func write(
        features name: String, of type: String, width: Int, labels: [Int64]?, classNames: [String]? = nil,
        warnings: [String] = [], _ body: (H5Group) throws -> Void
    ) throws -> ImportReport {
        guard (0...9).contains(compression) else {
            throw InputError("--compression: expected a gzip level 0…9, got \(compression)")
        }
        guard !group.isEmpty, group != "/" else { throw InputError("--group: expected a group such as /train, got '\(group)'") }
        // Checked here so the message names the folder the user gave, not the temporary file inside it.
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw InputError("\(destination): cannot write, no such folder \(folder)")
        }
        try checkNotAFolder(destination, key: "-o", example: "out.h5")
        let exists = FileManager.default.fileExists(atPath: destination)
        if exists && !append && !force {
            let groups = (try? H5File.open(destination).root.children().filter { $0.kind == .group }.map { "/" + $0.name }) ?? []
            let holds = groups.isEmpty ? "" : " (it holds \(groups.joined(separator: ", ")))"
            throw InputError(
                "\(destination) exists\(holds); add --append to add \(slashed) to it, or --force to replace the whole file")
        }
        let existing = append && exists ? destination : nil
        var replacing = false
        if let existing {
            // Checked here so that an unreadable file is named as the user gave it, not as the temporary copy.
            if try H5File.open(existing).root.exists(group) {
                guard force else {
                    throw InputError(
                        "\(destination): group '\(group)' already exists; choose another --group, or add --force to replace "
                            + "that group (the file's other groups are kept)")
                }
                replacing = true
            }
        }
        var rows = 0
        try writeAtomically(destination, startingFrom: existing, key: "-o") { file in
            if replacing { try file.root.remove(normalizedGroup) }
            let g = try file.root.createGroup(group)
            try body(g)
            if let labels {
                let d = try g.write("labels", labels, shape: [labels.count], compression: compression)
                if let classNames { try d.setAttribute("class_names", classNames) }
            }
            rows = try g.dataset(name).shape.first ?? 0
        }
        var summary = "\(destination): wrote \(joinedPath(name)) \(type) [\(rows), \(width)]"
        var notes = warnings
        if let labels {
            let present = Set(labels.filter { $0 >= 0 })
            // Classes count from 0 to the largest label, as `run` counts them (a run refuses more than 65,536).
            let top = present.max() ?? -1
            let classes = classNames?.count ?? (top < 65_536 ? Int(top + 1) : present.count)
            summary += " and \(joinedPath("labels")) int64 [\(labels.count)] (\(classes) classes"
            summary += classNames.map { ": " + $0.joined(separator: ", ") + ")" } ?? ")"
            let empty = top < 65_536 ? (0..<classes).filter { !present.contains(Int64($0)) } : []
            if !empty.isEmpty, let low = present.min(), let high = present.max() {
                let which = empty.prefix(5).map { c in classNames.map { "'\($0[c])'" } ?? String(c) }.joined(separator: ", ")
                var note =
                    "\(joinedPath("labels")): class\(empty.count > 1 ? "es" : "") \(which)\(empty.count > 5 ? ", …" : "") "
                    + "\(empty.count > 1 ? "have" : "has") no rows"
                if classNames == nil {
                    let values = present.sorted().map(String.init)
                    note +=
                        " (labels run \(low)…\(high)); classes count from 0, so if the classes are \(values.prefix(10).joined(separator: ", "))"
                        + "\(values.count > 10 ? ", …" : ""), import with --classes \(values.joined(separator: ","))"
                }
                notes.append(note)
            }
        }
        return ImportReport(summary: summary, warnings: notes)
    }

    private var slashed: String { group.hasPrefix("/") ? group : "/" + group }

    private func joinedPath(_ name: String) -> String { slashed + "/" + name }
}
