import CLayerwiseKernels

/// Optimizer settings, with PyTorch's `torch.optim` semantics.
public enum OptimizerConfig: Equatable, Sendable {
    /// buf = μ·buf + g; p −= lr·buf (Nesterov: p −= lr·(g + μ·buf)).
    case sgd(learningRate: Float, momentum: Float, nesterov: Bool)
    /// s = ρ·s + (1−ρ)·g²; p −= lr·g / (√s + ε).
    case rmsprop(learningRate: Float, rho: Float, epsilon: Float)
    /// Adam with bias correction (Kingma & Ba 2015).
    case adam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float)
    /// Adam with decoupled weight decay (Loshchilov & Hutter 2019): p ← p·(1 − lr·λ) first.
    case adamw(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    /// Adam with learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-8 (PyTorch's defaults).
    public static let defaultAdam = OptimizerConfig.adam(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
}

/// Optimizer state for one parameter buffer: first and second moments, each one
/// allocation made once.
final class Optimizer {
    /// Settings may change between steps (an RBM's momentum schedule); the state stays.
    var config: OptimizerConfig
    private let first: FloatBuffer
    private let second: FloatBuffer
    private var step: Int64 = 0

    init(_ config: OptimizerConfig, count: Int) {
        self.config = config
        first = FloatBuffer(count)
        second = FloatBuffer(count)
    }

    /// Starts a step (advances the shared step counter for Adam's bias correction).
    func beginStep() { step += 1 }

    /// Updates parameters `p[offset..<offset+n]` from gradients `g` at the same offsets.
    func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, offset: Int, count n: Int) {
        let p = p + offset, g = g + offset, m = first[offset], v = second[offset]
        switch config {
        case let .sgd(lr, momentum, nesterov):
            lw_sgd(p, g, m, n, lr, momentum, nesterov ? 1 : 0, step == 1 ? 1 : 0)
        case let .rmsprop(lr, rho, eps):
            lw_rmsprop(p, g, v, n, lr, rho, eps)
        case let .adam(lr, b1, b2, eps):
            lw_adam(p, g, m, v, n, lr, b1, b2, eps, step, 0)
        case let .adamw(lr, b1, b2, eps, wd):
            lw_adam(p, g, m, v, n, lr, b1, b2, eps, step, wd)
        }
    }
}
