import CLayerwiseKernels
import LayerwiseMath

/// Training: the step's noise, the three encoder passes, the decoder and its costs,
/// the backward pass through all of them, and the running statistics.
extension LadderNetwork {
    /// One optimisation step on `n` unlabeled rows (`[n, d_0]`) and `m` labeled rows with
    /// their labels (m may be 0): noise → clean and corrupted passes → decoder and
    /// denoising costs → labeled corrupted pass and cross-entropy → backward → running
    /// statistics of the clean pass → optimizer update. Returns the step's total cost
    /// (`lastSupervised` and `lastDenoising` hold its parts).
    @discardableResult
    public func trainStep(
        unlabeled x: UnsafePointer<Float>, rows n: Int, labeled xl: UnsafePointer<Float>?,
        labels: UnsafePointer<Int32>?, labeledRows m: Int, rng: inout RandomGenerator
    ) -> Double {
        drawNoise(&rng, unlabeled: n, labeled: m)
        let total = lossAndGradients(unlabeled: x, rows: n, labeled: xl, labels: labels, labeledRows: m)
        updateRunningStatistics(rows: n)
        store.update()
        return total
    }

    /// Gaussian noise N(0, noise²) for every layer of the corrupted passes, unlabeled first.
    func drawNoise(_ rng: inout RandomGenerator, unlabeled n: Int, labeled m: Int) {
        let g = NoiseConfig.gaussian(stddev: spec.noise)
        for l in 0...L { g.apply(zeros.pointer, corrupted.noise[l].pointer, n * widths[l], &rng) }
        for l in 0...L where m > 0 { g.apply(zeros.pointer, labeled.noise[l].pointer, m * widths[l], &rng) }
    }

    /// The cost of the batch with the noise already drawn, every gradient written; no update.
    func lossAndGradients(
        unlabeled x: UnsafePointer<Float>, rows n: Int, labeled xl: UnsafePointer<Float>?,
        labels: UnsafePointer<Int32>?, labeledRows m: Int
    ) -> Double {
        precondition(
            n > 1 && n <= maxBatch && m >= 0 && m <= maxBatch, "batch of \(n) unlabeled and \(m) labeled rows, at most \(maxBatch)")
        store.grads.zero()
        encode(clean, x, n: n)
        encode(corrupted, x, n: n)
        denoise(x, n: n)
        lastSupervised = 0
        if m > 0, let xl, let labels {
            encode(labeled, xl, n: m)
            lastSupervised =
                lw_softmax_xent(
                    labeled.logits.pointer, labels, labeled.h[L].pointer, labeled.dLogits.pointer,
                    Int32(m), Int32(widths[L]), 1 / Float(m)) / Double(m)
            backward(labeled, UnsafePointer(labeled.z[0].pointer), n: m, fromLogits: true)
        }
        backward(corrupted, UnsafePointer(corrupted.z[0].pointer), n: n, fromLogits: true)
        backward(clean, x, n: n, fromLogits: false)
        return lastSupervised + lastDenoising.reduce(0, +)
    }

    /// The decoder top-down with each layer's denoising cost λ_l·mean_rows‖(ẑ_l − m_l)/s_l −
    /// z_l‖²/d_l (m, s the clean pass's batch statistics; none for the input), then its
    /// backward bottom-up: gradients of V and the combinators, ∂/∂z̃_l into the corrupted
    /// pass (`dz`), ∂/∂h̃_L into its logits, and the targets' gradients into the clean pass.
    func denoise(_ x: UnsafePointer<Float>, n: Int) {
        let w = store.weights, dec = decoder, nd = Int32(n)
        for l in stride(from: L, through: 0, by: -1) {
            let d = widths[l], dd = Int32(d)
            let source: UnsafePointer<Float>
            if l == L {
                source = UnsafePointer(corrupted.h[L].pointer)
            } else {
                BLAS.gemm(dec.zhat[l + 1].pointer, w[decoderIndex(l)], dec.pre[l].pointer, m: n, n: d, k: widths[l + 1])
                source = UnsafePointer(dec.pre[l].pointer)
            }
            lw_bn_forward(
                source, dec.u[l].pointer, dec.mean[l].pointer, dec.variance[l].pointer, dec.std[l].pointer, nd, dd,
                Self.epsilon)
            lw_combinator_forward(corrupted.z[l].pointer, dec.u[l].pointer, w[combinatorIndex(l)], dec.zhat[l].pointer, nd, dd)
            let lambda = spec.denoisingWeights[l]
            let scale = 2 * lambda / Float(n * d)
            let sum =
                l == 0
                ? lw_denoising_cost(dec.zhat[0].pointer, x, nil, nil, nd, dd, scale, dec.dzhat[0].pointer, nil, nil, nil)
                : lw_denoising_cost(
                    dec.zhat[l].pointer, clean.z[l].pointer, clean.mean[l].pointer, clean.std[l].pointer, nd, dd,
                    scale, dec.dzhat[l].pointer, clean.dz[l].pointer, clean.dmean[l].pointer, clean.dstd[l].pointer)
            lastDenoising[l] = Double(lambda) * sum / Double(n * d)
        }
        for l in 0...L {
            let d = widths[l], dd = Int32(d)
            lw_combinator_backward(
                dec.dzhat[l].pointer, corrupted.z[l].pointer, dec.u[l].pointer, w[combinatorIndex(l)],
                l == 0 ? nil : corrupted.dz[l].pointer, dec.du[l].pointer,
                store.gradient(combinatorIndex(l)), nd, dd)
            lw_bn_backward(
                dec.du[l].pointer, dec.u[l].pointer, dec.std[l].pointer, nil, nil, dec.du[l].pointer,
                scratch.pointer, nd, dd)
            if l < L {
                let above = widths[l + 1]
                BLAS.gemm(
                    dec.zhat[l + 1].pointer, dec.du[l].pointer, store.gradient(decoderIndex(l)),
                    m: above, n: d, k: n, transA: true, beta: 1)
                BLAS.gemm(
                    dec.du[l].pointer, w[decoderIndex(l)], dec.dzhat[l + 1].pointer,
                    m: n, n: above, k: d, transB: true, beta: 1)
            } else {
                corrupted.dLogits.pointer.update(from: dec.du[L].pointer, count: n * d)
                lw_activation_backward(
                    corrupted.dLogits.pointer, corrupted.h[L].pointer, nd, dd, Int32(LW_SOFTMAX),
                    Activation.leak)
            }
        }
    }

    /// Running mean and unbiased variance of the clean pass's z_pre, each update weighing
    /// 1/min(updates, 10) (the ladder paper's public code, Rasmus et al. 2015, counts this way).
    func updateRunningStatistics(rows n: Int) {
        statisticsUpdates += 1
        let k = Float(min(statisticsUpdates, Self.statisticsWindow))
        let unbias = Float(n) / Float(n - 1)
        for l in 1...L {
            let rm = runningMean[l].pointer, rv = runningVariance[l].pointer
            let m = clean.mean[l].pointer, v = clean.variance[l].pointer
            for j in 0..<widths[l] {
                rm[j] += (m[j] - rm[j]) / k
                rv[j] += (v[j] * unbias - rv[j]) / k
            }
        }
    }
}
