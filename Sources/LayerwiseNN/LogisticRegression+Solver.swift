import Foundation
import LayerwiseMath

/// The penalised objective of `LogisticRegression` on fixed rows, in Double.
///
/// Parameters `θ = [W (row-major [outputs, d]), b ([outputs])]`; with `Z = X Wᵀ + 1 bᵀ` `[n, outputs]`:
/// - `outputs = 1`: `F = ‖W‖²/2 + C Σ_i (log(1 + e^{z_i}) − t_i z_i)`, residual `r_i = σ(z_i) − t_i`;
/// - `outputs = K ≥ 3`: `F = ‖W‖²/2 + C Σ_i (log Σ_j e^{z_ij} − z_{i t_i})`, `r_ij = softmax(z_i)_j − [j = t_i]`;
/// and `∂F/∂W = C Rᵀ X + W` `[outputs, d]`, `∂F/∂b = C Σ_i r_i`.
struct LogisticObjective: Sendable {
    let x: [Double]
    let rows: Int
    let features: Int
    /// Class index per row, `0..<K` (0 or 1 when `outputs = 1`).
    let targets: [Int]
    let outputs: Int
    let c: Double

    var parameterCount: Int { outputs * (features + 1) }

    static func doubles(_ values: [Float]) -> [Double] { values.map { Double($0) } }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// `Z = X Wᵀ + 1 bᵀ`, `[rows, intercepts.count]`, through `BLAS.dgemm`.
    static func logits(_ x: [Double], rows: Int, features: Int, weights: [Double], intercepts: [Double]) -> [Double] {
        let outputs = intercepts.count
        var z = [Double](repeating: 0, count: rows * outputs)
        for i in 0..<rows { for j in 0..<outputs { z[i * outputs + j] = intercepts[j] } }
        guard features > 0 else { return z }
        x.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { w in
                z.withUnsafeMutableBufferPointer { out in
                    guard let a = a.baseAddress, let w = w.baseAddress, let out = out.baseAddress else { return }
                    BLAS.dgemm(a, w, out, m: rows, n: outputs, k: features, transB: true, beta: 1)
                }
            }
        }
        return z
    }

    /// `(F(θ), ∇F(θ))`.
    func lossAndGradient(_ theta: [Double]) -> (Double, [Double]) {
        let split = outputs * features
        let weights = Array(theta[..<split])
        let z = Self.logits(x, rows: rows, features: features, weights: weights, intercepts: Array(theta[split...]))
        var residual = [Double](repeating: 0, count: rows * outputs)
        var loss = 0.0
        for i in 0..<rows {
            let t = targets[i]
            if outputs == 1 {
                let zi = z[i]
                loss += max(zi, 0) + log1p(exp(-abs(zi))) - Double(t) * zi
                residual[i] = c * (Self.sigmoid(zi) - Double(t))
            } else {
                let base = i * outputs
                var m = -Double.infinity
                for j in 0..<outputs { m = max(m, z[base + j]) }
                var sum = 0.0
                for j in 0..<outputs { sum += exp(z[base + j] - m) }
                loss += m + log(sum) - z[base + t]
                for j in 0..<outputs { residual[base + j] = c * exp(z[base + j] - m) / sum }
                residual[base + t] -= c
            }
        }
        var gradient = [Double](repeating: 0, count: theta.count)
        if features > 0 {
            residual.withUnsafeBufferPointer { r in
                x.withUnsafeBufferPointer { a in
                    gradient.withUnsafeMutableBufferPointer { g in
                        guard let r = r.baseAddress, let a = a.baseAddress, let g = g.baseAddress else { return }
                        BLAS.dgemm(r, a, g, m: outputs, n: features, k: rows, transA: true)
                    }
                }
            }
        }
        var penalty = 0.0
        for j in 0..<split { penalty += weights[j] * weights[j]; gradient[j] += weights[j] }
        for i in 0..<rows { for j in 0..<outputs { gradient[split + j] += residual[i * outputs + j] } }
        return (c * loss + penalty / 2, gradient)
    }
}

/// Limited-memory BFGS (10 pairs, as scipy's default `maxcor`) with a backtracking
/// Armijo line search; stops on `max_j |g_j| ≤ gradientTolerance`, on a relative
/// decrease below `64 ε` (scipy's `ftol` in sklearn), or after `maxIterations`.
enum LBFGS {
    struct Result { var theta: [Double]; var iterations: Int; var converged: Bool }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func minimize(
        start: [Double], gradientTolerance: Double, maxIterations: Int, memory: Int = 10,
        _ f: ([Double]) -> (Double, [Double])
    ) -> Result {
        var theta = start
        var (value, gradient) = f(theta)
        var pairs: [(s: [Double], y: [Double], rho: Double)] = []
        for iteration in 0..<maxIterations {
            if gradient.map(abs).max() ?? 0 <= gradientTolerance { return Result(theta: theta, iterations: iteration, converged: true) }
            var q = gradient
            var alphas = [Double](repeating: 0, count: pairs.count)
            for k in pairs.indices.reversed() {
                alphas[k] = pairs[k].rho * dot(pairs[k].s, q)
                for j in q.indices { q[j] -= alphas[k] * pairs[k].y[j] }
            }
            let gamma = pairs.last.map { dot($0.s, $0.y) / dot($0.y, $0.y) } ?? 1 / max(1, dot(gradient, gradient).squareRoot())
            for j in q.indices { q[j] *= gamma }
            for k in pairs.indices {
                let beta = pairs[k].rho * dot(pairs[k].y, q)
                for j in q.indices { q[j] += (alphas[k] - beta) * pairs[k].s[j] }
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if !(slope < 0) {
                direction = gradient.map { -$0 * gamma }
                slope = dot(gradient, direction)
                pairs.removeAll()
            }
            var step = 1.0
            var trial = theta, trialValue = value, trialGradient = gradient
            var accepted = false
            for _ in 0..<50 {
                trial = zip(theta, direction).map { $0 + step * $1 }
                (trialValue, trialGradient) = f(trial)
                if trialValue <= value + 1e-4 * step * slope { accepted = true; break }
                step /= 2
            }
            guard accepted else { return Result(theta: theta, iterations: iteration, converged: false) }
            let s = zip(trial, theta).map { $0 - $1 }
            let y = zip(trialGradient, gradient).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-10 * dot(y, y) {
                pairs.append((s, y, 1 / sy))
                if pairs.count > memory { pairs.removeFirst() }
            }
            let decrease = (value - trialValue) / max(abs(value), abs(trialValue), 1)
            theta = trial; value = trialValue; gradient = trialGradient
            if decrease <= 64 * Double.ulpOfOne {
                let done = gradient.map(abs).max() ?? 0 <= gradientTolerance
                return Result(theta: theta, iterations: iteration + 1, converged: done)
            }
        }
        let done = gradient.map(abs).max() ?? 0 <= gradientTolerance
        return Result(theta: theta, iterations: maxIterations, converged: done)
    }
}
