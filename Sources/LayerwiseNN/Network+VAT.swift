import Foundation
import CLayerwiseKernels
import LayerwiseMath

/// Virtual adversarial training (Miyato, Maeda, Koyama, Ishii, "Virtual Adversarial
/// Training: A Regularization Method for Supervised and Semi-Supervised Learning",
/// IEEE TPAMI 2018): besides the cross-entropy on labeled rows, each unlabeled row x
/// is pushed by the perturbation r_adv of length `epsilon` that changes the network's
/// prediction most, and the KL divergence KL(p(x) ‖ p(x + r_adv)) is added to the loss
/// with weight `weight`. p(x) and r_adv are constants of the step (no gradient flows
/// through them); r_adv is found by `iterations` steps of power iteration from a random
/// direction d: r ← xi·d/‖d‖, d ← ∇_r KL(p(x) ‖ p(x + r)), r_adv = epsilon·d/‖d‖ (each
/// row normalised on its own, ‖·‖ the Euclidean norm, as `torch.nn.functional.normalize`).
public struct VATSettings: Sendable, Equatable {
    /// ε: the length of each row's adversarial perturbation, in units of the scaled inputs.
    public var epsilon: Float
    /// ξ: the length of the probe of the power iteration (a finite-difference step).
    public var xi: Float
    /// α: the weight of the mean KL term beside the mean cross-entropy.
    public var weight: Float
    /// Power iterations (the paper: 1 is enough).
    public var iterations: Int

    public init(epsilon: Float, xi: Float, weight: Float = 1, iterations: Int = 1) {
        self.epsilon = epsilon
        self.xi = xi
        self.weight = weight
        self.iterations = iterations
    }
}

/// The buffers of a VAT step, sized once for `maxBatch` rows.
final class VATWorkspace {
    /// p(x) of the unlabeled rows `[rows, classes]`, the step's fixed target.
    let clean: FloatBuffer
    /// The power iteration's direction `[rows, inputs]`; after it, r_adv.
    let direction: FloatBuffer
    /// The probe x + r, then the step's batch: labeled rows, then the perturbed unlabeled rows.
    let batch: FloatBuffer
    /// Σ p log p over the clean rows (so the KL is the cross-entropy minus the entropy).
    var negativeEntropy = 0.0

    init(maxBatch: Int, inputs: Int, classes: Int) {
        clean = FloatBuffer(maxBatch * classes)
        direction = FloatBuffer(maxBatch * inputs)
        batch = FloatBuffer(maxBatch * inputs)
    }
}

extension Network {
    /// One VAT step: the cross-entropy of `labeledRows` rows of `labeled` against `target`
    /// (class labels, or soft targets `[labeledRows, classes]` such as pseudo-labels) plus
    /// `settings.weight` times the mean KL of the `rows` rows of `unlabeled` under their
    /// adversarial perturbations, then one optimizer step. The labeled and perturbed rows
    /// run as one batch (`labeledRows + rows ≤ maxBatch`); dropout applies to that pass,
    /// the clean pass and the power iteration run without it. Returns the step's loss.
    @discardableResult
    public func vatStep(
        labeled: UnsafePointer<Float>, target: Target, labeledRows: Int,
        unlabeled: UnsafePointer<Float>, rows: Int, settings: VATSettings, rng: inout RandomGenerator
    ) -> Float {
        drawDirection(rows: rows, &rng)
        adversarialPerturbation(unlabeled: unlabeled, rows: rows, settings: settings)
        let (loss, lowest) = vatLossAndGradients(
            labeled: labeled, target: target, labeledRows: labeledRows, unlabeled: unlabeled, rows: rows,
            weight: settings.weight, rng: &rng)
        applyGradients(from: lowest)
        return loss
    }

    func vatBuffers() -> VATWorkspace {
        if let w = vatWorkspace { return w }
        let w = VATWorkspace(maxBatch: maxBatch, inputs: specs[0].inputs, classes: specs[specs.count - 1].outputs)
        vatWorkspace = w
        return w
    }

    /// A standard normal direction for each of `rows` rows, the power iteration's start.
    func drawDirection(rows: Int, _ rng: inout RandomGenerator) {
        let w = vatBuffers(), n = rows * specs[0].inputs
        w.batch.pointer.update(repeating: 0, count: n)
        NoiseConfig.gaussian(stddev: 1).apply(w.batch.pointer, w.direction.pointer, n, &rng)
    }

