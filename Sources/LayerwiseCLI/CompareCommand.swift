import ArgumentParser
import Layerwise

/// `layerwise compare A.h5 B.h5 …`: metrics of several runs side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Metrics, final curve values and timings of results files side by side.",
        discussion: "One row per quantity, one column per file; \"—\" where a run lacks it.")

    @Argument(help: "Results files written by `layerwise run`.")
    var results: [String]

    @Flag(help: "Print a Markdown table (for a CI job summary).")
    var markdown = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try runReportingErrors {
            if markdown && json { throw InputError("compare: --markdown and --json exclude each other") }
            let c = try Comparison(paths: results)
            print(json ? c.json : markdown ? c.markdown : c.table)
            return 0
        }
    }
}
