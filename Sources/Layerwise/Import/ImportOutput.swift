import Foundation
import HDF5

/// Writes imported arrays to an HDF5 file in SPEC §1's input layout, under a temporary
/// name in the destination folder, renamed into place only when complete. With
/// `append`, the group is added to a copy of the existing file (train, then test).
struct ImportOutput {
    let destination: String
    let group: String
    let append: Bool

    func write(features: (H5Group) throws -> Void, labels: [Int64]?) throws -> String {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: destination)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        do {
            let file: H5File
            if append && fm.fileExists(atPath: destination) {
                try? fm.removeItem(atPath: temp)
                try fm.copyItem(atPath: destination, toPath: temp)
                file = try H5File.open(temp, mode: .readWrite)
                if try file.root.exists(group) {
                    throw InputError("\(destination): group '\(group)' already exists; choose another --group")
                }
            } else {
                file = try H5File.create(temp)
            }
            let g = try file.root.createGroup(group)
            try features(g)
            if let labels { try g.write("labels", labels, shape: [labels.count], compression: 4) }
            try file.flush()
            guard rename(temp, destination) == 0 else {
                throw InputError("-o \(destination): cannot write (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? fm.removeItem(atPath: temp)
            throw error
        }
        return destination
    }
}
