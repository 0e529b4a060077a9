import Foundation
import LayerwiseMath
import LayerwiseNN

/// Milliseconds per step of a small 784-16-784 autoencoder (so the corruption is a large
/// share of the step) with each input noise at batch 256: the cost of corrupting
/// 256×784 inputs is the difference to `none`.
func noiseTiming(batch: Int) -> [(String, Double)] {
    var rng = RandomGenerator(seed: 1)
    let x = (0..<(batch * 784)).map { _ in rng.uniform() }
    let net = Network(
        layers: [
            DenseSpec(inputs: 784, outputs: 16, activation: .relu),
            DenseSpec(inputs: 16, outputs: 784, activation: .sigmoid)
        ], maxBatch: batch, rng: &rng)
    var results: [(String, Double)] = []
    for noise in [NoiseConfig.none, .masking(level: 0.2), .gaussian(stddev: 0.1), .saltPepper(level: 0.1)] {
        x.withUnsafeBufferPointer { xb in
            for _ in 0..<3 { net.trainStep(input: xb, batch: batch, target: .values(xb), loss: .bce, noise: noise, rng: &rng) }
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<30 { net.trainStep(input: xb, batch: batch, target: .values(xb), loss: .bce, noise: noise, rng: &rng) }
            results.append(("\(noise)", Double(DispatchTime.now().uptimeNanoseconds - t0) / 30e6))
        }
    }
    return results
}
