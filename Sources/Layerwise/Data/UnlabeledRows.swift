import LayerwiseMath
import LayerwiseNN

/// The rows the autoencoder side of a run learns from (pretraining, end-to-end training,
/// a ladder's unlabeled batches, anomaly scores of the training rows): every training
/// row, or with `anomaly.normal_classes` the normal ones; held in memory or streamed from
/// the file; in an MPI job, this rank's share.
///
/// A stage asks it for the batches of one layer (`batches`): with `ranks` processes, each
/// takes `⌈batch_size / ranks⌉` rows per step, and every rank's epoch holds as many rows
/// (`epochRows`, the largest share, a smaller one repeating its first rows), so every
/// rank makes the same steps.
struct UnlabeledRows {
    /// Where a streamed source reads.
    struct Stream {
        var ref: DatasetRef
        var path: String
        var segments: [Range<Int>]
        var scaler: Scaler
        var keep: ((Int) -> Bool)?
        /// Rows `segments` and `keep` select.
        var rows: Int
        /// Rows in the file (every rank's).
        var fileRows: Int
    }

    /// The rows, when held in memory.
    private(set) var matrix: Matrix?
    /// Where the rows are in the file (nil: one process holding every row in memory).
    private(set) var stream: Stream?
    /// Rows the autoencoder learns from over all ranks.
    let totalRows: Int
    /// Rows this process holds (or streams).
    let localRows: Int
    /// Rows one epoch of this process hands out (≥ `localRows` when padded).
    private(set) var epochRows: Int
    let ranks: Int

    init(memory: Matrix, file: Stream? = nil, totalRows: Int, cluster: Cluster) {
        matrix = memory
        stream = file
        self.totalRows = totalRows
        localRows = memory.rows
        epochRows = memory.rows
        ranks = cluster.size
    }

    init(stream: Stream, totalRows: Int, cluster: Cluster) {
        self.stream = stream
        self.totalRows = totalRows
        localRows = stream.rows
        epochRows = stream.rows
        ranks = cluster.size
    }

    var isStreamed: Bool { matrix == nil }

    /// Every rank's epoch as long as the largest share.
    func padded(_ cluster: Cluster) -> UnlabeledRows {
        var p = self
        p.epochRows = cluster.maximum(localRows)
        return p
    }

    /// This process's rows per step for a pipeline's `batch_size`.
    func localBatch(_ batchSize: Int) -> Int { batchSize / ranks + (batchSize % ranks == 0 ? 0 : 1) }

    /// The batches of `codes` (this process's rows held in memory, or their codes from the
    /// layers trained so far): shuffled every epoch, padded as `epochRows` says.
    func minibatches(_ codes: Matrix, batchSize: Int) -> Minibatches {
        var rows = Array(0..<codes.rows)
        if epochRows > codes.rows && codes.rows > 0 {
            rows += (0..<(epochRows - codes.rows)).map { $0 % codes.rows }
        }
        return Minibatches(source: codes, rows: rows, batchSize: localBatch(batchSize))
    }

    /// The batches of one training stage: the rows in memory, or read from the file, passed
    /// through `encoder` (the layers trained so far) when it is not empty.
    func batches(_ batchSize: Int, through encoder: [DenseLayer] = []) throws -> any BatchSource {
        if let matrix {
            let codes = encoder.isEmpty ? matrix : InferenceNetwork(encoder).predict(matrix)
            return minibatches(codes, batchSize: batchSize)
        }
        guard let s = stream else { preconditionFailure("UnlabeledRows holds neither a matrix nor a stream") }
        let rows = try StreamedRows(
            s.ref, path: s.path, segments: s.segments, scaler: s.scaler,
            batchSize: localBatch(batchSize), keep: s.keep, keptRows: s.rows, epochRows: epochRows)
        return encoder.isEmpty ? rows : EncodedBatches(inner: rows, encoder: InferenceNetwork(encoder, maxBatch: rows.batchSize))
    }

    /// Up to `count` evenly spaced rows of the whole training set (every rank's), scaled:
    /// the same rows on every rank (an RBM's monitor set and visible-bias statistics
    /// when the rows are streamed or shared out).
    func sample(_ count: Int) throws -> Matrix {
        guard let s = stream else {
            let m = matrix ?? Matrix(rows: 0, cols: 0)
            let rows = Swift.stride(from: 0, to: m.rows, by: max(1, m.rows / count)).prefix(count).map { $0 }
            return gather(m, rows)
        }
        let step = max(1, totalRows / count)
        var picked: [Int] = [], seen = 0
        for row in 0..<s.fileRows where s.keep?(row) ?? true {
            if seen % step == 0 { picked.append(row) }
            seen += 1
            if picked.count == count { break }
        }
        let reader = try FeatureReader(s.ref, resolvedPath: s.path)
        var x: [Float] = []
        x.reserveCapacity(picked.count * reader.width)
        for row in picked { x += try reader.readFeatures(row..<(row + 1)) }
        s.scaler.apply(&x, width: reader.width)
        return Matrix(rows: picked.count, cols: reader.width, storage: x)
    }

    /// Calls `body` with every row the autoencoder learns from (every rank's), in file
    /// order, up to `chunk` rows at a time (`[rows, width]`): the training rows' anomaly scores.
    func forEachChunk(_ chunk: Int, _ body: (Matrix) throws -> Void) throws {
        if let matrix, ranks == 1 {
            try body(matrix)
            return
        }
        guard let s = stream else { return }
        let reader = try FeatureReader(s.ref, resolvedPath: s.path)
        for segment in [0..<s.fileRows] {
            for start in Swift.stride(from: segment.lowerBound, to: segment.upperBound, by: chunk) {
                let range = start..<min(start + chunk, segment.upperBound)
                var m = Matrix(rows: range.count, cols: reader.width, storage: try reader.readFeatures(range))
                if let keep = s.keep { m = gather(m, range.indices.filter { keep(range.lowerBound + $0) }) }
                s.scaler.apply(&m.storage, width: reader.width)
                if m.rows > 0 { try body(m) }
            }
        }
    }
}

/// Batches of another source passed through the layers trained so far: what greedy layer
/// k learns from when the rows are streamed (in memory, their codes are computed once).
struct EncodedBatches: BatchSource {
    var inner: StreamedRows
    let encoder: InferenceNetwork
    var epochRows: Int { inner.epochRows }
    var batchSize: Int { inner.batchSize }
    var width: Int { encoder.outputs }
    var onBatch: ((Int) -> Void)? {
        get { inner.onBatch }
        set { inner.onBatch = newValue }
    }

    mutating func epoch(_ rng: inout RandomGenerator, _ body: (ArraySlice<Int>, Int, UnsafeBufferPointer<Float>) -> Void) throws {
        let encoder = self.encoder, width = self.width
        try inner.epoch(&rng) { rows, n, x in
            guard let input = x.baseAddress else { return }
            body(rows, n, UnsafeBufferPointer(start: encoder.forward(input, rows: n), count: n * width))
        }
    }
}
