import Foundation
@testable import LayerwiseNN

/// The ladder network's cost written out plainly in Double, for the gradient checks:
/// the same parameter layout as `LadderNetwork` (W_1, β_1, …, W_L, β_L, γ, V_0 … V_{L−1},
/// a_0 … a_L), the same noise (read from the engine's buffers), no shared code.
struct LadderReference {
    let widths: [Int]
    let activation: Activation
    let lambdas: [Double]
    let eps = Double(LadderNetwork.epsilon)
    var L: Int { widths.count - 1 }

    struct Pass { var z: [[Double]] = []; var mean: [[Double]] = []; var std: [[Double]] = []; var h: [[Double]] = [] }

    func act(_ x: Double) -> Double {
        switch activation {
        case .relu: return max(x, 0)
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .leakyRelu: return x > 0 ? x : Double(Activation.leak) * x
        default: return x
        }
    }

    static func matmul(_ a: [Double], _ b: [Double], _ n: Int, _ k: Int, _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { var s = 0.0; for t in 0..<k { s += a[i * k + t] * b[t * d + j] }; c[i * d + j] = s } }
        return c
    }

    /// (normalised, mean, std) with the batch's statistics, biased variance.
    func batchNorm(_ x: [Double], _ n: Int, _ d: Int) -> ([Double], [Double], [Double]) {
        var mean = [Double](repeating: 0, count: d), std = mean
        for j in 0..<d {
            var s = 0.0; for i in 0..<n { s += x[i * d + j] }; mean[j] = s / Double(n)
            var v = 0.0; for i in 0..<n { v += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]) }
            std[j] = (v / Double(n) + eps).squareRoot()
        }
        var out = x
        for i in 0..<n { for j in 0..<d { out[i * d + j] = (x[i * d + j] - mean[j]) / std[j] } }
        return (out, mean, std)
    }

    static func softmaxRows(_ x: [Double], _ n: Int, _ d: Int) -> [Double] {
        var y = x
        for i in 0..<n {
            let row = x[(i * d)..<((i + 1) * d)], mx = row.max() ?? 0
            let e = row.map { exp($0 - mx) }, s = e.reduce(0, +)
            for j in 0..<d { y[i * d + j] = e[j] / s }
        }
        return y
    }

    static func combinator(_ zc: [Double], _ u: [Double], _ a: [Double], _ n: Int, _ d: Int) -> [Double] {
        func sig(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        var out = zc
        for i in 0..<n {
            for j in 0..<d {
                let p = { (k: Int) in a[(k - 1) * d + j] }
                let uu = u[i * d + j]
                let mu = p(1) * sig(p(2) * uu + p(3)) + p(4) * uu + p(5)
                let v = p(6) * sig(p(7) * uu + p(8)) + p(9) * uu + p(10)
                out[i * d + j] = (zc[i * d + j] - mu) * v + mu
            }
        }
        return out
    }

    /// Splits the flat parameters into the named tensors.
    func tensors(_ p: [Double]) -> (W: [[Double]], beta: [[Double]], gamma: [Double], V: [[Double]], A: [[Double]]) {
        var o = 0
        func take(_ c: Int) -> [Double] { defer { o += c }; return Array(p[o..<(o + c)]) }
        var W: [[Double]] = [[]], beta: [[Double]] = [[]]
        for l in 1...L { W.append(take(widths[l - 1] * widths[l])); beta.append(take(widths[l])) }
        let gamma = take(widths[L])
        var V: [[Double]] = [], A: [[Double]] = []
        for l in 0..<L { V.append(take(widths[l + 1] * widths[l])) }
        for l in 0...L { A.append(take(10 * widths[l])) }
        return (W, beta, gamma, V, A)
    }

    func encode(_ p: [Double], _ x: [Double], _ n: Int, noise: [[Double]]?) -> Pass {
        let t = tensors(p)
        var pass = Pass()
        var h = x
        if let noise { h = zip(x, noise[0]).map(+) }
        pass.z = [h]; pass.mean = [[]]; pass.std = [[]]; pass.h = [h]
        for l in 1...L {
            let d = widths[l]
            let pre = Self.matmul(h, t.W[l], n, widths[l - 1], d)
            var (z, mean, std) = batchNorm(pre, n, d)
            if let noise { z = zip(z, noise[l]).map(+) }
            var y = z
            for i in 0..<n { for j in 0..<d { y[i * d + j] = (l == L ? t.gamma[j] : 1) * (z[i * d + j] + t.beta[l][j]) } }
            h = l == L ? Self.softmaxRows(y, n, d) : y.map(act)
            pass.z.append(z); pass.mean.append(mean); pass.std.append(std); pass.h.append(h)
        }
        return pass
    }

    /// (total, supervised, λ_l·C_l for every l).
    func cost(
        _ p: [Double], x: [Double], n: Int, xl: [Double], labels: [Int], m: Int,
        noise: [[Double]], labeledNoise: [[Double]]
    ) -> (Double, Double, [Double]) {
        let t = tensors(p)
        let clean = encode(p, x, n, noise: nil)
        let corr = encode(p, x, n, noise: noise)
        var zhat = [[Double]](repeating: [], count: L + 1)
        var den = [Double](repeating: 0, count: L + 1)
        for l in stride(from: L, through: 0, by: -1) {
            let d = widths[l]
            let pre = l == L ? corr.h[L] : Self.matmul(zhat[l + 1], t.V[l], n, widths[l + 1], d)
            let u = batchNorm(pre, n, d).0
            zhat[l] = Self.combinator(corr.z[l], u, t.A[l], n, d)
            var s = 0.0
            for i in 0..<n {
                for j in 0..<d {
                    let zn = l == 0 ? zhat[l][i * d + j] : (zhat[l][i * d + j] - clean.mean[l][j]) / clean.std[l][j]
                    s += (zn - clean.z[l][i * d + j]) * (zn - clean.z[l][i * d + j])
                }
            }
            den[l] = lambdas[l] * s / Double(n * d)
        }
        var sup = 0.0
        if m > 0 {
            let lab = encode(p, xl, m, noise: labeledNoise)
            let k = widths[L]
            for i in 0..<m { sup -= log(lab.h[L][i * k + labels[i]]) }
            sup /= Double(m)
        }
        return (sup + den.reduce(0, +), sup, den)
    }
}
