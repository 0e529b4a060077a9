import Foundation
import LayerwiseHDF5
import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// Virtual adversarial training (`Network.vatStep`): the gradient of its loss against
/// central differences, and one whole step (p(x), r_adv, loss, gradients, the parameters
/// after Adam) against PyTorch (Fixtures/vat_torch.h5, Scripts/vat-torch-fixture.py).
final class VATTests: XCTestCase {
    /// The KL term is 0 when the perturbation is: a check of the entropy bookkeeping
    /// (KL = cross-entropy − entropy), independent of the gradient.
    func testKLVanishesWithoutPerturbation() {
        var rng = RandomGenerator(seed: 9)
        let net = Network(
            layers: [DenseSpec(inputs: 3, outputs: 4, activation: .tanh), DenseSpec(inputs: 4, outputs: 2, activation: .softmax)],
            maxBatch: 8, rng: &rng)
        let x: [Float] = [0.1, 0.5, 0.9, 0.3, 0.2, 0.7, 0.8, 0.4, 0.6]
        let y: [Int32] = [1]
        net.drawDirection(rows: 3, &rng)
        let (withVAT, withoutVAT): (Float, Float) = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                net.adversarialPerturbation(unlabeled: xb.baseAddress!, rows: 3, settings: VATSettings(epsilon: 0, xi: 0.1))
                let zero = net.vatLossAndGradients(
                    labeled: xb.baseAddress!, target: .labels(yb), labeledRows: 1, unlabeled: xb.baseAddress!, rows: 3,
                    weight: 1, rng: &rng
                ).0
                let ce = net.lossAndGradients(
                    input: UnsafeBufferPointer(rebasing: xb[0..<3]), batch: 1, target: .labels(yb), loss: .crossEntropy,
                    noise: .none, training: true, rng: &rng
                ).0
                return (zero, ce)
            }
        }
        XCTAssertEqual(withVAT, withoutVAT, accuracy: 1e-6)
    }

    /// Both sides compute in Float32. r_adv is a normalised difference of two nearby
    /// predictions (q − p with ‖r‖ = ξ = 0.05), so its rounding is the largest: measured
    /// 4.3e-5, the gradient 2.0e-5 (the ladder's fixture allows 1e-4 for the same reason).
    func testOneStepMatchesPyTorch() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let root = try H5File.open(url.appendingPathComponent("vat_torch.h5").path).root
        func floats(_ p: String) throws -> [Float] { try root.dataset(p).read(as: Float.self) }
        let s = try floats("settings")  // epsilon, xi, weight, weight decay, learning rate
        var rng = RandomGenerator(seed: 0)
        let net = Network(
            layers: [
                DenseSpec(inputs: 6, outputs: 5, activation: .tanh), DenseSpec(inputs: 5, outputs: 4, activation: .relu),
                DenseSpec(inputs: 4, outputs: 3, activation: .softmax)
            ], maxBatch: 10, rng: &rng)
        net.configure(
            optimizer: .adam(learningRate: s[4], beta1: 0.9, beta2: 0.999, epsilon: 1e-8), weightDecay: s[3])
        net.parameterValues = try floats("params")
        let xl = try floats("xl"), xu = try floats("xu"), y = try root.dataset("y").read(as: Int32.self)
        net.vatBuffers().direction.pointer.update(from: try floats("d0"), count: 36)
        let settings = VATSettings(epsilon: s[0], xi: s[1], weight: s[2])
        let loss = xl.withUnsafeBufferPointer { lb in
            xu.withUnsafeBufferPointer { ub in
                y.withUnsafeBufferPointer { yb in
                    net.adversarialPerturbation(unlabeled: ub.baseAddress!, rows: 6, settings: settings)
                    return net.vatLossAndGradients(
                        labeled: lb.baseAddress!, target: .labels(yb), labeledRows: 4, unlabeled: ub.baseAddress!, rows: 6,
                        weight: settings.weight, rng: &rng
                    ).0
                }
            }
        }
        func worst(_ a: [Float], _ b: [Float]) -> Float {
            a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
        }
        let w = net.vatBuffers()
        let cleanError = worst(Array(w.clean.values.prefix(18)), try floats("clean"))
        let rError = worst(Array(w.direction.values.prefix(36)), try floats("r_adv"))
        let expected = try root.dataset("loss").read(as: Double.self)[0]
        let gradError = worst(net.gradientValues, try floats("grad"))
        net.applyGradients(from: 0)
        let paramError = worst(net.parameterValues, try floats("params_after_adam"))
        XCTAssertLessThanOrEqual(cleanError, 1e-6)
        XCTAssertLessThanOrEqual(rError, 1e-4)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-5 * max(1, abs(expected)))
        XCTAssertLessThanOrEqual(gradError, 1e-4)
        XCTAssertLessThanOrEqual(paramError, 1e-5)
        print(
            "VAT vs PyTorch: max |Δ p(x)| = \(cleanError), max |Δ r_adv| = \(rError), |Δ loss| = \(abs(Double(loss) - expected)), "
                + "max |Δ gradient| = \(gradError), max |Δ parameter after Adam| = \(paramError)")
    }
}

extension GradientCheckTests {
    /// With p(x) and r_adv held (they are constants of the step), the loss is a smooth
    /// function of the parameters: its analytic gradient against central differences, with
    /// class labels and with soft targets, with weight decay, through three layers.
    func testVATLossWithHeldPerturbation() {
        for soft in [false, true] {
            var rng = RandomGenerator(seed: 5)
            let specs = [
                DenseSpec(inputs: 6, outputs: 5, activation: .tanh),
                DenseSpec(inputs: 5, outputs: 4, activation: .sigmoid),
                DenseSpec(inputs: 4, outputs: 3, activation: .softmax)
            ]
            let net = Network(layers: specs, maxBatch: 12, rng: &rng)
            net.configure(optimizer: .defaultAdam, weightDecay: 0.05)
            let xl = randomInput(4 * 6, seed: 1, unit: true), xu = randomInput(7 * 6, seed: 2, unit: true)
            let y: [Int32] = [0, 2, 1, 2]
            let t = randomInput(4 * 3, seed: 3, unit: true)
            net.drawDirection(rows: 7, &rng)
            xu.withUnsafeBufferPointer {
                net.adversarialPerturbation(unlabeled: $0.baseAddress!, rows: 7, settings: VATSettings(epsilon: 0.7, xi: 0.1))
            }
            func lossAt(_ p: [Float]) -> Float {
                net.parameterValues = p
                var unused = RandomGenerator(seed: 0)
                return xl.withUnsafeBufferPointer { lb in
                    xu.withUnsafeBufferPointer { ub in
                        y.withUnsafeBufferPointer { yb in
                            t.withUnsafeBufferPointer { tb in
                                net.vatLossAndGradients(
                                    labeled: lb.baseAddress!, target: soft ? .values(tb) : .labels(yb), labeledRows: 4,
                                    unlabeled: ub.baseAddress!, rows: 7, weight: 2, rng: &unused
                                ).0
                            }
                        }
                    }
                }
            }
            let p0 = net.parameterValues
            _ = lossAt(p0)
            check(params: p0, analytic: net.gradientValues, loss: lossAt)
        }
    }
}
