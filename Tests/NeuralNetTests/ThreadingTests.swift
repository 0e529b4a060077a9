import LinearAlgebra
import XCTest
@testable import NeuralNet

/// The pool path (products and kernels split over 2 threads) against the serial path,
/// on shapes large enough to be split (≥ 2M multiply-adds per product, ≥ 32768
/// elements per kernel).
final class ThreadingTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func data(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in rng.uniform() }
    }

    /// Three Adam steps of a 784-300-40-784 autoencoder (relu, softmax-free, BCE), batch 96.
    func train(threads: Int) -> (params: [Float], losses: [Float]) {
        BLAS.setThreads(threads)
        var rng = RandomGenerator(seed: 4)
        let net = Network(layers: [DenseSpec(inputs: 784, outputs: 300, activation: .relu),
                                   DenseSpec(inputs: 300, outputs: 40, activation: .tanh),
                                   DenseSpec(inputs: 40, outputs: 784, activation: .sigmoid)],
                          maxBatch: 96, rng: &rng, dropout: 0.1)
        let x = data(96 * 784, seed: 2)
        var losses: [Float] = []
        for _ in 0..<3 {
            losses.append(x.withUnsafeBufferPointer {
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
        // 1e-3) parameters agree to far better than one step.
        let worst = zip(serial.params, a.params).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4)
        for (s, t) in zip(serial.losses, a.losses) { XCTAssertEqual(s, t, accuracy: 1e-5) }
    }

    func testSplitProductMatchesSerial() {
        let (m, n, k) = (300, 257, 200)
        let a = data(m * k, seed: 1), b = data(k * n, seed: 2)
        BLAS.setThreads(1)
        let one = Matrix(rows: m, cols: k, storage: a).matmul(Matrix(rows: k, cols: n, storage: b))
        BLAS.setThreads(2)
        let two = Matrix(rows: m, cols: k, storage: a).matmul(Matrix(rows: k, cols: n, storage: b))
        // Every element is the same k-term dot product computed by the same kernel; only
        // the blocking may differ.
        XCTAssertLessThan(zip(one.storage, two.storage).map { abs($0 - $1) }.max() ?? 1, 1e-3)
        // Transposed operands, both split directions (m > n and n > m).
        for (mm, nn) in [(40, 600), (600, 40)] {
            let x = data(k * mm, seed: 3), y = data(nn * k, seed: 4)   // A stored [k, mm], B stored [nn, k]
            var c2 = [Float](repeating: 0, count: mm * nn)
            BLAS.setThreads(2)
            x.withUnsafeBufferPointer { xa in y.withUnsafeBufferPointer { yb in c2.withUnsafeMutableBufferPointer {
                BLAS.gemm(xa.baseAddress!, yb.baseAddress!, $0.baseAddress!, m: mm, n: nn, k: k, transA: true, transB: true)
            } } }
            var worst: Float = 0
            for i in 0..<mm { for j in 0..<nn {
                var s: Float = 0
                for t in 0..<k { s += x[t * mm + i] * y[j * k + t] }
                worst = max(worst, abs(s - c2[i * nn + j]))
            } }
            XCTAssertLessThan(worst, 1e-3, "\(mm)×\(nn)")
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
                let ae = ShallowAutoencoder(inputs: 784, hidden: 128, activation: .sigmoid, outputActivation: .sigmoid,
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
    /// that read the generation counter late used to wait for the next job forever).
    func testRestartingThePoolNeverLosesAJob() {
        let a = Matrix(rows: 256, cols: 128, storage: data(256 * 128, seed: 1))
        let b = Matrix(rows: 128, cols: 256, storage: data(128 * 256, seed: 2))
        let expected = a.matmul(b)
        for i in 0..<200 {
            BLAS.setThreads(i % 2 == 0 ? 2 : 3)
            XCTAssertEqual(a.matmul(b).storage.count, expected.storage.count)
        }
    }
}
