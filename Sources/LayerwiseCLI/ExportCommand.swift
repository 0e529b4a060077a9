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

        @OptionGroup var arguments: ResultsToFile

        func run() throws { try arguments.run(KerasExport.run) }
    }
}
