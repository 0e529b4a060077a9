import LayerwiseMath

extension Matrix {
    /// A `[rows, width]` matrix filled by `body(rows of self, rows of the result, count)`
    /// over chunks of at most `chunk` rows (models sized their buffers for that many).
    func mapRowChunks(
        of chunk: Int, width: Int,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Matrix {
        var out = Matrix(rows: rows, cols: width)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                var start = 0
                while start < rows {
                    let n = min(chunk, rows - start)
                    body(s + start * cols, d + start * width, n)
                    start += n
                }
            }
        }
        return out
    }
}
