import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The pool path (products and kernels split over 2 threads) against the serial path,
/// on shapes large enough to be split (≥ 2M multiply-adds per product, ≥ 32768
/// elements per kernel).
final class ThreadingTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func data(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in rng.uniform() }
    }

    /// C = A·B in Double, row-major.
    func doubleProduct(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for t in 0..<k {
                let x = Double(a[i * k + t])
                for j in 0..<n { c[i * n + j] += x * Double(b[t * n + j]) }
            }
        }
        return c
    }

    func worstRelative(_ c: [Float], _ exact: [Double]) -> Double {
        zip(c, exact).reduce(0.0) { max($0, abs(Double($1.0) - $1.1) / abs($1.1)) }
    }

    func sameBytes(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// A float32 sum of k non-negative products is within k·u (u = 2⁻²⁴) of the exact
    /// value relatively, in any order and blocking (the classic γ_k bound; the operands
    /// here are uniform in [0, 1), so all terms are ≥ 0). Measured errors are ~1e-6.
    func sumBound(_ k: Int) -> Double { Double(k + 1) * 0x1p-24 }

    /// Three Adam steps of a 784-300-40-784 autoencoder (relu, softmax-free, BCE), batch 96.
    func train(threads: Int) -> (params: [Float], losses: [Float]) {
        BLAS.setThreads(threads)
        var rng = RandomGenerator(seed: 4)
        let net = Network(
            layers: [
                DenseSpec(inputs: 784, outputs: 300, activation: .relu),
                DenseSpec(inputs: 300, outputs: 40, activation: .tanh),
                DenseSpec(inputs: 40, outputs: 784, activation: .sigmoid)
            ],
            maxBatch: 96, rng: &rng, dropout: 0.1)
        let x = data(96 * 784, seed: 2)
        var losses: [Float] = []
        for _ in 0..<3 {
            losses.append(
                x.withUnsafeBufferPointer {
                    net.trainStep(input: $0, batch: 96, target: .values($0), loss: .bce, noise: .masking(level: 0.2), rng: &rng)
                })
        }
        return (net.parameterValues, losses)
    }

    func testTwoThreadsAreDeterministicAndAgreeWithOne() {
        XCTAssertEqual(BLAS.threads, 1)
        let serial = train(threads: 1)
        let a = train(threads: 2)
        XCTAssertEqual(BLAS.threads, 2)
        let b = train(threads: 2)
        XCTAssertEqual(a.params.map(\.bitPattern), b.params.map(\.bitPattern), "same seed, same threads → same bytes")
        XCTAssertEqual(a.losses, b.losses)
        // Split sums round differently; after 3 Adam steps (each moves a weight by ≤ lr =
        // 1e-3) parameters agree to far better than one step (measured: identical today, the
        // products being split by output blocks; 1e-4 leaves room for a split of the sums).
        let worst = zip(serial.params, a.params).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4)
        // Mean losses over 75,264 elements whose sums are split differently: measured 1 ulp
        // (6e-8) apart; 1e-6 is ~16 ulps of 0.69.
        for (s, t) in zip(serial.losses, a.losses) { XCTAssertEqual(s, t, accuracy: 1e-6) }
    }

    func testSplitProductMatchesSerial() {
        let (m, n, k) = (300, 257, 200)
        let a = data(m * k, seed: 1), b = data(k * n, seed: 2)
        let exact = doubleProduct(a, b, m: m, k: k, n: n)
        BLAS.setThreads(1)
        let one = Matrix(rows: m, cols: k, storage: a).matmul(Matrix(rows: k, cols: n, storage: b))
        BLAS.setThreads(2)
        let two = Matrix(rows: m, cols: k, storage: a).matmul(Matrix(rows: k, cols: n, storage: b))
        // Both within float32's bound of the Double product (measured 9.6e-7 relative, bound
        // 1.2e-5); a part left unwritten or written twice would be off by 100 %.
        XCTAssertLessThanOrEqual(worstRelative(one.storage, exact), sumBound(k))
        XCTAssertLessThanOrEqual(worstRelative(two.storage, exact), sumBound(k))
        // Transposed operands, both split directions (m > n and n > m).
        for (mm, nn) in [(40, 600), (600, 40)] {
            let x = data(k * mm, seed: 3), y = data(nn * k, seed: 4)  // A stored [k, mm], B stored [nn, k]
            var c2 = [Float](repeating: 0, count: mm * nn)
            BLAS.setThreads(2)
            x.withUnsafeBufferPointer { xa in
                y.withUnsafeBufferPointer { yb in
                    c2.withUnsafeMutableBufferPointer {
                        BLAS.gemm(xa.baseAddress!, yb.baseAddress!, $0.baseAddress!, m: mm, n: nn, k: k, transA: true, transB: true)
                    }
                }
            }
            // opᵀ: A[i, t] = x[t·mm + i], B[t, j] = y[j·k + t].
            let at = (0..<(mm * k)).map { x[($0 % k) * mm + $0 / k] }
            let bt = (0..<(k * nn)).map { y[($0 % nn) * k + $0 / nn] }
            XCTAssertLessThanOrEqual(worstRelative(c2, doubleProduct(at, bt, m: mm, k: k, n: nn)), sumBound(k), "\(mm)×\(nn)")
        }
    }

    /// Gradients of a shallow autoencoder (tied and untied, with both penalties) split
    /// over 2 threads against 1.
    func testAutoencoderGradientsSplitAgreeWithSerial() {
        let x = data(64 * 784, seed: 7)
        for tied in [false, true] {
            var grads: [[Float]] = []
            for threads in [1, 2] {
                BLAS.setThreads(threads)
                var rng = RandomGenerator(seed: 3)
                let ae = ShallowAutoencoder(
                    inputs: 784, hidden: 128, activation: .sigmoid, outputActivation: .sigmoid,
                    loss: .bce, tiedWeights: tied, noise: .none, sparsity: (0.1, 0.5),
                    contractiveWeight: 0.1, weightDecay: 1e-3, maxBatch: 64,
                    optimizer: .defaultAdam, rng: &rng)
                _ = x.withUnsafeBufferPointer { ae.lossAndGradients(input: $0, batch: 64, noise: .none, rng: &rng) }
                grads.append(ae.gradientValues)
            }
            let worst = zip(grads[0], grads[1]).map { abs($0 - $1) }.max() ?? 1
            let scale = grads[0].map(abs).max() ?? 1
            XCTAssertLessThan(worst, 1e-5 * max(scale, 1), "tied \(tied)")
        }
    }

    /// A job dispatched right after the workers start must still reach them (a worker
    /// that read the generation counter late used to wait for the next job forever, or
    /// a part of the product would be left unwritten). Every product after a restart is
    /// bit for bit the product first computed at that thread count (parts depend only on
    /// the count), and all of them are within float32's bound of a Double product.
    func testRestartingThePoolNeverLosesAJob() {
        let (m, k, n) = (256, 128, 256)
        let a = Matrix(rows: m, cols: k, storage: data(m * k, seed: 1))
        let b = Matrix(rows: k, cols: n, storage: data(k * n, seed: 2))
        let exact = doubleProduct(a.storage, b.storage, m: m, k: k, n: n)
        var first: [Int: [Float]] = [:]
        for threads in [1, 2, 3] {
            BLAS.setThreads(threads)
            let c = a.matmul(b).storage
            first[threads] = c
            XCTAssertLessThanOrEqual(worstRelative(c, exact), sumBound(k), "\(threads) threads")
        }
        // The 2- and 3-thread products are split (8.4M multiply-adds ≥ 2M).
        for i in 0..<200 {
            let threads = i % 2 == 0 ? 2 : 3
            BLAS.setThreads(threads)
            let c = a.matmul(b).storage
            guard let want = first[threads], sameBytes(c, want) else {
                return XCTFail(
                    "restart \(i) at \(threads) threads: differs from the first product, worst relative to Double \(worstRelative(c, exact))"
                )
            }
        }
    }
}
