import Foundation
import HDF5

/// Writes imported arrays to an HDF5 file in SPEC §1's input layout, atomically
/// (`writeAtomically`). With `append`, the group is added to a copy of the existing
/// file (train, then test).
struct ImportOutput {
    let destination: String
    let group: String
    let append: Bool

    func write(features: (H5Group) throws -> Void, labels: [Int64]?) throws -> String {
        let existing = append && FileManager.default.fileExists(atPath: destination) ? destination : nil
        try writeAtomically(destination, startingFrom: existing, key: "-o") { file in
            if existing != nil, try file.root.exists(group) {
                throw InputError("\(destination): group '\(group)' already exists; choose another --group")
            }
            let g = try file.root.createGroup(group)
            try features(g)
            if let labels { try g.write("labels", labels, shape: [labels.count], compression: 4) }
        }
        return destination
    }
}
