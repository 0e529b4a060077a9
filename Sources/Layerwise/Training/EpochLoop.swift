import Foundation
import LayerwiseMath
import LayerwiseNN

/// A run whose loss became NaN or infinite (exit code 3).
public struct DivergedError: UserFacingError {
    /// The stage that diverged, e.g. `pretrain layer_0`.
    public var stage: String
    /// The epoch in which it diverged, from 1.
    public var epoch: Int
    /// 3: a diverged run.
    public var exitCode: Int32 { 3 }
    /// The stage and epoch, with what to try.
    public var description: String {
        "\(stage): the loss became NaN/Inf in epoch \(epoch); lower the learning rate or check the data scale"
    }
}

/// The epoch loop every trainer runs: shuffled minibatches, one step per batch, the
/// epoch's mean loss (a NaN/Inf one stops the run with exit code 3), values measured
/// after the epoch (validation metrics, free energy, …), the progress line, and an
/// optional early stop.
struct EpochLoop {
    /// Progress label, e.g. `pretrain layer 1/3`.
    let label: String
    /// Name in a divergence error, e.g. `pretrain layer_0`.
    let stage: String
    let epochs: Int
    let progress: Progress
    /// Data-parallel: sums the epoch's loss and early stops over the processes (nil: this one alone).
    var reducer: GradientReducer? = nil

    /// What `afterEpoch` reports: named values to print and record, and a reason to stop early.
    struct EpochEnd {
        var values: [(String, Float)] = []
        var stop: String? = nil
    }

    struct Result {
        /// Mean training loss per epoch.
        var losses: [Float] = []
        /// The values `afterEpoch` reported, by name, one per epoch.
        var monitored: [(name: String, values: [Float])] = []
        var seconds = 0.0
        /// Rows processed over all epochs.
        var samples = 0

        /// `prefix/loss` and `prefix/<name>` of every monitored value.
        func curves(_ prefix: String) -> [Curve] {
            [(path: "\(prefix)/loss", values: losses)] + monitored.map { (path: "\(prefix)/\($0.name)", values: $0.values) }
        }

        func timing(_ stage: String) -> StageTiming { StageTiming(stage: stage, seconds: seconds, samples: samples) }
    }

    /// Runs the epochs. `step(rows, count, features)` trains on one minibatch and returns
    /// its mean loss; `beforeEpoch(e)` and `afterEpoch(e)` run around epoch e (1-based).
    func run<Batches: BatchSource>(
        _ batches: inout Batches, shuffle: inout RandomGenerator,
        beforeEpoch: (Int) -> Void = { _ in },
        afterEpoch: (Int) throws -> EpochEnd = { _ in EpochEnd() },
        step: (ArraySlice<Int>, Int, UnsafeBufferPointer<Float>) -> Float
    ) throws -> Result {
        var result = Result()
        let start = Stopwatch.now()
        batches.onBatch = progress.tick
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            beforeEpoch(epoch)
            progress.begin(label, epoch, of: epochs, samples: batches.epochRows)
            let t0 = Stopwatch.now()
            var sum = 0.0, n = 0
            try batches.epoch(&shuffle) { rows, count, batch in
                sum += Double(step(rows, count, batch)) * Double(count)
                n += count
            }
            // Data-parallel: the loss over every process's rows (a NaN on any one stops them all).
            var totals = [sum, Double(n)]
            reducer?.sum(&totals)
            let mean = Float(totals[0] / max(totals[1], 1))
            guard mean.isFinite else { throw DivergedError(stage: stage, epoch: epoch) }
            result.losses.append(mean)
            result.samples += Int(totals[1])  // every process's rows
            let rate = totals[1] / Stopwatch.seconds(since: t0)
            var end = try afterEpoch(epoch)
            if let reducer {
                // Every process stops together (one that stops alone would leave the others waiting).
                var stops = [end.stop == nil ? 0.0 : 1.0]
                reducer.sum(&stops)
                if stops[0] > 0 && end.stop == nil { end.stop = "stopped early with the other ranks after epoch \(epoch)" }
            }
            for (k, v) in end.values.enumerated() {
                guard v.1.isFinite else { throw DivergedError(stage: stage, epoch: epoch) }
                if k < result.monitored.count { result.monitored[k].values.append(v.1) } else { result.monitored.append((v.0, [v.1])) }
            }
            progress.epoch(
                label, epoch, of: epochs, values: [("loss", mean)] + end.values, samplesPerSecond: rate,
                force: end.stop != nil)
            if let reason = end.stop {
                progress.note("[\(label)] \(reason)")
                break
            }
        }
        result.seconds = Stopwatch.seconds(since: start)
        return result
    }
}

/// Monotonic wall-clock time for stage timings and samples/s.
enum Stopwatch {
    static func now() -> DispatchTime { DispatchTime.now() }
    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t0 = now()
        let value = try body()
        return (value, seconds(since: t0))
    }
}
