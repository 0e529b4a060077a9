import ArgumentParser
import Foundation
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
            discussion:
                "Prints the Python that builds the model and loads the file on stdout (the status line goes to stderr, so `> model.py` keeps a runnable file). The input scaling is folded into the first layer; class names, when the labels had them, are printed as class_names."
        )

        @OptionGroup var arguments: ResultsToFile

        func run() throws {
            try runReportingErrors {
                let (status, python) = try KerasExport.run(results: arguments.results, output: arguments.output)
                // The status on stderr: `layerwise export keras … > model.py` keeps only the Python.
                FileHandle.standardError.write(Data((status + "\n").utf8))
                print(python)
                return 0
            }
        }
    }
}
