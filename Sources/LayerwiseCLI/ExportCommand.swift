import ArgumentParser
import Layerwise

/// `layerwise export keras …`: a trained model in another tool's format.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model in another tool's format.",
        subcommands: [Keras.self])

    struct Keras: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keras",
            abstract: "Encoder + head as weights for the equivalent keras.Sequential of Dense layers.",
            discussion: "Prints the Python that builds the model and loads the file. The input scaling is folded into the first layer.")

        @Argument(help: "A results file written by `layerwise run`.")
        var results: String

        @Option(name: .shortAndLong, help: "The weights file to write, e.g. model.weights.h5.")
        var output: String

        func run() throws {
            try runReportingErrors {
                print(try KerasExport.run(results: results, output: output))
                return 0
            }
        }
    }
}
