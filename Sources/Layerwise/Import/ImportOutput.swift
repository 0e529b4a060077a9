import Foundation
import LayerwiseHDF5

/// Where and how an importer writes: one group of the input layout (docs/pipeline.md, "Input data") in an HDF5
/// file, written atomically (`writeAtomically`: a temporary file in the same folder,
/// renamed when complete, removed on any error).
///
/// Without `append` the output file is replaced; with it, the group is added to a
/// copy of the existing file (train first, then test) and an existing group of the
/// same name is an error rather than silently replaced.
struct ImportOutput {
    let destination: String
    let group: String
    let append: Bool
    /// gzip level (0–9) of every dataset written; chunks are about 1 MiB of rows.
    var compression = 4

    /// Writes the group: `body` adds the features dataset (and anything else), then the
    /// labels follow as `labels` int64 `[N]`. Returns a one-line summary for the user.
    func write(
        features name: String, of type: String, width: Int, labels: [Int64]?,
        _ body: (H5Group) throws -> Void
    ) throws -> String {
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
        let existing = append && FileManager.default.fileExists(atPath: destination) ? destination : nil
        if let existing {
            // Checked here so that an unreadable file is named as the user gave it, not as the temporary copy.
            if try H5File.open(existing).root.exists(group) {
                throw InputError("\(destination): group '\(group)' already exists; choose another --group or leave out --append")
            }
        }
        var rows = 0
        try writeAtomically(destination, startingFrom: existing, key: "-o") { file in
            let g = try file.root.createGroup(group)
            try body(g)
            if let labels { try g.write("labels", labels, shape: [labels.count], compression: compression) }
            rows = try g.dataset(name).shape.first ?? 0
        }
        var summary = "\(destination): wrote \(joinedPath(name)) \(type) [\(rows), \(width)]"
        if let labels {
            let classes = Set(labels.filter { $0 >= 0 }).count
            summary += " and \(joinedPath("labels")) int64 [\(labels.count)] (\(classes) classes)"
        }
        return summary
    }

    private func joinedPath(_ name: String) -> String {
        (group.hasPrefix("/") ? group : "/" + group) + "/" + name
    }
}
