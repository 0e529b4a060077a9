import ArgumentParser
import Foundation
import Layerwise

/// `layerwise`: the root command. Each subcommand parses its arguments and calls
/// one library function; errors become one `error:` line and an exit code.
@main
struct LayerwiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layerwise",
        abstract: "Semi-supervised classification with stacked autoencoders.",
        version: layerwiseVersion,
        subcommands: [RunCommand.self, ValidateCommand.self, EncodeCommand.self, PredictCommand.self, ScoreCommand.self,
                      InspectCommand.self, ImportCommand.self, CompareCommand.self, ExportCommand.self, ReportCommand.self]
    )
}

/// Runs `body`, turning a thrown error into `error: …` on stderr and its exit code.
func runReportingErrors(_ body: () throws -> Int32) throws {
    let code: Int32
    do {
        code = try body()
    } catch {
        let (message, status) = exitStatus(for: error)
        // A pipeline with several problems gives one `error:` line per problem.
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        throw ExitCode(status)
    }
    if code != 0 { throw ExitCode(code) }
}
