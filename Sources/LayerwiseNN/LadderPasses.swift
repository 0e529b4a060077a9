import CLayerwiseKernels
import LayerwiseMath

/// The buffers of one pass of a ladder network's encoder over a batch, index l = 0 … L,
/// each sized `[rows, d_l]` (statistics `[d_l]`) once at init.
///
/// - clean: the unlabeled batch without noise; its z and batch statistics are the
///   denoising targets, so it takes their gradients (`dz`, `dmean`, `dstd`).
/// - corrupted: the unlabeled batch with noise; the decoder reads its z̃ and h̃_L and
///   sends gradients back into z̃ (`dz`).
/// - labeled: the labeled batch with noise (its own batch statistics), for the
///   cross-entropy only.
final class EncoderPass {
    enum Role { case clean, corrupted, labeled }
    let role: Role
    /// z_pre = h_{l−1}·W_l (l ≥ 1).
    let pre: [FloatBuffer]
    /// The normalised z_pre, before noise (l ≥ 1).
    let normalized: [FloatBuffer]
    /// z̃ = normalised + noise (l ≥ 1) and the noisy input (l = 0); clean: `normalized`.
    let z: [FloatBuffer]
    let noise: [FloatBuffer]
    let mean: [FloatBuffer]
    let variance: [FloatBuffer]
    let std: [FloatBuffer]
    /// h_l = act(z + β) (l < L), softmax(γ⊙(z + β)) at L; h_0 is the input.
    let h: [FloatBuffer]
    /// γ⊙(z_L + β_L), and the gradient with respect to it.
    let logits: FloatBuffer
    let dLogits: FloatBuffer
    /// Gradients from outside the encoder: into z_l (and, clean, into the statistics).
    let dz: [FloatBuffer]
    let dmean: [FloatBuffer]
    let dstd: [FloatBuffer]

    init(_ widths: [Int], rows: Int, role: Role) {
        self.role = role
        let L = widths.count - 1
        let full = { (l: Int) in FloatBuffer(rows * widths[l]) }
        let none = FloatBuffer(0)
        let noisy = role != .clean
        pre = widths.indices.map { $0 == 0 ? none : full($0) }
        normalized = widths.indices.map { $0 == 0 ? none : full($0) }
        z = noisy ? widths.indices.map(full) : normalized
        noise = noisy ? widths.indices.map(full) : []
        mean = widths.map { FloatBuffer($0) }
        variance = widths.map { FloatBuffer($0) }
        std = widths.map { FloatBuffer($0) }
        h = widths.indices.map { $0 == 0 ? none : full($0) }
        logits = full(L)
        dLogits = full(L)
        dz = role == .labeled ? [] : widths.indices.map { $0 == 0 ? none : full($0) }
        dmean = role == .clean ? widths.map { FloatBuffer($0) } : []
        dstd = role == .clean ? widths.map { FloatBuffer($0) } : []
    }
}

/// The decoder's buffers, index l = 0 … L: u before and after its batch normalisation,
/// its statistics, ẑ_l, and the gradients with respect to ẑ_l and u_l.
final class DecoderPass {
    let pre: [FloatBuffer]
    let u: [FloatBuffer]
    let mean: [FloatBuffer]
    let variance: [FloatBuffer]
    let std: [FloatBuffer]
    let zhat: [FloatBuffer]
    let dzhat: [FloatBuffer]
    let du: [FloatBuffer]

    init(_ widths: [Int], rows: Int) {
        let full = { (w: Int) in FloatBuffer(rows * w) }
        pre = widths.map(full)
        u = widths.map(full)
        mean = widths.map { FloatBuffer($0) }
        variance = widths.map { FloatBuffer($0) }
        std = widths.map { FloatBuffer($0) }
        zhat = widths.map(full)
        dzhat = widths.map(full)
        du = widths.map(full)
    }
}

