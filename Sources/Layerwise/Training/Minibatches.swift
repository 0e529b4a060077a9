import LayerwiseMath

/// Minibatches of training rows, an epoch at a time: held in memory (`Minibatches`) or
/// streamed from the file (`StreamedRows`). Every training stage's epoch loop reads one.
protocol BatchSource {
    /// Rows one epoch hands out.
    var epochRows: Int { get }
    /// Rows per batch; the last batch of an epoch may hold fewer.
    var batchSize: Int { get }
    var width: Int { get }
    /// Called after each batch with the rows done so far this epoch (progress bars).
    var onBatch: ((Int) -> Void)? { get set }
    /// Calls `body(rows, count, features)` for every minibatch of one epoch in an order
    /// drawn from `rng`: `rows` are the batch's row indices (for labels), the features
    /// `[count, width]`.
    mutating func epoch(_ rng: inout RandomGenerator, _ body: (ArraySlice<Int>, Int, UnsafeBufferPointer<Float>) -> Void) throws
}

/// Shuffled minibatches over a set of rows: gathers each batch's rows into one
/// reusable buffer so the engine reads a contiguous `[batch, width]` block.
struct Minibatches: BatchSource {
    let source: Matrix
    let rows: [Int]
    let batchSize: Int
    /// `[batchSize, source.cols]`, reused by every batch.
    var buffer: [Float]
    /// Called after each batch with the rows done so far this epoch (progress bars).
    var onBatch: ((Int) -> Void)? = nil

    init(source: Matrix, rows: [Int], batchSize: Int) {
        self.source = source
        self.rows = rows
        self.batchSize = min(batchSize, max(rows.count, 1))
        buffer = [Float](repeating: 0, count: self.batchSize * source.cols)
    }

    var epochRows: Int { rows.count }
    var width: Int { source.cols }

    /// Every row of `source`.
    init(source: Matrix, batchSize: Int) {
        self.init(source: source, rows: Array(0..<source.rows), batchSize: batchSize)
    }

    /// Calls `body(batchRows, count, features)` for every minibatch of one epoch in an order
    /// drawn from `rng`. `batchRows` are the row indices in this batch (for labels); the
    /// features are `[count, width]` in `buffer`.
    mutating func epoch(_ rng: inout RandomGenerator, _ body: (ArraySlice<Int>, Int, UnsafeBufferPointer<Float>) -> Void) {
        var order = rows
        rng.shuffle(&order)
        let width = source.cols
        var start = 0
        while start < order.count {
            let end = min(start + batchSize, order.count)
            let slice = order[start..<end]
            buffer.withUnsafeMutableBufferPointer { dst in
                source.storage.withUnsafeBufferPointer { src in
                    for (k, r) in slice.enumerated() {
                        (dst.baseAddress! + k * width).update(from: src.baseAddress! + r * width, count: width)
                    }
                }
            }
            let count = end - start
            buffer.withUnsafeBufferPointer { body(slice, count, UnsafeBufferPointer(rebasing: $0[0..<(count * width)])) }
            onBatch?(end)
            start = end
        }
    }
}

/// The rows `indices` of `m` as a new matrix.
func gather(_ m: Matrix, _ indices: [Int]) -> Matrix {
    var out = [Float](repeating: 0, count: indices.count * m.cols)
    let w = m.cols
    out.withUnsafeMutableBufferPointer { dst in
        m.storage.withUnsafeBufferPointer { src in
            for (k, r) in indices.enumerated() {
                (dst.baseAddress! + k * w).update(from: src.baseAddress! + r * w, count: w)
            }
        }
    }
    return Matrix(rows: indices.count, cols: w, storage: out)
}

/// Labeled rows handed out `batch` at a time, in an order reshuffled each time every row
/// has been used: the labeled half of the stages that pair each unlabeled batch with a
/// labeled one (the ladder, `fine_tune.vat`). `fill` gathers the next batch's features
/// into `x` and its row indices into `picked`; nothing is allocated after init.
struct LabeledCycle {
    let batch: Int
    private var order: [Int]
    private var next: Int
    private var rng: RandomGenerator
    /// The last batch's features `[batch, width]`.
    private(set) var x: [Float]
    /// The last batch's rows.
    private(set) var picked: [Int]

    /// `batch` rows at a time of `rows` (`batch ≤ rows.count`); the first order is drawn at the first `fill`.
    init(rows: [Int], batch: Int, width: Int, rng: RandomGenerator) {
        self.batch = batch
        order = rows
        next = rows.count
        self.rng = rng
        x = [Float](repeating: 0, count: batch * width)
        picked = [Int](repeating: 0, count: batch)
    }

    mutating func fill(from source: Matrix) {
        let width = source.cols
        for k in 0..<batch {
            if next == order.count { rng.shuffle(&order); next = 0 }
            let r = order[next]
            next += 1
            picked[k] = r
            for j in 0..<width { x[k * width + j] = source.storage[r * width + j] }
        }
    }
}
