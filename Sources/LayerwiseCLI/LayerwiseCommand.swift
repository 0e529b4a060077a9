import ArgumentParser
import Foundation
import Layerwise
import LayerwiseMPI

/// `layerwise`: the root command. Each subcommand parses its arguments and calls
/// one library function; errors become one `error:` line and an exit code.
@main
struct LayerwiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layerwise",
        abstract: "Semi-supervised classification with stacked autoencoders.",
        version: layerwiseVersion,
        subcommands: [
            RunCommand.self, ValidateCommand.self, EncodeCommand.self, PredictCommand.self, ScoreCommand.self,
            InspectCommand.self, ImportCommand.self, CompareCommand.self, ExportCommand.self, ReportCommand.self
        ]
    )

    /// As ArgumentParser's, except that a usage error (an unknown option, a missing
    /// argument, a bad value) exits with 2 like every other input error, not sysexits' 64.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let usage = fullMessage(for: error).split(separator: "\n").dropFirst().joined(separator: "\n")
            FileHandle.standardError.write(Data("error: \(message(for: error))\n\(usage)\n".utf8))
            Foundation.exit(2)
        }
        // SIGINT / SIGTERM: temporary files removed, one `error:` line, exit 130 / 143.
        Interruption.install()
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Runs `body`, turning a thrown error into `error: …` on stderr and its exit code.
func runReportingErrors(_ body: () throws -> Int32) throws {
    let code: Int32
    do {
        code = try body()
    } catch {
        let (message, status) = exitStatus(for: error)
        // A pipeline with several problems gives one `error:` line per problem. In an MPI job
        // rank 0 alone prints, and the whole job ends.
        MPIProcesses.current.reportError(message, status: status)
        throw ExitCode(status)
    }
    if code != 0 { throw ExitCode(code) }
}

/// `warning: …` on stderr, apart from the output a user may redirect.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
}