extension LadderNetwork {
    /// The encoder over `n` rows of `x` (the noise already in `p.noise` for a noisy pass).
    func encode(_ p: EncoderPass, _ x: UnsafePointer<Float>, n: Int) {
        let w = store.weights
        var input = x
        if p.role != .clean {
            let z0 = p.z[0].pointer
            z0.update(from: x, count: n * widths[0])
            lw_add_scaled(z0, p.noise[0].pointer, n * widths[0], 1)
            input = UnsafePointer(z0)
        }
        for l in 1...L {
            let d = widths[l], nd = Int32(n), dd = Int32(d)
            BLAS.gemm(input, w[kernelIndex(l)], p.pre[l].pointer, m: n, n: d, k: widths[l - 1])
            lw_bn_forward(
                p.pre[l].pointer, p.normalized[l].pointer, p.mean[l].pointer, p.variance[l].pointer,
                p.std[l].pointer, nd, dd, Self.epsilon)
            if p.role != .clean {
                p.z[l].pointer.update(from: p.normalized[l].pointer, count: n * d)
                lw_add_scaled(p.z[l].pointer, p.noise[l].pointer, n * d, 1)
            }
            if l < L {
                lw_shift_scale(p.z[l].pointer, w[betaIndex(l)], nil, p.h[l].pointer, nd, dd)
                lw_activate(p.h[l].pointer, nd, dd, spec.activation.code, Activation.leak)
            } else {
                lw_shift_scale(p.z[l].pointer, w[betaIndex(l)], w[gammaIndex], p.logits.pointer, nd, dd)
                lw_activate_copy(p.logits.pointer, p.h[l].pointer, nd, dd, Int32(LW_SOFTMAX), Activation.leak)
            }
            input = UnsafePointer(p.h[l].pointer)
        }
    }

    /// Backward through pass `p` over `n` rows of input `x0` (for a noisy pass, its noisy
    /// input `p.z[0]`), adding to the gradients of W, β and γ. The sources: `p.dLogits`
    /// (when `fromLogits`), `p.dz[l]` for l ≥ 1 (clean and corrupted), and for the clean
    /// pass `p.dmean[l]`, `p.dstd[l]`.
    func backward(_ p: EncoderPass, _ x0: UnsafePointer<Float>, n: Int, fromLogits: Bool) {
        let w = store.weights
        var d = deltaA.pointer, next = deltaB.pointer
        let top = widths[L]
        if fromLogits {
            lw_shift_scale_backward(
                p.dLogits.pointer, p.z[L].pointer, w[betaIndex(L)], w[gammaIndex], d,
                store.gradient(betaIndex(L)), store.gradient(gammaIndex), Int32(n), Int32(top))
            if p.role != .labeled { lw_add_scaled(d, p.dz[L].pointer, n * top, 1) }
        } else {
            d.update(from: p.dz[L].pointer, count: n * top)
        }
        for l in stride(from: L, through: 1, by: -1) {
            let dl = widths[l], nd = Int32(n), dd = Int32(dl)
            // d = ∂/∂z̃_l = ∂/∂(normalised z_l): through the batch normalisation to z_pre.
            lw_bn_backward(
                d, p.normalized[l].pointer, p.std[l].pointer, p.role == .clean ? p.dmean[l].pointer : nil,
                p.role == .clean ? p.dstd[l].pointer : nil, d, scratch.pointer, nd, dd)
            let hIn: UnsafePointer<Float> = l == 1 ? x0 : UnsafePointer(p.h[l - 1].pointer)
            BLAS.gemm(hIn, d, store.gradient(kernelIndex(l)), m: widths[l - 1], n: dl, k: n, transA: true, beta: 1)
            guard l > 1 else { break }
            let below = widths[l - 1]
            BLAS.gemm(d, w[kernelIndex(l)], next, m: n, n: below, k: dl, transB: true)
            lw_activation_backward(next, p.h[l - 1].pointer, nd, Int32(below), spec.activation.code, Activation.leak)
            lw_shift_scale_backward(
                next, p.z[l - 1].pointer, w[betaIndex(l - 1)], nil, next,
                store.gradient(betaIndex(l - 1)), nil, nd, Int32(below))
            if p.role != .labeled { lw_add_scaled(next, p.dz[l - 1].pointer, n * below, 1) }
            swap(&d, &next)
        }
    }
}
