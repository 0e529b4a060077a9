import CLayerwiseBLAS
import CLayerwiseKernels

/// Matrix products through OpenBLAS's `cblas_sgemm`, on row-major buffers, with
/// transposes expressed as flags (no copies).
///
/// Threads are ours, not OpenBLAS's: OpenBLAS runs single-threaded inside each part
/// of a product split by CLayerwiseKernels' pool (pool.c), which also splits the element-wise
/// kernels. OpenBLAS's own threaded driver mallocs on every call and leaves its
/// workers spinning while element-wise work runs on one core.
public enum BLAS {
    /// Sets the threads every product and kernel uses (`--threads`). Results are
    /// bit-identical run to run for a fixed thread count. Call it between training
    /// steps from the thread that trains (it stops and restarts the pool's workers);
    /// products and kernels called from other threads meanwhile run serially.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(1)
        _ = lw_set_threads(Int32(clamping: max(1, n)))
    }

    /// The threads every product and kernel uses, as `setThreads` last set them (1 before it is called).
    public static var threads: Int { Int(lw_threads()) }

    /// C[m, n] = alpha · op(A) · op(B) + beta · C, row-major, where op(A) is `[m, k]`
    /// (A stored `[k, m]` when `transA`) and op(B) is `[k, n]` (B stored `[n, k]` when `transB`).
    @inline(__always)
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        let lda = transA ? m : k
        let ldb = transB ? k : n
        lw_gemm(
            transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)),
            b, Int32(max(ldb, 1)), beta, c, Int32(max(n, 1)))
    }
    /// The Double counterpart of `gemm`, straight to `cblas_dgemm` (not split by the
    /// pool): C[m, n] = alpha · op(A) · op(B) + beta · C, row-major, same shapes and flags.
    public static func dgemm(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
        alpha: Double = 1, beta: Double = 0
    ) {
        guard m > 0, n > 0 else { return }
        let lda = transA ? m : k
        let ldb = transB ? k : n
        cblas_dgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(max(lda, 1)),
            b, blasint(max(ldb, 1)), beta, c, blasint(max(n, 1)))
    }
}
