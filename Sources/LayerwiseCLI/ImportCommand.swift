import Foundation
import ArgumentParser
import Layerwise

/// `layerwise import idx|csv|npy`: converts common formats into the input layout (features `[N, D]`, labels `[N]`).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert IDX, CSV or NPY files into Layerwise's HDF5 input layout.",
        discussion: """
            Each import writes one group (--group, default /train). The output file is written under a \
            temporary name and renamed when complete; on any error no output file is left. An existing output \
            file is never replaced unless asked: --append adds the group to it (import /train, then /test with \
            --append), --force replaces the whole file, and --append --force replaces that group alone.
            """,
        subcommands: [IDX.self, CSV.self, NPY.self])

    /// The output options every importer shares.
    struct Output: ParsableArguments {
        @Option(name: .shortAndLong, help: "The HDF5 file to write.")
        var output: String

        @Option(help: "Group to write into, e.g. /train or /test.")
        var group = "/train"

        @Flag(help: "Add the group to an existing output file (an existing group of that name is an error unless --force).")
        var append = false

        @Flag(help: "Replace an existing output file (with --append: replace only the group).")
        var force = false

        @Option(help: ArgumentHelp("gzip level 0…9 of the datasets written (chunked, with shuffle).", valueName: "level"))
        var compression = 4

        /// The summary on stdout, each warning on stderr.
        func show(_ report: ImportReport) {
            print(report.summary)
            for w in report.warnings { printWarning(w) }
        }
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
                out.show(
                    try IDXImporter.importIDX(
                        images: images, labels: labels, output: out.output, group: out.group,
                        append: out.append, force: out.force, perClass: perClass, compression: out.compression))
                return 0
            }
        }
    }

    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A CSV of numbers → GROUP/features float32 [N, D] (and GROUP/labels int64 [N], class names kept).")
        @Argument(help: "The CSV file (comma-separated numbers, one sample per line).") var file: String
        @Option(
            help: ArgumentHelp(
                "Column holding the labels: whole numbers (3.0 reads as 3; -1 = unlabeled) or class names (M, B, setosa, …: the distinct names become classes 0, 1, … in sorted order, kept as labels@class_names). An index counting from 0, as in error messages, or a name from the header line.",
                valueName: "index|name"))
        var labelColumn: String?
        @Option(
            help: ArgumentHelp(
                "The classes in order, comma-separated: label cells equal to the i-th become class i (names or numbers: --classes 1,2,3 makes labels 1…3 classes 0…2), kept as the class names.",
                valueName: "a,b,c"))
        var classes: String?
        @Option(
            name: .customLong("drop-column"),
            help: ArgumentHelp("A column to leave out (index from 0 in the file, or header name); repeatable.", valueName: "index|name"))
        var drop: [String] = []
        @Option(
            help: ArgumentHelp(
                "A column kept as GROUP/ids (int64, or strings), not a feature; predict copies it to its output.",
                valueName: "index|name"))
        var idColumn: String?
        @Flag(help: "The first line holds column names (numpy.savetxt with header=, pandas to_csv).") var header = false
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                let classList = try classes.map(parseClasses)
                out.show(
                    try TableImporter.importCSV(
                        file,
                        columns: .init(label: labelColumn, header: header, drop: drop, id: idColumn, classes: classList),
                        output: out.output, group: out.group, append: out.append, force: out.force,
                        compression: out.compression))
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
        @Option(
            help: ArgumentHelp(
                "The label values in class order, comma-separated: --classes 1,2,3 makes labels 1…3 classes 0…2, kept as the class names.",
                valueName: "a,b,c"))
        var classes: String?
        @OptionGroup var out: Output

        func run() throws {
            try runReportingErrors {
                out.show(
                    try TableImporter.importNPY(
                        file, labels: labels, classes: try classes.map(parseClasses), output: out.output, group: out.group,
                        append: out.append, force: out.force, compression: out.compression))
                return 0
            }
        }
    }
}

/// `--classes a,b,c`: two or more distinct, non-empty names.
func parseClasses(_ list: String) throws -> [String] {
    let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard names.count >= 2, !names.contains(""), Set(names).count == names.count else {
        throw InputError("--classes: expected two or more distinct names separated by commas, got '\(list)'")
    }
    return names
}
