import Foundation
import LayerwiseHDF5
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// One full training step of a small ladder network against PyTorch
/// (Fixtures/ladder_torch.h5, made by Scripts/ladder-torch-fixture.py with the same
/// parameters, inputs and noise): the costs, every gradient, and the parameters after
/// one Adam step, each within 1e-4 (both sides compute in Float32; the worst measured
/// differences are printed).
final class LadderTorchReferenceTests: XCTestCase {
    func testOneStepMatchesPyTorch() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let root = try H5File.open(url.appendingPathComponent("ladder_torch.h5").path).root
        func floats(_ p: String) throws -> [Float] { try root.dataset(p).read(as: Float.self) }
        func doubles(_ p: String) throws -> [Double] { try root.dataset(p).read(as: Double.self) }
        let widths = try root.dataset("widths").read(as: Int64.self).map(Int.init)
        XCTAssertEqual(widths, [6, 5, 4, 3])
        let spec = LadderSpec(
            inputs: 6, hidden: [5, 4], classes: 3, activation: .relu, noise: 0.3,
            denoisingWeights: try floats("lambdas"))
        var rng = RandomGenerator(seed: 0)
        let net = LadderNetwork(
            spec, maxBatch: 8, rng: &rng,
            optimizer: .adam(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8))
        net.parameterValues = try floats("params")
        for l in 0...3 {
            let u = try floats("noise_unlabeled_\(l)"), lab = try floats("noise_labeled_\(l)")
            u.withUnsafeBufferPointer { net.corrupted.noise[l].pointer.update(from: $0.baseAddress!, count: u.count) }
            lab.withUnsafeBufferPointer { net.labeled.noise[l].pointer.update(from: $0.baseAddress!, count: lab.count) }
        }
        let x = try floats("x"), xl = try floats("xl"), y = try root.dataset("y").read(as: Int32.self)
        let total = net.lossAndGradients(unlabeled: x, rows: 8, labeled: xl, labels: y, labeledRows: 4)

        func worst(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }
        XCTAssertEqual(total, try doubles("total")[0], accuracy: 1e-4 * max(1, abs(try doubles("total")[0])))
        XCTAssertEqual(net.lastSupervised, try doubles("supervised")[0], accuracy: 1e-4)
        for (a, b) in zip(net.lastDenoising, try doubles("denoising")) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, b)) }
        let grad = try floats("grad")
        XCTAssertEqual(net.gradientValues.count, grad.count)
        let gradError = worst(net.gradientValues, grad)
        XCTAssertLessThanOrEqual(gradError, 1e-4)
        net.store.update()
        let paramError = worst(net.parameterValues, try floats("params_after_adam"))
        XCTAssertLessThanOrEqual(paramError, 1e-4)
        print(
            "ladder vs PyTorch: |Δ total| = \(abs(total - (try doubles("total")[0]))), max |Δ gradient| = \(gradError), max |Δ parameter after Adam| = \(paramError)"
        )
    }
}
