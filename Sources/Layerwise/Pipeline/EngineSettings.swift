import Foundation
import LayerwiseNN

// The pipeline's settings as the engine's configuration values.

extension NoiseSettings {
    var engine: NoiseConfig {
        switch kind {
        case .masking: return .masking(level: Float(level))
        case .gaussian: return .gaussian(stddev: Float(level))
        case .saltPepper: return .saltPepper(level: Float(level))
        }
    }
}

extension OptimizerSettings {
    var engine: OptimizerConfig {
        let lr = Float(learningRate)
        switch name {
        case .sgd: return .sgd(learningRate: lr, momentum: Float(momentum), nesterov: nesterov)
        case .rmsprop: return .rmsprop(learningRate: lr, rho: Float(rho), epsilon: Float(epsilon))
        case .adam: return .adam(learningRate: lr, beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon))
        case .adamw:
            return .adamw(
                learningRate: lr, beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon),
                weightDecay: Float(weightDecay))
        }
    }
}

extension EvaluateConfig {
    /// One line per `expect` gate that `measured` misses (or cannot show).
    func failures(_ measured: [String: Double]) -> [String] {
        expect.compactMap { e in
            guard let v = measured[e.metric] else {
                return "\(e): \(e.metric) was not measured (it needs data.test, data.test_labels and its stage)"
            }
            return e.holds(v) ? nil : "\(e) failed: \(e.metric) = \(String(format: "%.4f", v))"
        }
    }
}
