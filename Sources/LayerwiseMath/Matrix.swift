/// A dense row-major Float32 matrix: element (r, c) is `storage[r * cols + c]`.
///
/// The value type used between stages (weights, data, codes); the training engine's
/// hot loops work on raw buffers it allocates once instead.
public struct Matrix: Equatable, Sendable {
    /// The number of rows.
    public var rows: Int
    /// The number of columns.
    public var cols: Int
    /// `rows * cols` values, row after row.
    public var storage: [Float]

    /// A zero matrix.
    public init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, storage: [Float](repeating: 0, count: rows * cols))
    }

    /// A `rows × cols` matrix of `storage`, row-major; `storage` must hold `rows * cols` values.
    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "Matrix: \(storage.count) values for \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Element (r, c).
    public subscript(r: Int, c: Int) -> Float {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// The transpose, `[cols, rows]`.
    public var transposed: Matrix {
        var out = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { out.storage[c * rows + r] = storage[r * cols + c] } }
        return out
    }

    /// `self · other` through BLAS.
    public func matmul(_ other: Matrix) -> Matrix {
        precondition(cols == other.rows, "matmul: \(rows)×\(cols) · \(other.rows)×\(other.cols)")
        var out = Matrix(rows: rows, cols: other.cols)
        // An empty product is all zeros (and an empty array may have no base address).
        guard rows > 0, cols > 0, other.cols > 0 else { return out }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: rows, n: other.cols, k: cols)
                }
            }
        }
        return out
    }
}