    /// p(x) of the unlabeled rows into `clean`, then r_adv into `direction` (from the
    /// direction already there).
    func adversarialPerturbation(unlabeled x: UnsafePointer<Float>, rows: Int, settings: VATSettings) {
        precondition(rows > 0 && rows <= maxBatch, "\(rows) unlabeled rows outside 1...\(maxBatch)")
        let w = vatBuffers(), D = specs[0].inputs, C = specs[specs.count - 1].outputs, L = specs.count - 1
        var unused = RandomGenerator(seed: 0)
        stack.forward(x, batch: rows)
        w.clean.pointer.update(from: outputs[L].pointer, count: rows * C)
        var negativeEntropy = 0.0
        for i in 0..<(rows * C) where w.clean.pointer[i] > 0 {
            negativeEntropy += Double(w.clean.pointer[i]) * log(Double(w.clean.pointer[i]))
        }
        w.negativeEntropy = negativeEntropy
        let d = w.direction.pointer, probe = w.batch.pointer
        for _ in 0..<settings.iterations {
            normalizeRows(d, rows: rows, cols: D, length: settings.xi)
            for i in 0..<(rows * D) { probe[i] = x[i] + d[i] }
            forward(probe, batch: rows, training: false, rng: &unused)
            // ∂KL(p ‖ q)/∂logits of q is q − p per row; the scale does not matter, the result is normalised.
            let q = outputs[L].pointer, g = outputDelta
            for i in 0..<(rows * C) { g[i] = q[i] - w.clean.pointer[i] }
            _ = backward(probe, batch: rows, training: false, inputGradient: d, parameterGradients: false)
        }
        normalizeRows(d, rows: rows, cols: D, length: settings.epsilon)
    }

    /// The loss of a VAT step and its gradients, with p(x) and r_adv as
    /// `adversarialPerturbation` left them: the mean cross-entropy of the labeled rows plus
    /// `weight` times the mean KL(p(x) ‖ p(x + r_adv)) of the unlabeled rows (plus the
    /// weight-decay term). Returns it and the lowest trainable layer.
    func vatLossAndGradients(
        labeled: UnsafePointer<Float>, target: Target, labeledRows m: Int,
        unlabeled x: UnsafePointer<Float>, rows: Int, weight: Float, rng: inout RandomGenerator
    ) -> (Float, Int) {
        let n = m + rows
        precondition(m > 0 && rows > 0 && n <= maxBatch, "\(m) labeled + \(rows) unlabeled rows outside 2...\(maxBatch)")
        let w = vatBuffers(), D = specs[0].inputs, C = specs[specs.count - 1].outputs
        let b = w.batch.pointer, r = w.direction.pointer
        b.update(from: labeled, count: m * D)
        for i in 0..<(rows * D) { b[m * D + i] = x[i] + r[i] }
        forward(b, batch: n, training: true, rng: &rng, fusedLoss: true)
        var total: Double
        switch target {
        case .labels(let y):
            precondition(y.count >= m && specs[specs.count - 1].activation == .softmax, "VAT needs labels and a softmax output")
            total =
                lw_softmax_xent(
                    stack.logits.pointer, y.baseAddress!, outputs[specs.count - 1].pointer, outputDelta,
                    Int32(m), Int32(C), 1 / Float(m)) / Double(m)
        case .values(let t):
            precondition(t.count >= m * C, "\(t.count) target values for \(m)×\(C)")
            total = softTargetCrossEntropy(t.baseAddress!, from: 0, rows: m, classes: C, scale: 1 / Float(m)) / Double(m)
        }
        let crossEntropy = softTargetCrossEntropy(w.clean.pointer, from: m, rows: rows, classes: C, scale: weight / Float(rows))
        total += Double(weight) * (crossEntropy + w.negativeEntropy) / Double(rows)
        let lowest = backward(b, batch: n, training: true)
        total += weightDecayTerm(from: lowest)
        return (Float(total), lowest)
    }

    /// Scales each of `rows` rows of `v` to Euclidean length `length` (a zero row stays zero).
    private func normalizeRows(_ v: UnsafeMutablePointer<Float>, rows: Int, cols: Int, length: Float) {
        for i in 0..<rows {
            let row = v + i * cols
            var sum = 0.0
            for j in 0..<cols { sum += Double(row[j]) * Double(row[j]) }
            let s = length / Float(max(sum.squareRoot(), 1e-12))
            for j in 0..<cols { row[j] *= s }
        }
    }
}
