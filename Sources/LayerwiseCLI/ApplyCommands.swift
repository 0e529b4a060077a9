import ArgumentParser
import Layerwise

/// The three ways to apply a trained model share their arguments.
struct ApplyArguments: ParsableArguments {
    @Argument(help: "A results file written by `layerwise run`.")
    var results: String

    @Argument(help: "The input dataset, INPUT.h5:/path (rows × the model's input width).")
    var input: String

    @Option(name: .shortAndLong, help: "The HDF5 file to write.")
    var output: String

    @Option(help: "Threads for BLAS (default: all cores). Results are bit-identical to run's for the same count.")
    var threads: Int?

    func run(_ kind: Apply.Kind) throws {
        try runReportingErrors {
            if let threads, threads < 1 { throw InputError("--threads: expected a positive number, got \(threads)") }
            print(try Apply.run(kind, results: results, input: input, output: output, threads: threads))
            return 0
        }
    }
}

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Bottleneck codes of new data → /codes float32 [N, d].")
    @OptionGroup var arguments: ApplyArguments
    func run() throws { try arguments.run(.encode) }
}

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Class probabilities and labels of new data → /probability [N, C], /label [N].")
    @OptionGroup var arguments: ApplyArguments
    func run() throws { try arguments.run(.predict) }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score", abstract: "Reconstruction errors of new data → /error [N] and, with an anomaly threshold, /flag [N].")
    @OptionGroup var arguments: ApplyArguments
    func run() throws { try arguments.run(.score) }
}
