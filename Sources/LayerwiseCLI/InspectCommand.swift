import ArgumentParser
import Layerwise

/// `layerwise inspect FILE.h5`: the file's tree, for a quick look at any HDF5 file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an HDF5 file's groups, datasets (shape, type, chunks, filters) and attributes.",
        discussion: "Works on any HDF5 file: inputs, results files, files written by h5py or MATLAB.")

    @Argument(help: "An HDF5 file.")
    var file: String

    func run() throws {
        try runReportingErrors {
            print(try inspect(path: file))
            return 0
        }
    }
}
