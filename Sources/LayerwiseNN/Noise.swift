import CLayerwiseKernels
import LayerwiseMath

/// Input corruption for denoising autoencoders (Vincent et al. 2008, 2010).
public enum NoiseConfig: Equatable, Sendable {
    case none
    /// Each input set to 0 with probability `level` (no rescaling, as in the paper).
    case masking(level: Float)
    /// x + N(0, stddev²).
    case gaussian(stddev: Float)
    /// Each input set to 0 or 1 (equally likely) with probability `level`.
    case saltPepper(level: Float)

    var isNone: Bool { self == .none }

    /// The input a training step sees: `x` itself without noise, else its corrupted
    /// copy, written into `scratch` (`n` values).
    func corrupted(
        _ x: UnsafePointer<Float>, into scratch: UnsafeMutablePointer<Float>, _ n: Int,
        _ rng: inout RandomGenerator
    ) -> UnsafePointer<Float> {
        if isNone { return x }
        apply(x, scratch, n, &rng)
        return UnsafePointer(scratch)
    }

    /// Writes the corrupted copy of `x[0..<n]` into `out`.
    func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ rng: inout RandomGenerator) {
        switch self {
        case .none:
            out.update(from: x, count: n)
        case .masking(let p):
            // Four 16-bit uniforms per 64-bit draw: the mask needs p only to 1/65536,
            // and the draw was a fifth of a pretraining step.
            let threshold = UInt64(min(max(p, 0), 1) * 65_536)
            forEachUniform16(n, &rng) { i, u in out[i] = u < threshold ? 0 : x[i] }
        case .gaussian(let s):
            // The generator writes 32 random bits per element into `out`; the C kernel
            // turns pairs of them into normals in place (vectorized Box–Muller).
            let even = n & ~1
            let raw = UnsafeMutableRawPointer(out)
            for k in 0..<(even / 2) { raw.storeBytes(of: rng.next(), toByteOffset: 8 * k, as: UInt64.self) }
            lw_gaussian_noise(x, out, even, s)
            if even < n { out[n - 1] = x[n - 1] + s * rng.normal() }
        case .saltPepper(let p):
            for i in 0..<n {
                let u = rng.uniform()
                out[i] = u < p ? (u < p / 2 ? 0 : 1) : x[i]
            }
        }
    }
}

/// Calls `body(i, u)` for every i in 0..<n, u a uniform integer in 0..<65536: four per
/// 64-bit draw of `rng`, lowest 16 bits first (masking noise, an RBM's hidden samples).
@inline(__always)
func forEachUniform16(_ n: Int, _ rng: inout RandomGenerator, _ body: (Int, UInt64) -> Void) {
    var i = 0
    while i < n {
        var bits = rng.next()
        for _ in 0..<min(4, n - i) {
            body(i, bits & 0xFFFF)
            bits >>= 16
            i += 1
        }
    }
}
