import ArgumentParser
import Foundation
import Layerwise

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show an HDF5 file's groups, datasets (shape, type, chunks, filters) and attributes.")

    @Argument(help: "An HDF5 file.")
    var file: String

    func run() throws {
        try runReportingErrors {
            print(try inspect(path: file))
            return 0
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Convert IDX, CSV or NPY files into Layerwise's HDF5 input layout.",
        subcommands: [IDX.self, CSV.self, NPY.self])

    struct Output: ParsableArguments {
        @Option(name: .shortAndLong, help: "The HDF5 file to write.")
        var output: String

        @Option(help: "Group to write into, e.g. /train or /test.")
        var group = "/train"

        @Flag(help: "Add the group to an existing output file instead of replacing the file.")
        var append = false
    }

    struct IDX: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "IDX images + labels (MNIST format, plain or gzip) → GROUP/images uint8 [N, D], GROUP/labels int64 [N].")
        @Argument(help: "The images IDX file.") var images: String
        @Argument(help: "The labels IDX file.") var labels: String
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(try IDXImporter.importIDX(images: images, labels: labels, output: out.output, group: out.group, append: out.append))
                return 0
            }
        }
    }

    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A numeric CSV → GROUP/features float32 [N, D] (and GROUP/labels int64 [N]).")
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "0-based column holding integer labels.") var labelColumn: Int?
        @Flag(help: "Skip the first line.") var header = false
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(try TableImporter.importCSV(file, labelColumn: labelColumn, header: header, output: out.output,
                                                  group: out.group, append: out.append))
                return 0
            }
        }
    }

    struct NPY: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A NumPy .npy array (C order) → GROUP/features float32 [N, D] (and GROUP/labels int64 [N]).")
        @Argument(help: "The .npy file.") var file: String
        @Option(help: "A .npy file of integer labels [N].") var labels: String?
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(try TableImporter.importNPY(file, labels: labels, output: out.output, group: out.group, append: out.append))
                return 0
            }
        }
    }
}
