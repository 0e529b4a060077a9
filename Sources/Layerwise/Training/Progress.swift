import Foundation

/// Per-epoch progress: exactly one plain line per epoch (readable in CI logs, never
/// carriage-return floods); silent with `--quiet` / `--json`.
struct Progress {
    var quiet: Bool

    func epoch(_ stage: String, _ epoch: Int, of epochs: Int, values: [(String, Float)], samplesPerSecond: Double) {
        guard !quiet else { return }
        let parts = values.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: "  ")
        let rate = String(format: "%.0f samples/s", samplesPerSecond)
        line("[\(stage)] epoch \(epoch)/\(epochs)  \(parts)  \(rate)")
    }

    func note(_ text: String) {
        guard !quiet else { return }
        line(text)
    }

    private func line(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }
}
