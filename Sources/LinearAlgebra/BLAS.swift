import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`, on row-major buffers, with
/// transposes expressed as flags (no copies).
public enum BLAS {
    /// Bounds OpenBLAS's threads (`--threads`). Results are bit-identical run to run
    /// for a fixed thread count.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// C[m, n] = alpha · op(A) · op(B) + beta · C, row-major, where op(A) is `[m, k]`
    /// (A stored `[k, m]` when `transA`) and op(B) is `[k, n]` (B stored `[n, k]` when `transB`).
    @inline(__always)
    public static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                            m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                            alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        let lda = transA ? m : k
        let ldb = transB ? k : n
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(max(lda, 1)), b, blasint(max(ldb, 1)),
                    beta, c, blasint(max(n, 1)))
    }
}
