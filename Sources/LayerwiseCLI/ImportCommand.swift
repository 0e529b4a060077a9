import ArgumentParser
import Layerwise

/// `layerwise import idx|csv|npy`: converts common formats into the input layout (features `[N, D]`, labels `[N]`).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert IDX, CSV or NPY files into Layerwise's HDF5 input layout.",
        discussion: """
            Each import writes one group (--group, default /train). The output file is written under a \
            temporary name and renamed when complete; on any error no output file is left. Without --append \
            an existing output file is replaced; with --append the group is added to it (import /train, then \
            /test with --append).
            """,
        subcommands: [IDX.self, CSV.self, NPY.self])

    /// The output options every importer shares.
    struct Output: ParsableArguments {
        @Option(name: .shortAndLong, help: "The HDF5 file to write.")
        var output: String

        @Option(help: "Group to write into, e.g. /train or /test.")
        var group = "/train"

        @Flag(help: "Add the group to an existing output file instead of replacing the file.")
        var append = false

        @Option(help: ArgumentHelp("gzip level 0…9 of the datasets written (chunked, with shuffle).", valueName: "level"))
        var compression = 4
    }

    struct IDX: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "IDX images + labels (MNIST format, plain or gzip) → GROUP/images uint8 [N, D], GROUP/labels int64 [N].")
        @Argument(help: "The images IDX file ([N, rows, cols] uint8).") var images: String
        @Argument(help: "The labels IDX file ([N] uint8).") var labels: String
        @Option(
            help: ArgumentHelp("Keep only the first N samples of each class, in file order (rows → GROUP/source_index).", valueName: "N"))
        var perClass: Int?
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(
                    try IDXImporter.importIDX(
                        images: images, labels: labels, output: out.output, group: out.group,
                        append: out.append, perClass: perClass, compression: out.compression))
                return 0
            }
        }
    }

    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A numeric CSV → GROUP/features float32 [N, D] (and GROUP/labels int64 [N]).")
        @Argument(help: "The CSV file (comma-separated numbers, one sample per line).") var file: String
        @Option(
            help: ArgumentHelp(
                "Column holding the labels (whole numbers; 3.0 reads as 3; -1 = unlabeled): an index counting from 0, as in error messages, or a name from the header line.",
                valueName: "index|name"))
        var labelColumn: String?
        @Flag(help: "The first line holds column names (numpy.savetxt with header=, pandas to_csv).") var header = false
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(
                    try TableImporter.importCSV(
                        file, labelColumn: labelColumn, header: header, output: out.output,
                        group: out.group, append: out.append, compression: out.compression))
                return 0
            }
        }
    }

    struct NPY: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A NumPy .npy array (C order) → GROUP/features [N, D] (uint8 stays uint8, other types become float32) and GROUP/labels int64 [N]."
        )
        @Argument(help: "The .npy file (little-endian uint8, int or float; C order).") var file: String
        @Option(help: "A .npy file of labels [N]: integers, or floats holding whole numbers (3.0 reads as 3).") var labels: String?
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                print(
                    try TableImporter.importNPY(
                        file, labels: labels, output: out.output, group: out.group,
                        append: out.append, compression: out.compression))
                return 0
            }
        }
    }
}
