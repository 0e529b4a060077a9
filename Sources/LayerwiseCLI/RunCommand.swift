import ArgumentParser
import Foundation
import Layerwise
import LayerwiseMPI

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: pretrain, train the head, fine-tune, evaluate, write results.",
        discussion: "Exit codes: 0 success, 1 a missed evaluate.expect gate, 2 bad pipeline or data, 3 a diverged run.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a key, e.g. --set pretrain.epochs=1 (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Threads for BLAS and kernels (default: all cores).")
    var threads: Int?

    @Flag(help: "Print only the summary.")
    var quiet = false

    @Flag(help: "Print one JSON object with metrics, paths and timings instead of the summary table.")
    var json = false

    @Flag(help: "Reuse the stages an interrupted run finished (pretraining, classifier head) when their settings are unchanged.")
    var resume = false

    func run() throws {
        try runReportingErrors {
            if let threads, threads < 1 { throw InputError("--threads: expected a positive number, got \(threads)") }
            let options = RunOptions(
                overrides: overrides, threads: threads, quiet: quiet || json, json: json, resume: resume,
                cluster: MPIProcesses.current)
            // What an interrupted run prints to be continued: the same pipeline, overrides and threads.
            // (In an MPI job, the same number of ranks: a checkpoint holds for the rank count it was made with.)
            Interruption.setResumeCommand(
                Interruption.commandLine(
                    (MPIProcesses.current.size > 1 ? ["mpirun", "-np", String(MPIProcesses.current.size)] : []) + [
                        "layerwise", "run", pipeline
                    ] + overrides.flatMap { ["--set", $0] }
                        + (threads.map { ["--threads", String($0)] } ?? []) + ["--resume"]))
            let (reports, sweep) = try Runner.runAll(pipelineFile: pipeline, options: options)
            // In an MPI job: every rank waits for rank 0's results file; the other ranks print nothing.
            defer { MPIProcesses.current.finish() }
            guard MPIProcesses.current.isLeader else { return 0 }
            if let sweep {
                if json {
                    print(sweep.json)
                } else {
                    if !quiet { print(reports.map(\.summary).joined(separator: "\n\n") + "\n") }
                    print(sweep.table)
                }
            } else if let report = reports.first {
                print(json ? report.json : report.summary)
            }
            for r in reports {
                for failure in r.expectationFailures {
                    let prefix = r.assignment.isEmpty ? "" : "[\(r.assignment.joined(separator: " "))] "
                    FileHandle.standardError.write(Data("error: evaluate.expect: \(prefix)\(failure)\n".utf8))
                }
            }
            return reports.map(\.exitCode).max() ?? 0
        }
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline file and every dataset it names, without training.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    func run() throws {
        try runReportingErrors {
            print(try Runner.validate(pipelineFile: pipeline, overrides: overrides))
            return 0
        }
    }
}
