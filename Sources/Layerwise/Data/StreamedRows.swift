import Dispatch
import Foundation
import LayerwiseHDF5
import LayerwiseMath

/// Training rows read from the HDF5 file every epoch instead of held in memory
/// (`data.in_memory: false`), so the autoencoder side can learn from more rows than fit.
///
/// An epoch reads the file in blocks of whole chunks (`blockRows`), in an order drawn
/// from the shuffle stream; `windowBlocks` consecutive blocks of that order form a
/// window, and the batches are drawn from a window's rows in a shuffled order (rows left
/// over at a window's end, fewer than a batch, start the next window's first batch). While one window
/// trains, a background thread reads, checks and scales the next, so the file costs
/// little time when it is in the page cache. Memory: two windows, whatever the file's size.
///
/// Compared with rows held in memory, the shuffle is bounded: two rows of a batch come
/// from the same window (`windowRows` rows), not from anywhere in the file. The same seed
/// gives the same batches.
final class StreamedRows: BatchSource, @unchecked Sendable {
    let ref: DatasetRef
    let width: Int
    let batchSize: Int
    /// Rows one epoch hands out: the rows of `segments` that `keep` accepts, or more when
    /// the epoch is padded (every rank of an MPI job makes the same number of steps).
    let epochRows: Int
    var onBatch: ((Int) -> Void)? = nil

    private let dataset: H5Dataset
    private let scaler: Scaler
    /// The file's blocks this source reads, each within one chunk-aligned block.
    private let blocks: [Range<Int>]
    private let windowBlocks: Int
    /// Rows a window buffer holds past the carried rows.
    private let windowCapacity: Int
    /// With `anomaly.normal_classes`: the rows to keep, by file row.
    private let keep: ((Int) -> Bool)?

    private let buffers: [Window]
    private var batch: [Float]
    /// uint8 rows are read as bytes and converted here with the scaling (HDF5's own
    /// conversion to float is several times slower); nil for other element types.
    private let bytes: UnsafeMutablePointer<UInt8>?
    private let reader = DispatchQueue(label: "layerwise.streamed-rows")

    /// Rows read at once by default: whole chunks, at least this many bytes of floats per window.
    static let windowBytes = 32 << 20

    /// - Parameters:
    ///   - segments: the file rows to read (all of them, or an MPI rank's share).
    ///   - epochRows: rows per epoch; nil = the rows `segments` and `keep` select.
    init(
        _ ref: DatasetRef, path: String, segments: [Range<Int>], scaler: Scaler, batchSize: Int,
        keep: ((Int) -> Bool)? = nil, keptRows: Int? = nil, epochRows: Int? = nil,
        windowBytes: Int = StreamedRows.windowBytes
    ) throws {
        let reader = try FeatureReader(ref, resolvedPath: path)
        try reader.checkFeatures()
        self.ref = ref
        guard let dataset = reader.dataset else {
            throw InputError("\(ref.named): rows held in memory are not streamed; set data.in_memory: true")
        }
        self.dataset = dataset
        width = reader.width
        self.scaler = scaler
        self.keep = keep
        let selected = keptRows ?? segments.reduce(0) { $0 + $1.count }
        self.epochRows = epochRows ?? selected
        self.batchSize = max(1, min(batchSize, max(self.epochRows, 1)))
        let rowBytes = max(width * MemoryLayout<Float>.size, 1)
        let chunk = dataset.chunkShape?.first ?? 0
        // Whole chunks per block, at least 256 KiB of floats where a window holds several such
        // blocks (a contiguous dataset reads 1 MiB blocks).
        let blockBytes = min(256 << 10, windowBytes / 2)
        let blockRows = chunk > 0 ? chunk * max(1, blockBytes / max(chunk * rowBytes, 1)) : max(1, min(1 << 20, windowBytes / 2) / rowBytes)
        var blocks: [Range<Int>] = []
        for s in segments where !s.isEmpty {
            var start = s.lowerBound
            while start < s.upperBound {
                let end = min((start / blockRows + 1) * blockRows, s.upperBound)
                blocks.append(start..<end)
                start = end
            }
        }
        self.blocks = blocks
        let largest = blocks.map(\.count).max() ?? 1
        windowBlocks = max(1, windowBytes / max(largest * rowBytes, 1))
        windowCapacity = max(windowBlocks * largest, self.batchSize)
        bytes = dataset.elementType == .uint8 ? .allocate(capacity: max(largest * width, 1)) : nil
        let capacity = self.batchSize + windowCapacity
        buffers = [Window(rows: capacity, width: width), Window(rows: capacity, width: width)]
        batch = [Float](repeating: 0, count: self.batchSize * width)
        guard selected > 0 else { throw InputError("\(ref.named): no rows to stream") }
    }

    deinit { bytes?.deallocate() }

    /// Rows one window holds, the bound on how far apart two rows of a batch can be in the file.
    var windowRows: Int { windowCapacity }

