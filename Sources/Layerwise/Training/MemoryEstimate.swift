import Foundation

/// What a run will hold in memory at its peak, estimated from the pipeline and the
/// datasets' shapes before anything is read or allocated: a layer of 10^11 units is
/// refused with the key to change instead of ending in an allocation failure.
///
/// Counted in float32 (4 bytes), generously, each part where it peaks:
/// - the data: the scaled training and test features (and the normal rows' copy with
///   `anomaly.normal_classes`), plus the codes of every training row at the widest layer,
///   twice (a layer's input codes and its output while encoding);
/// - the network that trains: for each stage (one greedy layer with its decoder, the
///   unrolled autoencoder, the head, encoder + head for fine-tuning) its parameters four
///   times (weights, gradients, two Adam moments) and its activations at the stage's batch
///   size four times (outputs, pre-activations, gradients, noise or dropout masks); the
///   largest stage counts; the ladder (MemoryEstimate+Ladder.swift) as its network allocates;
/// - the trained layers kept beside it (encoder, decoder, the pretrained encoder, head).
struct MemoryEstimate {
    struct Part {
        /// The pipeline key that sizes this part most, named when the run is refused.
        var key: String
        var what: String
        var bytes: Double
    }

    var parts: [Part] = []
    var total: Double { parts.reduce(0) { $0 + $1.bytes } }

    static let bytesPerValue = 4.0

    static func of(_ cfg: PipelineConfig, trainRows: Int, testRows: Int, width: Int, ranks: Int = 1) -> MemoryEstimate {
        let f = bytesPerValue
        // Streamed, only two windows of rows are in memory; in an MPI job, this rank's share.
        let streamed = cfg.data.streams(rows: trainRows, width: width)
        let held =
            streamed
            ? Double(min(trainRows, 2 * StreamedRows.windowBytes / max(width * 4, 1)))
            : Double(trainRows) / Double(ranks)
        let (n, t, d) = (held, Double(testRows), Double(width))
        let layers = (cfg.pretrain?.layers ?? []).map(Double.init)
        let hidden = (cfg.classifier?.hidden ?? []).map(Double.init)
        let classes = 2.0  // unknown before the labels are read; the output layer is small beside the rest
        var e = MemoryEstimate()

        let copies = cfg.anomaly?.normalClasses != nil ? 2.0 : 1.0
        e.parts.append(Part(key: "data.train", what: "the scaled data", bytes: f * (n * d * copies + t * d)))
        if let widest = layers.max() {
            e.parts.append(Part(key: "pretrain.layers", what: "codes of every training row", bytes: f * 2 * n * widest))
        }

        // Dense layers from `widths[i]` to `widths[i+1]`: parameter count.
        func params(_ widths: [Double]) -> Double {
            zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        }
        func stage(_ key: String, _ widths: [Double], batch: Int, batchKey: String) -> [Part] {
            // A batch never holds more rows than there are (`bufferRows`).
            let b = Double(bufferRows(batch, Int(n)))
            return [
                Part(key: key, what: "weights, gradients and optimizer state", bytes: f * 4 * params(widths)),
                Part(key: batchKey, what: "activations at batch \(batch)", bytes: f * 4 * b * widths.reduce(0, +))
            ]
        }
        let encoderWidths = [d] + layers
        var stages: [[Part]] = []
        if let p = cfg.pretrain {
            for (k, out) in layers.enumerated() {
                let input = encoderWidths[k]
                stages.append(stage("pretrain.layers", [input, out, input], batch: p.batchSize, batchKey: "pretrain.batch_size"))
            }
            let unrolled = encoderWidths + encoderWidths.reversed().dropFirst()
            if case .vae = p.model {
                stages.append(stage("pretrain.layers", unrolled, batch: p.batchSize, batchKey: "pretrain.batch_size"))
            }
            if let e2e = p.endToEnd {
                // end_to_end.batch_size defaults to pretrain.batch_size: name the key that set it.
                let key = e2e.batchSize == p.batchSize ? "pretrain.batch_size" : "pretrain.end_to_end.batch_size"
                stages.append(stage("pretrain.layers", unrolled, batch: e2e.batchSize, batchKey: key))
            }
        }
        if let c = cfg.classifier {
            let input = layers.last ?? d
            stages.append(stage("classifier.hidden", [input] + hidden + [classes], batch: c.batchSize, batchKey: "classifier.batch_size"))
            if let ft = cfg.fineTune, cfg.pretrain != nil {
                stages.append(
                    stage(
                        "pretrain.layers", encoderWidths + hidden + [classes], batch: ft.batchSize,
                        batchKey: "fine_tune.batch_size"))
            }
        }
        if cfg.classifier == nil, let l = cfg.ladder {
            let sized = l.sized(inputs: width, rows: trainRows).0
            stages.append(ladderStage(sized, inputs: d, classes: classes, rows: trainRows, ranks: ranks))
        }
        if let peak = stages.max(by: { $0.reduce(0) { $0 + $1.bytes } < $1.reduce(0) { $0 + $1.bytes } }) {
            e.parts += peak
        }
        let kept = 3 * params(encoderWidths) + params([layers.last ?? d] + hidden + [classes])
        e.parts.append(Part(key: layers.isEmpty ? "classifier.hidden" : "pretrain.layers", what: "the trained layers", bytes: f * kept))
        return e
    }

    /// The key whose parts weigh most together.
    var heaviestKey: String? {
        Dictionary(parts.map { ($0.key, $0.bytes) }, uniquingKeysWith: +).max { $0.value < $1.value }?.key
    }

    /// Memory this process may use: physical memory, or a smaller cgroup (container) limit.
    static var available: (bytes: Double, what: String) {
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit < physical
            {
                return (limit, "the memory limit of this container")
            }
        }
        return (physical, "the physical memory of this machine")
    }

    /// `1.6 TB`.
    static func short(_ bytes: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        var v = bytes, i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(Int(v)) bytes" : String(format: "%.1f %@", v, units[i])
    }

    /// `1,600,000,000,000` (from 10^18 on: `1.600e+21`).
    static func exact(_ bytes: Double) -> String {
        guard bytes < 1e18 else { return String(format: "%.3e", bytes) }
        var digits = Array(String(UInt64(bytes.rounded())))
        var grouped = ""
        while digits.count > 3 { grouped = "," + String(digits.suffix(3)) + grouped; digits.removeLast(3) }
        return String(digits) + grouped
    }
}

/// A run that would need more memory than the machine has (exit code 2).
public struct MemoryError: UserFacingError {
    /// The memory needed and available, and the key to make smaller.
    public var description: String
}

extension MemoryEstimate {
    /// Throws `MemoryError` when the estimate exceeds what is available, naming the key
    /// whose parts weigh most (at its line), the bytes the run needs and the bytes available.
    func check(_ pipeline: Pipeline, available: (bytes: Double, what: String) = MemoryEstimate.available) throws {
        guard total > available.bytes, let key = heaviestKey else { return }
        let breakdown = parts.filter { $0.bytes >= total / 1000 }.sorted { $0.bytes > $1.bytes }
            .map { "\($0.what) \(MemoryEstimate.short($0.bytes))" }
            .joined(separator: ", ")
        throw MemoryError(
            description: "\(pipeline.origin(key)): the run would need about \(MemoryEstimate.short(total)) of memory "
                + "(\(MemoryEstimate.exact(total)) bytes: \(breakdown)); \(available.what) is "
                + "\(MemoryEstimate.short(available.bytes)) (\(MemoryEstimate.exact(available.bytes)) bytes). Make \(key) smaller")
    }
}
