import Foundation

/// Training progress on stdout.
///
/// Not a terminal (CI, logs, pipes): one plain line per epoch (a stage of more than 20
/// epochs: the first, every k-th and the last, see `shows`), never a carriage return.
/// A terminal: the same lines, and while an epoch runs one bar line above them that
/// redraws in place (at most ten times a second) with the stage, epoch, batch progress,
/// samples/s and the stage's ETA; an epoch's line then replaces it, so the scrollback
/// holds the same lines either way. Silent with `--quiet` / `--json`.
struct Progress {
    enum Style { case plain, bar }

    var quiet: Bool
    let style: Style
    private let write: (String) -> Void
    private let redrawInterval: Double
    private let state = BarState()

    /// `style` defaults to `.bar` when stdout is a terminal (and TERM is not "dumb").
    init(
        quiet: Bool, style: Style? = nil, redrawInterval: Double = 0.1,
        write: @escaping (String) -> Void = Progress.standardOutput
    ) {
        self.quiet = quiet
        self.style = style ?? (Progress.stdoutIsTerminal ? .bar : .plain)
        self.redrawInterval = redrawInterval
        self.write = write
    }

    static var stdoutIsTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func standardOutput(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }

    /// An epoch of `samples` rows starts (bar style only: resets the bar's clock).
    func begin(_ stage: String, _ epoch: Int, of epochs: Int, samples: Int) {
        guard !quiet, style == .bar else { return }
        state.stage = stage
        state.epoch = epoch
        state.epochs = epochs
        state.samples = max(samples, 1)
        state.started = Stopwatch.now()
        state.lastDraw = 0
        // `drawn` stays: a bar left by an epoch whose line was skipped is erased by the next line.
    }

    /// `done` samples of the current epoch are through (after each batch). Cheap: returns
    /// at once unless a bar is due for a redraw.
    func tick(_ done: Int) {
        guard !quiet, style == .bar, state.epochs > 0 else { return }
        let now = Stopwatch.seconds(since: state.started)
        guard now - state.lastDraw >= redrawInterval else { return }
        state.lastDraw = now
        state.drawn = true
        write(
            "\r\u{1B}[2K"
                + Progress.barLine(
                    stage: state.stage, epoch: state.epoch, of: state.epochs,
                    done: done, samples: state.samples, seconds: now))
    }

    /// The bar's text: `[stage] epoch 3/10 [######------]  1234/6000  5,432 samples/s  ETA 0:42`,
    /// the ETA covering the rest of this epoch and the stage's remaining epochs at the current rate.
    static func barLine(stage: String, epoch: Int, of epochs: Int, done: Int, samples: Int, seconds: Double) -> String {
        let width = 24
        let filled = min(width, done * width / max(samples, 1))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let remaining = Double(samples - done) + Double(samples) * Double(max(epochs - epoch, 0))
        let eta = rate > 0 ? clock(remaining / rate) : "?"
        return "[\(stage)] epoch \(epoch)/\(epochs) [\(bar)] \(done)/\(samples)  \(String(format: "%.0f", rate)) samples/s  ETA \(eta)"
    }

    /// m:ss or h:mm:ss.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// Stages of up to this many epochs print every epoch's line.
    static let everyEpochUpTo = 20

    /// Whether epoch `epoch` of `epochs` gets its line: all of them up to `everyEpochUpTo`
    /// epochs; in a longer stage the first, every `interval`-th and the last (about ten lines).
    static func shows(_ epoch: Int, of epochs: Int) -> Bool {
        epochs <= everyEpochUpTo || epoch == 1 || epoch == epochs || epoch % interval(epochs) == 0
    }

    /// The smallest of 1, 2, 5, 10, 20, 50, … that is at least a tenth of `epochs`.
    static func interval(_ epochs: Int) -> Int {
        var scale = 1
        while true {
            for k in [1, 2, 5] where k * scale * 10 >= epochs { return k * scale }
            scale *= 10
        }
    }

    /// The line of a finished epoch (`force`: even when `shows` would skip it, e.g. the epoch that stopped early).
    func epoch(
        _ stage: String, _ epoch: Int, of epochs: Int, values: [(String, Float)], samplesPerSecond: Double,
        force: Bool = false
    ) {
        guard !quiet else { return }
        guard force || Progress.shows(epoch, of: epochs) else { state.epochs = 0; return }
        let parts = values.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: "  ")
        let rate = String(format: "%.0f samples/s", samplesPerSecond)
        line("[\(stage)] epoch \(epoch)/\(epochs)  \(parts)  \(rate)")
        state.epochs = 0
    }

    func note(_ text: String) {
        guard !quiet else { return }
        line(text)
    }

    /// A finished line; on a terminal it first erases a bar drawn on this line.
    private func line(_ s: String) {
        if style == .bar && state.drawn {
            write("\r\u{1B}[2K" + s + "\n")
            state.drawn = false
        } else {
            write(s + "\n")
        }
    }
}

/// The bar's mutable state, shared by copies of a `Progress`.
private final class BarState {
    var stage = ""
    var epoch = 0
    var epochs = 0
    var samples = 1
    var started = Stopwatch.now()
    var lastDraw = 0.0
    var drawn = false
}