    /// A window's rows: `batchSize` rows of room for the rows carried over from the window
    /// before, then what the reader read. Raw memory: the reader thread fills the rows from
    /// `batchSize` on while the training thread writes the carried rows in front.
    private final class Window: @unchecked Sendable {
        let values: UnsafeMutablePointer<Float>
        let fileRows: UnsafeMutablePointer<Int>
        /// Rows read into it, from row `batchSize` on.
        var count = 0
        var failure: Error? = nil
        init(rows: Int, width: Int) {
            values = .allocate(capacity: max(rows * width, 1))
            values.initialize(repeating: 0, count: max(rows * width, 1))
            fileRows = .allocate(capacity: max(rows, 1))
            fileRows.initialize(repeating: 0, count: max(rows, 1))
        }
        deinit { values.deallocate(); fileRows.deallocate() }
    }

    /// Reads `blocks` into `window` from row `offset` on: checked, filtered, scaled.
    private func fill(_ window: Window, _ blocks: [Range<Int>], offset: Int) {
        window.count = 0
        window.failure = nil
        do {
            var at = offset
            for block in blocks {
                let dst = UnsafeMutableBufferPointer(start: window.values + at * width, count: block.count * width)
                if let bytes {
                    try dataset.readRows(block, into: UnsafeMutableBufferPointer(start: bytes, count: block.count * width))
                    for i in 0..<(block.count * width) { dst[i] = Float(bytes[i]) }
                } else {
                    try dataset.readRows(block, into: dst)
                    if let bad = dst.firstIndex(where: { !$0.isFinite }) {
                        throw InputError(
                            "\(ref.named): row \(block.lowerBound + bad / width), column \(bad % width) is \(dst[bad]); features must be finite numbers"
                        )
                    }
                }
                var kept = 0
                for (k, row) in block.enumerated() where keep?(row) ?? true {
                    if kept != k { (dst.baseAddress! + kept * width).update(from: dst.baseAddress! + k * width, count: width) }
                    window.fileRows[at + kept] = row
                    kept += 1
                }
                scaler.apply(UnsafeMutableBufferPointer(start: dst.baseAddress, count: kept * width), width: width)
                at += kept
            }
            window.count = at - offset
        } catch {
            window.failure = error
        }
    }

    func epoch(
        _ rng: inout RandomGenerator,
        _ body: (ArraySlice<Int>, Int, UnsafeBufferPointer<Float>) -> Void
    ) throws {
        var order = Array(blocks.indices)
        rng.shuffle(&order)
        // Windows of consecutive blocks of the shuffled order, cycling when the epoch is padded.
        var nextBlock = 0
        let pending = DispatchGroup()
        func prefetch(_ w: Window) {
            var slice: [Range<Int>] = []
            repeat {
                slice.append(blocks[order[nextBlock % order.count]])
                nextBlock += 1
            } while slice.count < windowBlocks && nextBlock % order.count != 0
            let blocks = slice
            pending.enter()
            reader.async {
                self.fill(w, blocks, offset: self.batchSize); pending.leave()
            }
        }
        defer { pending.wait() }  // the reader never outlives the epoch, nor touches a buffer after it

        var current = 0
        prefetch(buffers[current])
        var carried = 0  // rows carried into the current window, just before row `batchSize`
        var emitted = 0
        var permutation: [Int] = []
        var indices = [Int](repeating: 0, count: batchSize)
        while emitted < epochRows {
            pending.wait()
            let w = buffers[current], other = buffers[1 - current]
            if let failure = w.failure { throw failure }
            let available = carried + w.count
            guard available > 0 else { throw InputError("\(ref.named): no rows to stream") }
            // Read the next window while this one trains, unless this one ends the epoch.
            if emitted + available < epochRows { prefetch(other) }
            // The carried rows first (every row of a pass is handed out before any repeats),
            // then this window's rows in a shuffled order.
            var fresh = Array(batchSize..<(batchSize + w.count))
            rng.shuffle(&fresh)
            permutation = Array((batchSize - carried)..<batchSize) + fresh
            var cursor = 0
            while emitted < epochRows {
                let n = min(batchSize, epochRows - emitted)
                if available - cursor < n { break }
                batch.withUnsafeMutableBufferPointer { dst in
                    for k in 0..<n {
                        let r = permutation[cursor + k]
                        indices[k] = w.fileRows[r]
                        (dst.baseAddress! + k * width).update(from: w.values + r * width, count: width)
                    }
                }
                cursor += n
                emitted += n
                batch.withUnsafeBufferPointer { body(indices[0..<n], n, UnsafeBufferPointer(rebasing: $0[0..<(n * width)])) }
                onBatch?(emitted)
            }
            guard emitted < epochRows else { break }
            // The rows not handed out yet go in front of the next window's rows.
            carried = available - cursor
            let start = batchSize - carried
            for k in 0..<carried {
                let r = permutation[cursor + k]
                (other.values + (start + k) * width).update(from: w.values + r * width, count: width)
                other.fileRows[start + k] = w.fileRows[r]
            }
            current = 1 - current
        }
    }
}
