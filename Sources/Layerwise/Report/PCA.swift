import Foundation

/// Principal components of the rows of a matrix (Double accumulation): the mean, the
/// top components of the covariance by power iteration with deflation, their variances.
struct PCA {
    var mean: [Double]
    var components: [[Double]]
    var variances: [Double]
    var totalVariance: Double

    static func fit(_ x: [Float], rows n: Int, cols d: Int, components k: Int) -> PCA {
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(x[r * d + j]) } }
        mean = mean.map { $0 / Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        var row = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { row[j] = Double(x[r * d + j]) - mean[j] }
            for a in 0..<d where row[a] != 0 { for b in a..<d { cov[a * d + b] += row[a] * row[b] } }
        }
        for a in 0..<d { for b in a..<d { cov[a * d + b] /= Double(max(n - 1, 1)); cov[b * d + a] = cov[a * d + b] } }
        let total = (0..<d).reduce(0.0) { $0 + cov[$1 * d + $1] }
        var comps: [[Double]] = [], vars: [Double] = []
        for c in 0..<min(k, d) {
            // Deterministic start, not orthogonal to any component by accident.
            var v = (0..<d).map { 1 + 0.1 * Double(($0 * 7 + c * 3) % 11) }
            var lambda = 0.0
            for _ in 0..<500 {
                var w = (0..<d).map { a in (0..<d).reduce(0.0) { $0 + cov[a * d + $1] * v[$1] } }
                for u in comps { let p = zip(w, u).reduce(0.0) { $0 + $1.0 * $1.1 }; w = zip(w, u).map { $0 - p * $1 } }
                let norm = w.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-300 else { break }
                let next = w.map { $0 / norm }
                let change = zip(next, v).reduce(0.0) { $0 + abs($1.0 - $1.1) }
                v = next; lambda = norm
                if change < 1e-12 { break }
            }
            comps.append(v); vars.append(lambda)
        }
        return PCA(mean: mean, components: comps, variances: vars, totalVariance: total)
    }

    func project(_ x: [Float], row r: Int) -> (Double, Double) {
        let d = mean.count
        var p = [0.0, 0.0]
        for (c, u) in components.prefix(2).enumerated() {
            for j in 0..<d { p[c] += (Double(x[r * d + j]) - mean[j]) * u[j] }
        }
        return (p[0], p[1])
    }
}
