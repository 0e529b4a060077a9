import ArgumentParser
import Layerwise

/// A results file in, one file out: the arguments of `report` and `export keras`.
struct ResultsToFile: ParsableArguments {
    @Argument(help: "A results file written by `layerwise run`.")
    var results: String

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    func run(_ body: (String, String) throws -> String) throws {
        try runReportingErrors {
            print(try body(results, output))
            return 0
        }
    }
}

/// `layerwise report RESULTS.h5 -o report.html`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page of a run: curves, confusion matrix, reconstructions, embeddings, anomaly scores.",
        discussion: "Needs nothing but the results file; the page loads nothing from the network.")

    @OptionGroup var arguments: ResultsToFile

    func run() throws { try arguments.run(HTMLReport.run) }
}
