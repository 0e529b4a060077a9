import Foundation
import LayerwiseHDF5
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The engine against PyTorch's numbers for the same tiny networks
/// (Fixtures/torch_reference.h5, made by Scripts/torch-fixtures.py).
///
/// Tolerances: forward values and the loss agree to 1e-5 (Float32 with a polynomial
/// exp of relative error < 2e-7); gradients to 1e-5 absolute; parameters after two
/// optimizer steps to 1e-5 (Adam's first step moves each weight by ≈ lr, so a wrong
/// bias correction or ε placement shows as ≈ 1e-3).
final class TorchReferenceTests: XCTestCase {
    var file: H5File!
    var root: H5Group!

    override func setUpWithError() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        file = try H5File.open(url.appendingPathComponent("torch_reference.h5").path)
        root = try file.root
    }

    func floats(_ path: String) throws -> [Float] { try root.dataset(path).read(as: Float.self) }

    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float, _ what: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tol, "\(what): maxdiff \(worst)", line: line)
    }

    /// The fixture's 4-tanh-5-relu-6-softmax-3 network with its weights.
    func network(_ optimizer: OptimizerConfig = .defaultAdam) throws -> Network {
        var rng = RandomGenerator(seed: 0)
        let net = Network(
            layers: [
                DenseSpec(inputs: 4, outputs: 5, activation: .tanh),
                DenseSpec(inputs: 5, outputs: 6, activation: .relu),
                DenseSpec(inputs: 6, outputs: 3, activation: .softmax)
            ], maxBatch: 5, rng: &rng)
        for l in 0..<3 {
            let s = net.specs[l]
            net.setKernel(l, Matrix(rows: s.inputs, cols: s.outputs, storage: try floats("kernel_\(l)")))
            net.setBias(l, try floats("bias_\(l)"))
        }
        net.configure(optimizer: optimizer)
        return net
    }

    func step(_ net: Network, times: Int) throws -> Float {
        let x = try floats("x"), y = try root.dataset("y").read(as: Int32.self)
        var rng = RandomGenerator(seed: 0)
        var last: Float = 0
        for _ in 0..<times {
            last = x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    net.trainStep(input: xb, batch: 5, target: .labels(yb), loss: .crossEntropy, rng: &rng)
                }
            }
        }
        return last
    }

    func testForwardLossAndGradients() throws {
        let net = try network()
        let p = net.predict(Matrix(rows: 5, cols: 4, storage: try floats("x")))
        assertClose(p.storage, try floats("probabilities"), 1e-5, "probabilities")
        let x = try floats("x"), y = try root.dataset("y").read(as: Int32.self)
        var rng = RandomGenerator(seed: 0)
        let loss = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                net.lossAndGradients(
                    input: xb, batch: 5, target: .labels(yb), loss: .crossEntropy, noise: .none,
                    training: true, rng: &rng
                ).0
            }
        }
        XCTAssertEqual(loss, try floats("loss")[0], accuracy: 1e-5)
        var expected: [Float] = []
        for l in 0..<3 { expected += try floats("grad_kernel_\(l)") + floats("grad_bias_\(l)") }
        assertClose(net.gradientValues, expected, 1e-5, "gradients")
    }

    func testTwoStepsOfEachOptimizer() throws {
        let configs: [(String, OptimizerConfig)] = [
            ("adam", .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)),
            ("adamw", .adamw(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)),
            ("sgd", .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true)),
            ("sgd_momentum", .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false)),
            ("rmsprop", .rmsprop(learningRate: 0.01, rho: 0.9, epsilon: 1e-7))
        ]
        for (name, config) in configs {
            let net = try network(config)
            _ = try step(net, times: 2)
            var expected: [Float] = []
            for l in 0..<3 { expected += try floats("\(name)/kernel_\(l)") + floats("\(name)/bias_\(l)") }
            assertClose(net.parameterValues, expected, 1e-5, name)
        }
    }

    func testAutoencoderBCEOnLogits() throws {
        var rng = RandomGenerator(seed: 0)
        let ae = ShallowAutoencoder(
            inputs: 6, hidden: 3, activation: .relu, outputActivation: .sigmoid, loss: .bce,
            tiedWeights: false, noise: .none, sparsity: nil, contractiveWeight: nil,
            weightDecay: 0, maxBatch: 4, optimizer: .defaultAdam, rng: &rng)
        let g = "autoencoder/"
        ae.parameterValues = try floats(g + "w1") + floats(g + "b1") + floats(g + "w2") + floats(g + "b2")
        let x = try floats(g + "x")
        let loss = x.withUnsafeBufferPointer { ae.lossAndGradients(input: $0, batch: 4, noise: .none, rng: &rng) }
        XCTAssertEqual(loss, try floats(g + "loss")[0], accuracy: 1e-6)
        let expected = try floats(g + "grad_w1") + floats(g + "grad_b1") + floats(g + "grad_w2") + floats(g + "grad_b2")
        assertClose(ae.gradientValues, expected, 1e-6, "autoencoder gradients")
        assertClose(ae.reconstruct(Matrix(rows: 4, cols: 6, storage: x)).storage, try floats(g + "reconstruction"), 1e-6, "reconstruction")
    }

    /// Tied weights against PyTorch's `h @ W.T` decoder: the loss, W's gradient summed
    /// from both uses, and the parameters after two whole Adam steps.
    func testTiedAutoencoderGradientsAndTwoAdamSteps() throws {
        var rng = RandomGenerator(seed: 0)
        let ae = ShallowAutoencoder(
            inputs: 6, hidden: 3, activation: .sigmoid, outputActivation: .sigmoid, loss: .bce,
            tiedWeights: true, noise: .none, sparsity: nil, contractiveWeight: nil,
            weightDecay: 0, maxBatch: 4,
            optimizer: .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), rng: &rng)
        let g = "tied/"
        // Layout with tied weights: W₁, b₁, b₂.
        ae.parameterValues = try floats(g + "w1") + floats(g + "b1") + floats(g + "b2")
        let x = try floats(g + "x")
        let loss = x.withUnsafeBufferPointer { ae.trainStep(input: $0, batch: 4, rng: &rng) }
        XCTAssertEqual(loss, try floats(g + "loss")[0], accuracy: 1e-6)
        assertClose(
            ae.gradientValues, try floats(g + "grad_w1") + floats(g + "grad_b1") + floats(g + "grad_b2"), 1e-6,
            "tied gradients")
        _ = x.withUnsafeBufferPointer { ae.trainStep(input: $0, batch: 4, rng: &rng) }
        assertClose(
            ae.parameterValues, try floats(g + "adam2_w1") + floats(g + "adam2_b1") + floats(g + "adam2_b2"), 1e-5,
            "tied after two Adam steps")
        XCTAssertEqual(ae.decoderKernel, ae.encoderKernel.transposed)
    }
}
